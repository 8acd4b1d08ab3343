using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Rules;

/// <summary>Dispatches an engine finding to the rule that owns it.</summary>
internal static class Rule
{
    public static Diagnostic Create(PairingFinding finding) => finding.Kind switch
    {
        FindingKind.UnmapOfNonStart or FindingKind.MemberRepointed or FindingKind.RepointedMemberReleased => VMAP001_UnmapOfReassignedPointer.Create(finding),
        FindingKind.MappingOverwritten or FindingKind.MappingOutOfScope or FindingKind.MemberMappingLost => VMAP002_MappingLost.Create(finding),
        FindingKind.UnmappedTwice => VMAP003_UnmappedTwice.Create(finding),
        FindingKind.UsedAfterUnmap => VMAP004_UsedAfterUnmap.Create(finding),
        FindingKind.CountMismatch => VMAP005_UnmapCountMismatch.Create(finding),
        _ => VMAP006_WrongFamilyRelease.Create(finding),
    };

    /// <summary>The 1-based line of a location, as messages show it after "line "; <c>N of File.cs</c> when it is in another file than <paramref name="from"/>.</summary>
    public static string Line(Location location, SyntaxNode from)
    {
        var span = location.GetLineSpan();
        var line = (span.StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture);
        return location.SourceTree == from.SyntaxTree ? line : line + " of " + System.IO.Path.GetFileName(span.Path);
    }

    public static string Line(SyntaxNode node, SyntaxNode from) => Line(node.GetLocation(), from);

    public static Diagnostic Diagnostic(DiagnosticDescriptor descriptor, PairingFinding finding, ImmutableDictionary<string, string?>.Builder properties, params object?[] arguments)
    {
        properties[DiagnosticProperties.Target] = finding.Target;
        return Microsoft.CodeAnalysis.Diagnostic.Create(
            descriptor,
            finding.At.GetLocation(),
            new[] { finding.Related },
            properties.ToImmutable(),
            arguments);
    }
}
