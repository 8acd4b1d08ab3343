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
internal sealed record MappingFacts(MappingFlags Flags, SyntaxNode? ReleasedAt = null, bool Stored = false, ReleaseVia? Via = null)
{
    public static readonly MappingFacts Absent = new(MappingFlags.Absent);

    public bool IsTracked => (Flags & MappingFlags.Escaped) == 0;

    public bool MayBeLive => IsTracked && (Flags & MappingFlags.Live) != 0;

    public bool MayBeReleased => IsTracked && (Flags & MappingFlags.Released) != 0;

    public MappingFacts Escape() => this with { Flags = Flags | MappingFlags.Escaped };

    public MappingFacts Store() => Stored ? this : this with { Stored = true };

    public static MappingFacts Join(MappingFacts a, MappingFacts b)
    {
        if (a == b)
        {
            return a;
        }

        var first = a.ReleasedAt is null ? b
            : b.ReleasedAt is null ? a
            : a.ReleasedAt.SpanStart <= b.ReleasedAt.SpanStart ? a : b;
        return new MappingFacts(a.Flags | b.Flags, first.ReleasedAt, a.Stored || b.Stored, first.Via);
    }
}
