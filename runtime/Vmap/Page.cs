namespace Vmap;

/// <summary>
/// A physical page handle: the page numbered <see cref="Index"/> in the <see cref="PagePool"/>
/// that allocated it. It carries no memory of its own; a mapping makes it visible at a virtual
/// address, as <c>struct page</c> does for <c>vm_map_ram</c>.
/// </summary>
public readonly struct Page : IEquatable<Page>
{
    internal Page(int poolId, long index, int generation)
    {
        PoolId = poolId;
        Index = index;
        Generation = generation;
    }

    /// <summary>The page's number inside its pool (for the Linux pool: its offset in the memfd divided by the page size).</summary>
    public long Index { get; }

    /// <summary>Identifies the pool that allocated the page; 0 for <c>default(Page)</c>.</summary>
    internal int PoolId { get; }

    /// <summary>
    /// How many times the page number had been freed before this handle was handed out: a handle
    /// kept after its page was freed names an older generation, and the pool refuses it.
    /// </summary>
    internal int Generation { get; }

    /// <summary>True for <c>default(Page)</c>, which no pool hands out.</summary>
    public bool IsNull => PoolId == 0;

    /// <inheritdoc />
    public bool Equals(Page other) => PoolId == other.PoolId && Index == other.Index && Generation == other.Generation;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Page other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(PoolId, Index, Generation);

    /// <summary>Compares two page handles.</summary>
    public static bool operator ==(Page left, Page right) => left.Equals(right);

    /// <summary>Compares two page handles.</summary>
    public static bool operator !=(Page left, Page right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => IsNull ? "page(null)" : Generation == 0 ? $"page#{Index}@pool{PoolId}" : $"page#{Index}@pool{PoolId} gen {Generation}";
}
