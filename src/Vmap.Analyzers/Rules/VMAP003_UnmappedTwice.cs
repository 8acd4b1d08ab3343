using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Rules;

/// <summary>VMAP003: the same mapping is unmapped a second time on some path, or released (or handed on) again after a hand-off that took it over.</summary>
internal static class VMAP003_UnmappedTwice
{
    public static Diagnostic Create(PairingFinding finding)
    {
        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        // A second hand-off is a call with work of its own, never redundant as a whole.
        properties[DiagnosticProperties.Redundant] = finding.OnEveryPath && finding.Kind != FindingKind.HandedOffTwice ? "true" : "false";
        var onSomePath = finding.OnEveryPath ? string.Empty : " on some path";
        if (finding.Kind == FindingKind.ReleasedAfterHandOff)
        {
            var handed = finding.HandedTo!;
            return Rule.Diagnostic(
                Descriptors.VMAP003_ReleasedAfterHandOff,
                finding,
                properties,
                finding.Target,
                finding.Words.Released,
                Rule.By(finding.Via, finding.At),
                handed.Callee,
                Rule.Line(finding.Related, finding.At),
                onSomePath);
        }

        if (finding.Kind == FindingKind.HandedOffTwice)
        {
            return Rule.Diagnostic(
                Descriptors.VMAP003_HandedOffTwice,
                finding,
                properties,
                finding.Target,
                finding.ReleaserName,
                finding.HandedTo!.Callee,
                Rule.Line(finding.Related, finding.At),
                onSomePath);
        }

        return Rule.Diagnostic(
            Descriptors.VMAP003_UnmappedTwice,
            finding,
            properties,
            finding.Target,
            Rule.By(finding.Via, finding.At),
            Rule.Line(finding.Related, finding.At) + Rule.By(finding.EarlierVia, finding.At),
            onSomePath,
            finding.Words.Released);
    }
}
