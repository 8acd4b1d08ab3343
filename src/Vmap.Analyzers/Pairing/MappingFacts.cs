using System;
using Microsoft.CodeAnalysis;

namespace Vmap.Analyzers.Pairing;

/// <summary>The possible states of one mapping at a program point, as a set (the lattice is the powerset).</summary>
[Flags]
internal enum MappingFlags
{
    None = 0,

    /// <summary>The map call did not happen or failed on this path (a Try-map returned false, the address tested zero).</summary>
    Absent = 1,

    Live = 2,

    Released = 4,

    /// <summary>Passed to code we know nothing about, or lost track of: no report about it any more.</summary>
    Escaped = 8,
}

/// <summary>What is known about one mapping (identified by its map call) at a program point.</summary>
/// <param name="ReleasedAt">The argument of the (earliest) release, on the paths where it is released.</param>
/// <param name="Stored">Stored somewhere that outlives the method, or handed to code that may own it: no leak is claimed.</param>
/// <param name="Via">When the release at <paramref name="ReleasedAt"/> happened inside a callee: which, and where there.</param>
/// <param name="HandedTo">The <c>[TakesOwnership]</c> call the mapping was handed to, on the paths where it was (the moved state).</param>
/// <param name="HeldIn">
/// When <paramref name="Stored"/> only into a local container that never leaves the method: that
/// container (its end is the mapping's loss). Null when stored anywhere else on some path.
/// </param>
internal sealed record MappingFacts(MappingFlags Flags, SyntaxNode? ReleasedAt = null, bool Stored = false, ReleaseVia? Via = null, HandOff? HandedTo = null, LocalContainer? HeldIn = null)
{
    public static readonly MappingFacts Absent = new(MappingFlags.Absent);

    public bool IsTracked => (Flags & MappingFlags.Escaped) == 0;

    public bool MayBeLive => IsTracked && (Flags & MappingFlags.Live) != 0;

    public bool MayBeReleased => IsTracked && (Flags & MappingFlags.Released) != 0;

    public MappingFacts Escape() => IsTracked ? this with { Flags = Flags | MappingFlags.Escaped } : this;

    public MappingFacts Store() => Stored && HeldIn is null ? this : this with { Stored = true, HeldIn = null };

    /// <summary>
    /// Whether two paths agree on who owns the mapping: the same flags, and handed over on both or
    /// on neither. A join that forgets a condition on which they disagree makes the mapping unknown.
    /// </summary>
    public static bool SameOwnership(MappingFacts a, MappingFacts b) => a.Flags == b.Flags && (a.HandedTo is null) == (b.HandedTo is null);

    public static MappingFacts Join(MappingFacts a, MappingFacts b)
    {
        if (a == b)
        {
            return a;
        }

        var first = a.ReleasedAt is null ? b
            : b.ReleasedAt is null ? a
            : a.ReleasedAt.SpanStart <= b.ReleasedAt.SpanStart ? a : b;
        var flags = a.Flags | b.Flags;
        var stored = a.Stored || b.Stored;
        var handedTo = HandOff.Join(a.HandedTo, b.HandedTo);
        var heldIn = (a.Stored && a.HeldIn is null) || (b.Stored && b.HeldIn is null) ? null : a.HeldIn ?? b.HeldIn;

        // What b adds may be nothing (a mapping the other path never made, joined as Absent into
        // facts that already say Absent): the join is then a itself, and a state's join with a
        // disjunct that lacks most of its mappings allocates nothing for them.
        return flags == a.Flags && first.ReleasedAt == a.ReleasedAt && stored == a.Stored && Equals(first.Via, a.Via) && Equals(handedTo, a.HandedTo) && heldIn == a.HeldIn
            ? a
            : new MappingFacts(flags, first.ReleasedAt, stored, first.Via, handedTo, heldIn);
    }
}

/// <summary>
/// A hand-off of a mapping to a parameter that takes it over (<c>[TakesOwnership]</c>, a
/// <c>vmap_takes_ownership</c> entry): the callee's name and the argument. <see cref="OnEveryPath"/>
/// is false once joined with a path that did not hand it over.
/// </summary>
internal sealed record HandOff(string Callee, SyntaxNode At, bool OnEveryPath)
{
    public static HandOff? Join(HandOff? a, HandOff? b)
    {
        if (a == b)
        {
            return a;
        }

        if (a is null || b is null)
        {
            var one = (a ?? b)!;
            return one.OnEveryPath ? one with { OnEveryPath = false } : one;
        }

        var first = a.At.SpanStart <= b.At.SpanStart ? a : b;
        return first with { OnEveryPath = a.OnEveryPath && b.OnEveryPath };
    }
}
