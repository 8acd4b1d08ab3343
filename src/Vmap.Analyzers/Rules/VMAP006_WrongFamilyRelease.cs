using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Rules;

/// <summary>VMAP006: a mapping is released through another family's release method.</summary>
internal static class VMAP006_WrongFamilyRelease
{
    public static Diagnostic Create(PairingFinding finding)
    {
        var site = finding.Site!;
        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        properties[DiagnosticProperties.Family] = site.Family.ToString();
        if (finding.ReleaseMethod is { } release)
        {
            properties[DiagnosticProperties.ReleaseMethod] = release;
        }

        return Rule.Diagnostic(
            Descriptors.VMAP006_WrongFamilyRelease,
            finding,
            properties,
            finding.Target,
            site.MethodName,
            site.Family.ToString(),
            Rule.MappedAt(site, finding.At),
            finding.ReleaserName + (finding.Via is null ? string.Empty : " (" + Rule.Step(finding.Via.Step, finding.At) + ")"),
            finding.ReleaseFamily!.ToString(),
            finding.ReleaseMethod is null ? string.Empty : "; release it with " + finding.ReleaseMethod,
            finding.Words.Acquired);
    }
}
