using System.Collections.Concurrent;
using Vmap.Backends;
using Vmap.Tests.Model;
using Xunit.Abstractions;

namespace Vmap.Tests.Stress;

/// <summary>
/// Issue 13, Concurrency: the area path (its backend calls and pool work outside the area lock)
/// and the block path from several threads at once, over a backend that takes its time, refuses
/// some maps and throws on some maps and unmaps, checked as <see cref="LinearizabilityTests"/>
/// checks: every successful map returns a range no live mapping overlaps; every unmap either
/// succeeds once or fails with the typed error (or with the backend's own exception, after which
/// the mapping is still live); at the end the totals balance, in the space and in the backend
/// (every range the backend mapped it unmapped exactly once). Rounds alternate two phases: all
/// threads map and unmap their own mappings; then, with no map running (so no address can be
/// handed out again meanwhile), all threads race to unmap the same mappings.
/// </summary>
public class AreaPathRaceTests(ITestOutputHelper output)
{
    private const int PageSize = 4096;
    private const int Threads = 4;

    [ThreadStatic]
    private static int t_cpu;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Area_and_block_maps_race_with_backend_faults_and_double_unmaps_and_totals_balance(bool trackProvenance)
    {
        var geometry = new VmapGeometry(0x40000000, 1024 * PageSize, PageSize, BlockPages: 32, MaxBlockAlloc: 8, Cpus: Threads, LazyMaxPages: 128, GuardMode.VmallocOnly);
        var backend = new FlakyBackend();
        using var space = new VmapSpace(backend, geometry, new VmapOptions { CurrentCpu = () => t_cpu, TrackProvenance = trackProvenance });
        var run = new Run(space, geometry, rounds: 30);
        run.Go();
        output.WriteLine($"{run.Rounds} rounds, {run.Maps} maps ({run.AreaMaps} area maps), {run.Contested} contested; backend: {backend.Maps} maps, {backend.Refused} refused, {backend.MapThrows} map throws, {backend.UnmapThrows} unmap throws; space: {space.Stats.RetriedMaps} retried, {space.Stats.FailedMaps} failed");

        // A fixed amount of work, not a duration: on a loaded machine the run takes longer, it does not check less.
        Assert.Equal(30, run.Rounds);
        Assert.True(run.Maps > 3000, $"only {run.Maps} maps");
        Assert.True(run.AreaMaps > 500, $"only {run.AreaMaps} area maps");
        Assert.True(run.Contested > 150, $"only {run.Contested} contested mappings");
        Assert.True(backend.Refused > 0 && backend.MapThrows > 0 && backend.UnmapThrows > 0, $"faults: {backend.Refused} refused, {backend.MapThrows} map throws, {backend.UnmapThrows} unmap throws");
        Assert.Empty(backend.Violations);

        // Every mapping made was unmapped once, by the space and by the backend.
        Assert.Equal(run.Maps, run.Unmaps);
        Assert.Equal(backend.Maps, backend.Unmaps);
        Assert.Equal(0, backend.LiveCount);
        var stats = space.Stats;
        Assert.Equal((0, 0L), (stats.LiveMappings, stats.MappedPages));
        space.UnmapAliases();
        space.Validate();
        stats = space.Stats;
        Assert.Equal((geometry.TotalPages, 0, 0, 0L), (stats.FreePages + stats.QuarantinedPages, stats.LiveAreas, stats.Blocks, stats.GuardPages));

        // No pin left behind: every page frees, and no Vmalloc page is left allocated.
        foreach (var page in run.CallerPages)
        {
            space.Pool.Free(page);
        }

        Assert.Equal(0, space.Pool.AllocatedCount);
    }

    private sealed record Mapping(nint Address, int Pages, string Family, int Owner)
    {
        public int Wins;
    }

    private sealed class Run
    {
        private readonly VmapSpace _space;
        private readonly VmapGeometry _geometry;
        private readonly int _roundsWanted;
        private readonly LiveRanges _live;
        private readonly List<Mapping> _contested = new();
        private readonly Barrier _barrier = new(Threads);
        private long _maps;
        private long _areaMaps;
        private long _unmaps;
        private int _rounds;
        private int _contestedTotal;
        private volatile bool _stop;
        private Exception? _failure;

        public Run(VmapSpace space, VmapGeometry geometry, int rounds)
        {
            _space = space;
            _live = new LiveRanges(space);
            _geometry = geometry;
            _roundsWanted = rounds;
        }

        public ConcurrentBag<Page> CallerPages { get; } = new();

        public long Maps => _maps;

        public long AreaMaps => _areaMaps;

        public long Unmaps => _unmaps;

        public int Rounds => _rounds;

        public int Contested => _contestedTotal;

        public void Go()
        {
            var threads = Enumerable.Range(0, Threads).Select(i => new Thread(() => Worker(i))).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.Null(_failure);
        }

