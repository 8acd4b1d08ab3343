using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Rules;

/// <summary>
/// VMAP001: an unmap releases memory that no map call returned. For a local the report is at the
/// unmap (the reassignment is the additional location); for a member that holds mappings (the XFS
/// shape) it is at the re-pointing, since the unmap is correct code in another method.
/// </summary>
internal static class VMAP001_UnmapOfReassignedPointer
{
    public static Diagnostic Create(PairingFinding finding)
    {
        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        string detail;
        if (finding.Kind == FindingKind.MemberRepointed)
        {
            properties[DiagnosticProperties.Shape] = DiagnosticProperties.ShapeField;
            properties[DiagnosticProperties.FieldName] = finding.MemberName;
            if (finding.FlagName is { } flag)
            {
                properties[DiagnosticProperties.FlagName] = flag;
            }

            detail = "it is re-pointed at " + Rule.Describe(finding.Became) + " at line " + Rule.Line(finding.At, finding.At) +
                " while " + finding.ReleaserName + " unmaps it at line " + Rule.Line(finding.Related, finding.At) +
                (finding.FlagName is null ? string.Empty : " when '" + finding.FlagName + "' is set");
        }
        else if (finding.Kind == FindingKind.RepointedMemberReleased)
        {
            properties[DiagnosticProperties.Shape] = DiagnosticProperties.ShapeForeign;
            detail = "'" + finding.MemberName + "' was re-pointed at the new array from " + finding.Site!.MethodName +
                " at line " + Rule.Line(finding.Related, finding.At) +
                ", so this gives back the array still in use and loses the one it held before";
        }
        else if (finding.Site is null)
        {
            // Nothing in the method ever held a mapping here (a new array given to a pool): no
            // reassignment for a fix to undo.
            properties[DiagnosticProperties.Shape] = DiagnosticProperties.ShapeForeign;
            detail = "it is a new array, which '" + finding.ReleaseName + "' gives to a pool that never rented it";
        }
        else
        {
            properties[DiagnosticProperties.Shape] = DiagnosticProperties.ShapeLocal;
            var site = finding.Site!;
            detail = "it became " + Rule.Describe(finding.Became) + " at line " + Rule.Line(finding.Related, finding.At) +
                " after " + site.MethodName + " mapped it at line " + Rule.MappedAt(site, finding.At);
        }

        return Rule.Diagnostic(Descriptors.VMAP001_UnmapOfReassignedPointer, finding, properties, finding.Target, detail);
    }
}
