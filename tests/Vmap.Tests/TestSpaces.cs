using Vmap.Backends;

namespace Vmap.Tests;

/// <summary>Small spaces whose every page a test can name.</summary>
internal static class TestSpaces
{
    public const long Base = 0x100000;
    public const int PageSize = 4096;

    /// <summary>64 pages at 0x100000: four 16-page blocks, 4-page block maps, 2 CPUs, purges only when asked or out of room.</summary>
    public static VmapGeometry Small { get; } = new(
        Start: Base,
        Size: 64 * PageSize,
        PageSize: PageSize,
        BlockPages: 16,
        MaxBlockAlloc: 4,
        Cpus: 2,
        LazyMaxPages: 1000,
        Guard: GuardMode.VmallocOnly);

    public static nint Page(long n) => (nint)(Base + (n * PageSize));

    public static VmapSpace Create(VmapGeometry? geometry = null, VmapOptions? options = null, int cpu = 0) =>
        VmapSpace.CreateSimulated(geometry ?? Small, (options ?? VmapOptions.Default) with { CurrentCpu = () => cpu });

    /// <summary>A space whose CPU the test moves between calls.</summary>
    public static VmapSpace Create(CpuSwitch cpu, VmapGeometry? geometry = null, VmapOptions? options = null) =>
        VmapSpace.CreateSimulated(geometry ?? Small, (options ?? VmapOptions.Default) with { CurrentCpu = () => cpu.Cpu });

    public static Page[] Pages(VmapSpace space, int count)
    {
        var pages = new Page[count];
        for (int i = 0; i < count; i++)
        {
            pages[i] = space.Pool.Allocate();
        }

        return pages;
    }

    /// <summary>Makes the <paramref name="failingPage"/>-th page a Vmalloc takes from the pool throw <see cref="OutOfMemoryException"/> ("injected").</summary>
    public static void FailAtPoolPage(VmapSpace space, int failingPage)
    {
        int taken = 0;
        space.Pool.FaultHook = s =>
        {
            if (s == FaultSteps.PoolPage && ++taken == failingPage)
            {
                throw new OutOfMemoryException("injected");
            }
        };
    }

    /// <summary>Everything observable about a space, to prove a refused call changed nothing.</summary>
    public static (VmapStats Stats, string Areas, (int Allocated, long Capacity) Pool) State(VmapSpace space) =>
        (space.Stats, string.Join("\n", space.SnapshotAreas()), (space.Pool.AllocatedCount, space.Pool.Capacity));
}

internal sealed class CpuSwitch
{
    public int Cpu { get; set; }
}

/// <summary>A backend that records calls and can refuse maps, as vm.max_map_count would.</summary>
internal sealed class RecordingBackend : VmapBackend
{
    private readonly PagePool _pool;

    public RecordingBackend(PagePool? pool = null) => _pool = pool ?? new SimulatedPagePool(TestSpaces.PageSize);

    /// <summary>Thrown by the next Map (then cleared), as an mmap that fails with an errno other than ENOMEM would.</summary>
    public Exception? ThrowOnMap { get; set; }

    /// <summary>Thrown by the next Unmap (then cleared), as a refused split of a VMA would.</summary>
    public Exception? ThrowOnUnmap { get; set; }

    public override PagePool Pool => _pool;

    public override string Name => "recording";

    /// <summary>Claims to cost nothing, as the simulated backend does: the space then keeps its area lock for a whole area call.</summary>
    public bool CostsNothingOverride { get; init; }

    public override bool CostsNothing => CostsNothingOverride;

    public int RefuseNextMaps { get; set; }

    public List<string> Calls { get; } = new();

    public override string? ExhaustionReason => "map count limit 3 reached";

    public override nint Reserve(VmapGeometry geometry, long alignment) => (nint)geometry.Start;

    /// <summary>Runs inside the next Map, before the pages are read: what another thread could do meanwhile.</summary>
    public Action? DuringMap { get; set; }

    /// <summary>The pages every successful Map was given, in order.</summary>
    public List<Page[]> MappedPages { get; } = new();

    public override bool Map(nint address, ReadOnlySpan<Page> pages)
    {
        if (DuringMap is { } during)
        {
            DuringMap = null;
            during();
        }

        if (ThrowOnMap is { } e)
        {
            ThrowOnMap = null;
            Calls.Add($"throw 0x{(long)address:x} {pages.Length}");
            throw e;
        }

        if (RefuseNextMaps > 0)
        {
            RefuseNextMaps--;
            Calls.Add($"refuse 0x{(long)address:x} {pages.Length}");
            return false;
        }

        Calls.Add($"map 0x{(long)address:x} {pages.Length}");
        MappedPages.Add(pages.ToArray());
        return true;
    }

    /// <summary>Runs inside the next Unmap, before it throws or succeeds: what another thread could do meanwhile.</summary>
    public Action? DuringUnmap { get; set; }

    public override void Unmap(nint address, int pageCount)
    {
        if (DuringUnmap is { } during)
        {
            DuringUnmap = null;
            during();
        }

        if (ThrowOnUnmap is { } e)
        {
            ThrowOnUnmap = null;
            throw e;
        }

        Calls.Add($"unmap 0x{(long)address:x} {pageCount}");
    }

    public bool Disposed { get; private set; }

    public override void Dispose()
    {
        Disposed = true;
        _pool.Dispose();
    }
}

/// <summary>A pool that runs dry: it refuses to grow past <see cref="Limit"/> pages, as the native pool refuses past its memfd's size.</summary>
internal sealed class LimitedPagePool : PagePool
{
    public LimitedPagePool(int limit)
        : base(TestSpaces.PageSize) => Limit = limit;

    public int Limit { get; set; }

    /// <summary>Thrown by the next growth (then cleared), as a failing ftruncate would.</summary>
    public Exception? ThrowOnGrow { get; set; }

    /// <summary>Runs inside the next growth (then cleared), under the pool's lock.</summary>
    public Action? DuringGrow { get; set; }

    /// <summary>Runs inside the next page free (then cleared), under the pool's lock.</summary>
    public Action? DuringFree { get; set; }

    protected override void OnFree(long index)
    {
        if (DuringFree is { } during)
        {
            DuringFree = null;
            during();
        }
    }

    protected override void OnGrow(long pageCount)
    {
        if (DuringGrow is { } during)
        {
            DuringGrow = null;
            during();
        }

        if (ThrowOnGrow is { } e)
        {
            ThrowOnGrow = null;
            throw e;
        }

        if (pageCount > Limit)
        {
            throw new InsufficientMemoryException($"The test pool holds at most {Limit} pages.");
        }
    }
}

/// <summary>Runs a call on another thread while the calling thread is inside the space (in the backend, in the pool).</summary>
internal static class OtherThread
{
    /// <summary>
    /// The result of <paramref name="call"/> run on a thread of its own. If it has not returned after
    /// 10 s it is waiting for a lock the calling thread holds: that is the failure reported.
    /// </summary>
    public static T Run<T>(Func<T> call, string what)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = call();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        { IsBackground = true };
        thread.Start();
        if (!thread.Join(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"{what} did not return within 10 s: it waits for a lock held by the thread that is in the backend or the pool.");
        }

        return failure is null ? result : throw new InvalidOperationException($"{what} threw on the other thread.", failure);
    }
}
