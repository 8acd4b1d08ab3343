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
        var words = finding.Words;
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
                Rule.Line(finding.At, finding.At),
                words.Noun,
                words.Released);
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
                Rule.Line(finding.At, finding.At),
                words.Noun,
                words.Released);
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
                words.Released,
                words.Noun);
        }

        if (finding.Container is { } container)
        {
            properties[DiagnosticProperties.LossKind] = DiagnosticProperties.LossInLocalContainer;
            return Rule.Diagnostic(
                Descriptors.VMAP002_MappingLostInLocalContainer,
                finding,
                properties,
                container.Name,
                site.MethodName,
                Rule.MappedAt(site, finding.At),
                Rule.Line(finding.Related, finding.At),
                words.Noun,
                words.Released,
                container.Kind == ContainerKind.List ? "list" : "array",
                words.Noun + "s");
        }

        if (finding.ObjectLost)
        {
            return Rule.Diagnostic(
                Descriptors.VMAP002_MappingLostByConstructor,
                finding,
                properties,
                finding.Target,
                site.MethodName,
                Rule.MappedAt(site, finding.At),
                Rule.Line(finding.Related, finding.At),
                words.Noun,
                words.Released);
        }

        return Rule.Diagnostic(
            Descriptors.VMAP002_MappingLost,
            finding,
            properties,
            finding.Target,
            site.MethodName,
            Rule.MappedAt(site, finding.At),
            Rule.Line(finding.Related, finding.At),
            words.Noun,
            HandedOn(words));
    }

    /// <summary><c>freed, returned</c>: the ways out of scope that are not a loss, without "returned" twice for a pool.</summary>
    private static string HandedOn(FamilyWords words) => words.Released == "returned" ? words.Released : words.Released + ", returned";
}
