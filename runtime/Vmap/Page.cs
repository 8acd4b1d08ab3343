namespace Vmap;

/// <summary>
/// A physical page handle: the page numbered <see cref="Index"/> in the <see cref="PagePool"/>
/// that allocated it. It carries no memory of its own; a mapping makes it visible at a virtual
/// address, as <c>struct page</c> does for <c>vm_map_ram</c>.
/// </summary>
public readonly struct Page : IEquatable<Page>
{
    internal Page(int poolId, long index)
    {
        PoolId = poolId;
        Index = index;
    }

    /// <summary>The page's number inside its pool (for the Linux pool: its offset in the memfd divided by the page size).</summary>
    public long Index { get; }

    /// <summary>Identifies the pool that allocated the page; 0 for <c>default(Page)</c>.</summary>
    internal int PoolId { get; }

    /// <summary>True for <c>default(Page)</c>, which no pool hands out.</summary>
    public bool IsNull => PoolId == 0;

    /// <inheritdoc />
    public bool Equals(Page other) => PoolId == other.PoolId && Index == other.Index;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Page other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(PoolId, Index);

    /// <summary>Compares two page handles.</summary>
    public static bool operator ==(Page left, Page right) => left.Equals(right);

    /// <summary>Compares two page handles.</summary>
    public static bool operator !=(Page left, Page right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => IsNull ? "page(null)" : $"page#{Index}@pool{PoolId}";
}
