using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Rules;

/// <summary>VMAP002: a live mapping is overwritten, or goes out of scope, without being unmapped or handed on.</summary>
internal static class VMAP002_MappingLost
{
    /// <summary>The verb of a release in the exception-path message (one for every family until the messages say each family's own).</summary>
    private const string ReleaseVerb = "unmapped";

    public static Diagnostic Create(PairingFinding finding)
    {
        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        if (finding.Kind == FindingKind.MemberMappingLost)
        {
            properties[DiagnosticProperties.LossKind] = DiagnosticProperties.LossRepointed;
            return Rule.Diagnostic(
                Descriptors.VMAP002_MemberRepointed,
                finding,
                properties,
                finding.Target,
                finding.MemberMap!.ApiName,
                Rule.Line(finding.Related, finding.At),
                Rule.Line(finding.At, finding.At));
        }

        var site = finding.Site!;
        if (finding.Kind == FindingKind.MappingOverwritten)
        {
            properties[DiagnosticProperties.LossKind] = DiagnosticProperties.LossOverwrite;
            return Rule.Diagnostic(
                Descriptors.VMAP002_MappingOverwritten,
                finding,
                properties,
                finding.Target,
                site.MethodName,
                Rule.MappedAt(site, finding.At),
                Rule.Line(finding.At, finding.At));
        }

        properties[DiagnosticProperties.LossKind] = DiagnosticProperties.LossOutOfScope;
        if (finding.ThrownBy is { } thrownBy)
        {
            return Rule.Diagnostic(
                Descriptors.VMAP002_MappingLostOnThrow,
                finding,
                properties,
                finding.Target,
                site.MethodName,
                Rule.MappedAt(site, finding.At),
                thrownBy.Callee,
                Rule.Line(finding.Related, finding.At),
                thrownBy.Step is { } step ? " (" + Rule.Step(step, finding.At) + ")" : string.Empty,
                ReleaseVerb);
        }

        return Rule.Diagnostic(
            Descriptors.VMAP002_MappingLost,
            finding,
            properties,
            finding.Target,
            site.MethodName,
            Rule.MappedAt(site, finding.At),
            Rule.Line(finding.Related, finding.At));
    }
}