        private void Worker(int me)
        {
            t_cpu = me;
            var rng = new Random(me * 7919);
            var pages = TestSpaces.Pages(_space, 40);
            foreach (var page in pages)
            {
                CallerPages.Add(page);
            }

            var mine = new List<Mapping>();
            try
            {
                while (true)
                {
                    if (me == 0 && _rounds == _roundsWanted)
                    {
                        _stop = true;
                    }

                    _barrier.SignalAndWait();
                    if (_stop)
                    {
                        break;
                    }

                    // Phase 1: everyone maps and unmaps their own; then offers a few to the race.
                    for (int step = 0; step < 150; step++)
                    {
                        int op = rng.Next(20);
                        if (op < 9 || mine.Count == 0)
                        {
                            Map(rng, pages, mine, me);
                        }
                        else if (op < 17)
                        {
                            Release(TakeAny(rng, mine), mine);
                        }
                        else if (op < 19)
                        {
                            Probe(mine[rng.Next(mine.Count)]);
                        }
                        else
                        {
                            _space.UnmapAliases();
                        }
                    }

                    for (int i = 0; i < 2 && mine.Count > 0; i++)
                    {
                        var m = TakeAny(rng, mine);
                        Leave(m);
                        lock (_contested)
                        {
                            _contested.Add(m);
                        }
                    }

                    _barrier.SignalAndWait();

                    // Phase 2: no maps; every thread unmaps every contested mapping once, in its own
                    // order, among unmaps of its own mappings, purges and lookups.
                    foreach (var m in _contested.OrderBy(_ => rng.Next()).ToList())
                    {
                        Race(m);
                        if (rng.Next(4) == 0 && mine.Count > 0)
                        {
                            Release(TakeAny(rng, mine), mine);
                        }

                        if (rng.Next(16) == 0)
                        {
                            _space.UnmapAliases();
                        }
                    }

                    _barrier.SignalAndWait();

                    // Phase 3: a mapping whose every racer met a throwing backend is still live; its owner unmaps it.
                    foreach (var m in _contested.Where(m => m.Owner == me))
                    {
                        for (int attempt = 0; Volatile.Read(ref m.Wins) == 0; attempt++)
                        {
                            Assert.True(attempt < 100, $"{m.Family} 0x{(long)m.Address:x} could not be unmapped in 100 attempts");
                            Race(m);
                        }
                    }

                    _barrier.SignalAndWait();
                    if (me == 0)
                    {
                        foreach (var m in _contested)
                        {
                            Assert.True(m.Wins == 1, $"round {_rounds}: {m.Family} 0x{(long)m.Address:x} (+{m.Pages} pages) was unmapped {m.Wins} times");
                        }

                        _contestedTotal += _contested.Count;
                        _contested.Clear();
                        _rounds++;
                    }
                }

                while (mine.Count > 0)
                {
                    Release(TakeAny(rng, mine), mine);
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
                _stop = true;
                _barrier.RemoveParticipant();
            }
        }

        private static Mapping TakeAny(Random rng, List<Mapping> mine)
        {
            int at = rng.Next(mine.Count);
            var m = mine[at];
            mine.RemoveAt(at);
            return m;
        }

        private void Map(Random rng, Page[] pages, List<Mapping> mine, int me)
        {
            int kind = rng.Next(8);
            string family = kind == 0 ? Families.Vmalloc : kind == 1 ? Families.Vmap : Families.Ram;
            int count = kind < 3 ? 1 + rng.Next(20) : 1 + rng.Next(_geometry.MaxBlockAlloc);
            nint a = 0;
            try
            {
                a = family switch
                {
                    Families.Ram => _space.MapRam(pages.AsSpan(0, count)),
                    Families.Vmap => _space.Vmap(pages.AsSpan(0, count)),
                    _ => _space.Vmalloc((nuint)(count * PageSize)),
                };
            }
            catch (VmapExhaustedException)
            {
                return;
            }
            catch (IOException e) when (e.Message == FlakyBackend.InjectedMap)
            {
                return;
            }

            var m = new Mapping(a, count, family, me);
            Join(m);
            Interlocked.Increment(ref _maps);
            if (family != Families.Ram || count > _geometry.MaxBlockAlloc)
            {
                Interlocked.Increment(ref _areaMaps);
            }

            mine.Add(m);
        }

        private void Join(Mapping m) => _live.Join(m.Address, m.Pages, m.Family);

        private void Leave(Mapping m) => _live.Leave(m.Address);

        /// <summary>Unmaps one of ours; a backend that throws leaves it live, and it is kept for later.</summary>
        private void Release(Mapping m, List<Mapping> mine)
        {
            Leave(m);
            try
            {
                Families.Release(_space, m.Family, m.Address, m.Pages);
                Interlocked.Increment(ref _unmaps);
            }
            catch (IOException e) when (e.Message == FlakyBackend.InjectedUnmap)
            {
                AssertLive(m);
                Join(m);
                mine.Add(m);
            }
        }

        /// <summary>One attempt at a contested mapping: it succeeds for one racer; the others are refused as a double unmap.</summary>
        private void Race(Mapping m)
        {
            try
            {
                Families.Release(_space, m.Family, m.Address, m.Pages);
                Assert.True(Interlocked.Increment(ref m.Wins) == 1, $"{m.Family} 0x{(long)m.Address:x} unmapped twice");
                Interlocked.Increment(ref _unmaps);
            }
            catch (VmapMisuseException e)
            {
                Assert.True(e.Rule == RuleIds.VMAP003, e.Message);
            }
            catch (IOException e) when (e.Message == FlakyBackend.InjectedUnmap)
            {
                // Put back: still live, unless another racer has unmapped it since.
                if (_space.TryGetLiveMapping(m.Address, out nint start, out int count))
                {
                    Assert.Equal((m.Address, m.Pages), (start, count));
                }
            }
        }

        /// <summary>A wrong count or the wrong family on a live mapping of ours: refused, typed, and the mapping stays.</summary>
        private void Probe(Mapping m)
        {
            var e = Assert.Throws<VmapMisuseException>(() => _space.UnmapRam(m.Address, m.Family == Families.Ram ? m.Pages + 1 : m.Pages));
            Assert.Equal(m.Family == Families.Ram ? RuleIds.VMAP005 : RuleIds.VMAP006, e.Rule);
            AssertLive(m);
        }

        private void AssertLive(Mapping m)
        {
            Assert.True(_space.TryGetLiveMapping(m.Address, out nint start, out int count), $"{m.Family} 0x{(long)m.Address:x} is not live");
            Assert.Equal((m.Address, m.Pages), (start, count));
        }
    }
}

/// <summary>
/// Numbers only, like the simulated backend, but slow enough for other threads to run while a call
/// is inside it, and faulty: it refuses 1 map in 64 (as at the map-count limit), throws on 1 map in
/// 128 and 1 unmap in 64. It records what it has mapped, so a second map of a mapped address or an
/// unmap of an unmapped one shows as a violation.
/// </summary>
internal sealed class FlakyBackend : VmapBackend
{
    public const string InjectedMap = "injected: mmap failed";
    public const string InjectedUnmap = "injected: the kernel refused to split a VMA";

