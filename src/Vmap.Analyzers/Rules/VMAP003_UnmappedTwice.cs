using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Rules;

/// <summary>VMAP003: the same mapping is unmapped a second time on some path.</summary>
internal static class VMAP003_UnmappedTwice
{
    public static Diagnostic Create(PairingFinding finding)
    {
        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        properties[DiagnosticProperties.Redundant] = finding.OnEveryPath ? "true" : "false";
        return Rule.Diagnostic(
            Descriptors.VMAP003_UnmappedTwice,
            finding,
            properties,
            finding.Target,
            Rule.By(finding.Via, finding.At),
            Rule.Line(finding.Related, finding.At) + Rule.By(finding.EarlierVia, finding.At),
            finding.OnEveryPath ? string.Empty : " on some path",
            finding.Words.Released);
    }
}
