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
        var words = finding.Words;
        if (finding.Kind == FindingKind.MemberRepointed)
        {
            properties[DiagnosticProperties.Shape] = DiagnosticProperties.ShapeField;
            properties[DiagnosticProperties.FieldName] = finding.MemberName;
            if (finding.FlagName is { } flag)
            {
                properties[DiagnosticProperties.FlagName] = flag;
            }

            return Rule.Diagnostic(
                Descriptors.VMAP001_MemberRepointed,
                finding,
                properties,
                finding.Target,
                Rule.Describe(finding.Became, words),
                Rule.Line(finding.At, finding.At),
                finding.ReleaserName,
                Rule.Line(finding.Related, finding.At),
                finding.FlagName is null ? string.Empty : " when '" + finding.FlagName + "' is set",
                words.Released,
                words.Acquired);
        }

        if (finding.Kind == FindingKind.RepointedMemberReleased)
        {
            properties[DiagnosticProperties.Shape] = DiagnosticProperties.ShapeForeign;
            return Rule.Diagnostic(
                Descriptors.VMAP001_GrownMemberReleased,
                finding,
                properties,
                finding.Target,
                finding.MemberName,
                finding.Site!.MethodName,
                Rule.Line(finding.Related, finding.At),
                words.Released,
                words.Noun);
        }

        if (finding.Site is null)
        {
            // Nothing in the method ever held a mapping here (a new array given to a pool): no
            // reassignment for a fix to undo.
            properties[DiagnosticProperties.Shape] = DiagnosticProperties.ShapeForeign;
            return Rule.Diagnostic(Descriptors.VMAP001_NewArrayReleased, finding, properties, finding.Target, finding.ReleaseName, words.Released, words.Acquired);
        }

        properties[DiagnosticProperties.Shape] = DiagnosticProperties.ShapeLocal;
        var site = finding.Site;
        return Rule.Diagnostic(
            finding.OnEveryPath ? Descriptors.VMAP001_UnmapOfReassignedPointer : Descriptors.VMAP001_UnmapOfOffsetOnSomePath,
            finding,
            properties,
            finding.Target,
            Rule.Describe(finding.Became, words),
            Rule.Line(finding.Related, finding.At),
            site.MethodName,
            Rule.MappedAt(site, finding.At),
            words.Released,
            words.Acquired);
    }
}
