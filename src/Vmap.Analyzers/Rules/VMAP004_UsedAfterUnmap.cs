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
            finding.Detail,
            Rule.Line(finding.Related, finding.At) + Rule.By(finding.EarlierVia, finding.At),
            finding.OnEveryPath ? string.Empty : " on some path");
}
