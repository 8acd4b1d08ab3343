using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Rules;

/// <summary>VMAP005: the count an unmap releases differs from the count the mapping was made with.</summary>
internal static class VMAP005_UnmapCountMismatch
{
    public static Diagnostic Create(PairingFinding finding)
    {
        var site = finding.Site!;
        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        properties[DiagnosticProperties.MappedCount] = finding.MappedCountText;
        if (finding.SizeMustBeZero)
        {
            properties[DiagnosticProperties.MustBeZero] = "true";
            return Rule.Diagnostic(
                Descriptors.VMAP005_ReleaseSizeNotZero,
                finding,
                properties,
                finding.Target,
                finding.ReleaserName,
                finding.CountText,
                site.MethodName,
                Rule.MappedAt(site, finding.At));
        }

        var mapped = "'" + finding.MappedCountText + "'" + (finding.MappedCountValue is { } n ? " (" + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")" : string.Empty);
        return Rule.Diagnostic(
            OsPairs.CountsBytes(site.Spec.Family) ? Descriptors.VMAP005_UnmapLengthMismatch : Descriptors.VMAP005_UnmapCountMismatch,
            finding,
            properties,
            finding.Target,
            finding.CountText,
            site.MethodName,
            mapped,
            Rule.MappedAt(site, finding.At),
            finding.Words.Released,
            finding.Words.Acquired);
    }
}
