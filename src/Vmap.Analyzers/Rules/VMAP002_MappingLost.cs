using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Rules;

/// <summary>VMAP002: a live mapping is overwritten, or goes out of scope, without being unmapped or handed on.</summary>
internal static class VMAP002_MappingLost
{
    public static Diagnostic Create(PairingFinding finding)
    {
        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        if (finding.Kind == FindingKind.MemberMappingLost)
        {
            properties[DiagnosticProperties.LossKind] = DiagnosticProperties.LossRepointed;
            var repointed = "it is re-pointed at line " + Rule.Line(finding.At, finding.At) + " without being unmapped first";
            return Rule.Diagnostic(Descriptors.VMAP002_MappingLost, finding, properties, finding.Target, finding.MemberMap!.ApiName, Rule.Line(finding.Related, finding.At), repointed);
        }

        var site = finding.Site!;
        string how;
        if (finding.Kind == FindingKind.MappingOverwritten)
        {
            properties[DiagnosticProperties.LossKind] = DiagnosticProperties.LossOverwrite;
            how = "'" + finding.Target + "' is overwritten at line " + Rule.Line(finding.At, finding.At) + " without being unmapped";
        }
        else
        {
            properties[DiagnosticProperties.LossKind] = DiagnosticProperties.LossOutOfScope;
            how = "it goes out of scope at line " + Rule.Line(finding.Related, finding.At) + " without being unmapped, returned, stored or passed on";
        }

        return Rule.Diagnostic(Descriptors.VMAP002_MappingLost, finding, properties, finding.Target, site.MethodName, Rule.MappedAt(site, finding.At), how);
    }
}