    [ThreadStatic]
    private static Random? t_rng;

    private readonly SimulatedPagePool _pool = new(4096);
    private readonly ConcurrentDictionary<nint, int> _mapped = new();
    private long _maps;
    private long _unmaps;
    private long _refused;
    private long _mapThrows;
    private long _unmapThrows;

    public override PagePool Pool => _pool;

    public override string Name => "flaky";

    public ConcurrentQueue<string> Violations { get; } = new();

    public long Maps => Interlocked.Read(ref _maps);

    public long Unmaps => Interlocked.Read(ref _unmaps);

    public long Refused => Interlocked.Read(ref _refused);

    public long MapThrows => Interlocked.Read(ref _mapThrows);

    public long UnmapThrows => Interlocked.Read(ref _unmapThrows);

    public int LiveCount => _mapped.Count;

    public override string? ExhaustionReason => "flaky backend refused";

    public override nint Reserve(VmapGeometry geometry, long alignment) => (nint)geometry.Start;

    public override bool Map(nint address, ReadOnlySpan<Page> pages)
    {
        var rng = Widen();
        if (rng.Next(64) == 0)
        {
            Interlocked.Increment(ref _refused);
            return false;
        }

        if (rng.Next(128) == 0)
        {
            Interlocked.Increment(ref _mapThrows);
            throw new IOException(InjectedMap);
        }

        if (!_mapped.TryAdd(address, pages.Length))
        {
            Violations.Enqueue($"map 0x{(long)address:x} over a mapping the backend holds");
        }

        Interlocked.Increment(ref _maps);
        return true;
    }

    public override void Unmap(nint address, int pageCount)
    {
        if (Widen().Next(64) == 0)
        {
            Interlocked.Increment(ref _unmapThrows);
            throw new IOException(InjectedUnmap);
        }

        if (!_mapped.TryRemove(address, out int pages) || pages != pageCount)
        {
            Violations.Enqueue($"unmap 0x{(long)address:x} of {pageCount} pages, which the backend does not hold as such");
        }

        Interlocked.Increment(ref _unmaps);
    }

    public override void Dispose() => _pool.Dispose();

    /// <summary>Takes a little while, as a syscall does, and now and then gives the CPU away.</summary>
    private static Random Widen()
    {
        var rng = t_rng ??= new Random(Environment.CurrentManagedThreadId);
        if (rng.Next(8) == 0)
        {
            Thread.Yield();
        }
        else
        {
            Thread.SpinWait(rng.Next(200));
        }

        return rng;
    }
}
