namespace Vmap.Backends;

/// <summary>
/// What a mapping does to memory. The allocator core decides WHERE a mapping goes (areas, blocks,
/// lazy purge, checks); a backend makes pages visible at that address and hides them again.
/// The simulated backend does nothing; the Linux backend maps memfd pages into a reservation.
/// </summary>
internal abstract class VmapBackend : IDisposable
{
    /// <summary>The pool whose pages this backend can map.</summary>
    public abstract PagePool Pool { get; }

    /// <summary>A short name for listings and samples ("simulated", "linux-memfd").</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Chooses the virtual start of the space. The result must have the same remainder as
    /// <c>geometry.Start</c> modulo <paramref name="alignment"/> (so block alignment works the same
    /// way), and [result, result + geometry.Size) must be owned by the backend until Dispose.
    /// </summary>
    public abstract nint Reserve(VmapGeometry geometry, long alignment);

    /// <summary>
    /// Makes <paramref name="pages"/> visible, in order, at <paramref name="address"/>. Returns
    /// false when a resource outside the address space ran out (Linux: vm.max_map_count); the core
    /// then purges and retries, and fails cleanly. On false nothing has changed.
    /// </summary>
    public abstract bool Map(nint address, ReadOnlySpan<Page> pages);

    /// <summary>Makes [address, address + pageCount pages) inaccessible at once; the range stays reserved.</summary>
    public abstract void Unmap(nint address, int pageCount);

    /// <summary>Why the last <see cref="Map"/> returned false, for the exhaustion message.</summary>
    public virtual string? ExhaustionReason => null;

    /// <summary>
    /// True when Map and Unmap cost nothing (no syscall): the area path then keeps the area lock
    /// for the whole call, since dropping it to overlap work that takes no time only adds hand-offs
    /// (measured: 2 threads 0.57x of 1 with the lock dropped, bench/README.md).
    /// </summary>
    public virtual bool CostsNothing => false;

    /// <inheritdoc />
    public abstract void Dispose();
}

/// <summary>Numbers only: every map succeeds and touches nothing.</summary>
internal sealed class SimulatedBackend : VmapBackend
{
    private readonly SimulatedPagePool _pool;

    public SimulatedBackend(int pageSize) => _pool = new SimulatedPagePool(pageSize);

    public override PagePool Pool => _pool;

    public override string Name => "simulated";

    public override nint Reserve(VmapGeometry geometry, long alignment) => (nint)geometry.Start;

    public override bool CostsNothing => true;

    public override bool Map(nint address, ReadOnlySpan<Page> pages) => true;

    public override void Unmap(nint address, int pageCount)
    {
    }

    public override void Dispose() => _pool.Dispose();
}
