using System.Collections.Generic;
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
        FindingKind.UnmappedTwice or FindingKind.ReleasedAfterHandOff or FindingKind.HandedOffTwice => VMAP003_UnmappedTwice.Create(finding),
        FindingKind.UsedAfterUnmap => VMAP004_UsedAfterUnmap.Create(finding),
        FindingKind.CountMismatch => VMAP005_UnmapCountMismatch.Create(finding),
        FindingKind.WrongFamily => VMAP006_WrongFamilyRelease.Create(finding),
        FindingKind.WrongFailureValue => VMAP010_WrongFailureValue.Create(finding),
        _ => throw new System.ArgumentOutOfRangeException(nameof(finding), finding.Kind, "No rule owns this finding kind."),
    };

    /// <summary>The 1-based line of a location, as messages show it after "line "; <c>N of File.cs</c> when it is in another file than <paramref name="from"/>.</summary>
    public static string Line(Location location, SyntaxNode from)
    {
        var span = location.GetLineSpan();
        var line = (span.StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture);
        return location.SourceTree == from.SyntaxTree ? line : line + " of " + System.IO.Path.GetFileName(span.Path);
    }

    public static string Line(SyntaxNode node, SyntaxNode from) => Line(node.GetLocation(), from);

    /// <summary>What a value is, for a message: <c>'q'</c>, <c>an offset of the block</c>, <c>the constant 4096</c>, <c>memory from elsewhere ('GetLinear()')</c>.</summary>
    public static string Describe(ValueSource? source, FamilyWords words) => source?.Kind switch
    {
        ValueSourceKind.Offset => "an offset of the " + words.Noun,
        ValueSourceKind.Constant => "the constant " + source.Syntax,
        ValueSourceKind.Call => "memory from elsewhere ('" + source.Syntax + "')",
        ValueSourceKind.Storage => "'" + source.StorageName + "'",
        ValueSourceKind.Expression => "'" + source.Syntax + "'",
        _ => "another value",
    };

    /// <summary><c>UnmapRam at line 7 of Io.cs</c>: an API call inside a callee, one step of a cross-method path.</summary>
    public static string Step(PathStep step, SyntaxNode from) => step.ApiName + " at line " + Line(step.At, from);

    /// <summary><c> by Release (UnmapRam at line 7 of Io.cs)</c> when a release happened inside a callee; empty otherwise.</summary>
    public static string By(ReleaseVia? via, SyntaxNode from) => via is null ? string.Empty : " by " + via.Callee + " (" + Step(via.Step, from) + ")";

    /// <summary>The line of a map call, followed by <c> (MapRam at line 20 of Io.cs)</c> when the call is an inferred acquirer.</summary>
    public static string MappedAt(MapSite site, SyntaxNode from) =>
        Line(site.Syntax, from) + (site.Via is null ? string.Empty : " (" + Step(site.Via, from) + ")");

    /// <summary>
    /// The diagnostic, with <see cref="PairingFinding.Related"/> as <c>AdditionalLocations[0]</c>
    /// followed by the steps of the path inside callees, in path order (see <see cref="DiagnosticProperties"/>).
    /// </summary>
    public static Diagnostic Diagnostic(DiagnosticDescriptor descriptor, PairingFinding finding, ImmutableDictionary<string, string?>.Builder properties, params object?[] arguments)
    {
        properties[DiagnosticProperties.Target] = finding.Target;
        properties[DiagnosticProperties.ReleaseWord] = finding.Words.Release;
        var locations = new List<Location> { finding.Related };
        if (finding.Site?.Via is { } acquired)
        {
            locations.Add(acquired.At);
        }

        if (finding.EarlierVia is { } earlier)
        {
            locations.Add(earlier.Step.At);
        }

        if (finding.Via is { } via)
        {
            locations.Add(via.Step.At);
        }

        if (finding.ThrownBy?.Step is { } thrown)
        {
            locations.Add(thrown.At);
        }

        return Microsoft.CodeAnalysis.Diagnostic.Create(
            descriptor,
            finding.At.GetLocation(),
            locations,
            properties.ToImmutable(),
            arguments);
    }
}
