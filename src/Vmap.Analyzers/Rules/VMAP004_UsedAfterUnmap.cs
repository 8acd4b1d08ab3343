using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Rules;

/// <summary>VMAP004: a mapping is dereferenced, wrapped in a span, passed on or returned after its unmap.</summary>
internal static class VMAP004_UsedAfterUnmap
{
    public static Diagnostic Create(PairingFinding finding) =>
        Rule.Diagnostic(
            Descriptors.VMAP004_UsedAfterUnmap,
            finding,
            ImmutableDictionary.CreateBuilder<string, string?>(),
            finding.Target,
            How(finding),
            Rule.Line(finding.Related, finding.At) + Rule.By(finding.EarlierVia, finding.At),
            finding.OnEveryPath ? string.Empty : " on some path",
            finding.Words.Released);

    private static string How(PairingFinding finding) => finding.Use switch
    {
        UseKind.Dereferenced => "dereferenced",
        UseKind.WrappedInSpan => "wrapped in a span",
        UseKind.PassedTo => "passed to '" + finding.UsedByName + "'",
        UseKind.PassedToNew => "passed to a new '" + finding.UsedByName + "'",
        UseKind.UsedBy => "used by '" + finding.UsedByName + "'",
        UseKind.Returned => "returned",
        _ => throw new System.ArgumentOutOfRangeException(nameof(finding), finding.Use, "No wording for this use."),
    };
}
