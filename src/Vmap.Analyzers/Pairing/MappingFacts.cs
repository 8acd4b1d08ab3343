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
internal sealed record MappingFacts(MappingFlags Flags, SyntaxNode? ReleasedAt = null, bool Stored = false)
{
    public static readonly MappingFacts Absent = new(MappingFlags.Absent);

    public bool IsTracked => (Flags & MappingFlags.Escaped) == 0;

    public bool MayBeLive => IsTracked && (Flags & MappingFlags.Live) != 0;

    public bool MayBeReleased => IsTracked && (Flags & MappingFlags.Released) != 0;

    public MappingFacts Escape() => this with { Flags = Flags | MappingFlags.Escaped };

    public static MappingFacts Join(MappingFacts a, MappingFacts b)
    {
        if (a == b)
        {
            return a;
        }

        var releasedAt = a.ReleasedAt is null ? b.ReleasedAt
            : b.ReleasedAt is null ? a.ReleasedAt
            : a.ReleasedAt.SpanStart <= b.ReleasedAt.SpanStart ? a.ReleasedAt : b.ReleasedAt;
        return new MappingFacts(a.Flags | b.Flags, releasedAt, a.Stored || b.Stored);
    }
}
