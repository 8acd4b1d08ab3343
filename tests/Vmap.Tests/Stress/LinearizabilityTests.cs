using System.Diagnostics;
using System.Runtime.Versioning;
using Vmap.Tests.Model;

namespace Vmap.Tests.Stress;

/// <summary>
/// Issue 13, Concurrency: the block path and the area path driven from several threads at once,
/// checked the way a linearizability checker would check them, for a few seconds each:
/// every successful map returns a range no live mapping overlaps (a shared interval set that a
/// mapping joins after its map returns and leaves before its unmap starts, so it never holds a
/// mapping that is not live); every unmap either succeeds exactly once or fails with the typed
/// error; and at the end the totals balance (every mapping made was unmapped once, the space is
/// whole again after a purge, and every page can be freed, so no pin is left).
/// </summary>
public class LinearizabilityTests
{
    private const int PageSize = 4096;
    internal const int Threads = 4;

    [ThreadStatic]
    internal static int t_cpu;

    public enum Queues
    {
        /// <summary>Each thread on a CPU queue of its own: the per-CPU path without interference.</summary>
        OnePerThread,

        /// <summary>Every thread on one queue: they share blocks, so the per-block lock is contended.</summary>
        Shared,

        /// <summary>Thread.GetCurrentProcessorId, as in production: threads move between queues.</summary>
        Scheduler,

        /// <summary>A vmap node per thread (issue 22 item 8): small Vmaps and Vmallocs are placed and unmapped under the node's lock.</summary>
        OnePerThreadWithNodes,

        /// <summary>Vmap nodes, picked by Thread.GetCurrentProcessorId: a thread unmaps areas of another CPU's node.</summary>
        SchedulerWithNodes,
    }

    [Theory]
    [InlineData(Queues.OnePerThread)]
    [InlineData(Queues.Shared)]
    [InlineData(Queues.Scheduler)]
    [InlineData(Queues.OnePerThreadWithNodes)]
    [InlineData(Queues.SchedulerWithNodes)]
    public void Maps_never_overlap_unmaps_succeed_once_and_totals_balance(Queues queues)
    {
        var geometry = new VmapGeometry(0x40000000, 1024 * PageSize, PageSize, BlockPages: 32, MaxBlockAlloc: 8, Cpus: Threads, LazyMaxPages: 128, GuardMode.VmallocOnly);
        var options = queues switch
        {
            Queues.OnePerThread => new VmapOptions { CurrentCpu = () => t_cpu },
            Queues.Shared => new VmapOptions { SingleCpuQueue = true },
            Queues.OnePerThreadWithNodes => new VmapOptions { CurrentCpu = () => t_cpu, VmapNodes = Threads },
            Queues.SchedulerWithNodes => new VmapOptions { VmapNodes = Threads },
            _ => VmapOptions.Default,
        };
        using var space = VmapSpace.CreateSimulated(geometry, options);
        var run = new StressRun(space, geometry, TimeSpan.FromSeconds(1.5), touch: false);
        run.Go();
        run.CheckBalanced();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Two_threads_unmapping_the_same_mappings_succeed_exactly_once_each(bool nodes)
    {
        var geometry = new VmapGeometry(0x40000000, 4096 * PageSize, PageSize, BlockPages: 32, MaxBlockAlloc: 8, Cpus: 2, LazyMaxPages: 4096, GuardMode.VmallocOnly);
        using var space = VmapSpace.CreateSimulated(geometry, new VmapOptions { CurrentCpu = () => t_cpu, VmapNodes = nodes ? 2 : 0 });
        var pages = TestSpaces.Pages(space, 16);
        var mappings = new (nint Address, int Pages, string Family)[8];
        var wins = new int[mappings.Length];
        var refusals = new List<string>[2] { new(), new() };
        int rounds = 0;
        using var barrier = new Barrier(2);
        var sw = Stopwatch.StartNew();
        bool stop = false;
        Exception? failure = null;

        void Racer(int me)
        {
            t_cpu = me;
            try
            {
                while (true)
                {
                    if (me == 0)
                    {
                        // No map runs while the two race: an address unmapped in this round cannot be
                        // handed to a new mapping before the other racer's attempt, so each attempt
                        // after the first success is a true double unmap.
                        stop = sw.Elapsed > TimeSpan.FromSeconds(1.5);
                        if (!stop)
                        {
                            space.UnmapAliases();
                            for (int i = 0; i < mappings.Length; i++)
                            {
                                // With nodes the Vmap and the Vmalloc are small enough for a node to serve.
                                int n = i < 5 ? 1 + i : nodes && i >= 6 ? i - 4 : 9 + i;
                                string family = i == 7 ? Families.Vmalloc : i == 6 ? Families.Vmap : Families.Ram;
                                nint a = family switch
                                {
                                    Families.Ram => space.MapRam(pages.AsSpan(0, n)),
                                    Families.Vmap => space.Vmap(pages.AsSpan(0, n)),
                                    _ => space.Vmalloc((nuint)(n * PageSize)),
                                };
                                mappings[i] = (a, n, family);
                                wins[i] = 0;
                            }
                        }
                    }

                    barrier.SignalAndWait();
                    if (Volatile.Read(ref stop) || Volatile.Read(ref failure) is not null)
                    {
                        return;
                    }

                    // The two walk the mappings in opposite orders, so every pair of calls meets somewhere.
                    for (int k = 0; k < mappings.Length; k++)
                    {
                        int i = me == 0 ? k : mappings.Length - 1 - k;
                        var (a, n, family) = mappings[i];
                        try
                        {
                            Families.Release(space, family, a, n);
                            Interlocked.Increment(ref wins[i]);
                        }
                        catch (VmapMisuseException e)
                        {
                            refusals[me].Add(e.Rule);
                        }
                    }

                    barrier.SignalAndWait();
                    if (Volatile.Read(ref failure) is not null)
                    {
                        return;
                    }

                    if (me == 0)
                    {
                        rounds++;
                        for (int i = 0; i < wins.Length; i++)
                        {
                            Assert.True(wins[i] == 1, $"round {rounds}: mapping {i} ({mappings[i].Family}, {mappings[i].Pages} pages) was unmapped {wins[i]} times");
                        }

                        var stats = space.Stats;
                        Assert.Equal((0, 0L), (stats.LiveMappings, stats.MappedPages));
                    }
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
                Volatile.Write(ref stop, true);
                barrier.RemoveParticipant();
            }
        }

        var threads = new[] { new Thread(() => Racer(0)), new Thread(() => Racer(1)) };
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        Assert.Null(failure);
        Assert.True(rounds > 100, $"only {rounds} rounds");

        // Each losing attempt is a double unmap (or, once the block went, an unknown start): typed, never anything else.
        var rules = refusals[0].Concat(refusals[1]).ToList();
        Assert.Equal(rounds * mappings.Length, rules.Count);
        Assert.All(rules, r => Assert.Contains(r, new[] { RuleIds.VMAP003, RuleIds.VMAP001 }));
        space.UnmapAliases();
        Assert.Equal((4096L, 0, 0), (space.Stats.FreePages, space.Stats.Blocks, space.Stats.LiveAreas));
        foreach (var p in pages)
        {
            space.Pool.Free(p);
        }
    }

    /// <summary>One run: <see cref="Threads"/> workers, each on its own pages, until the deadline.</summary>
    internal sealed class StressRun
    {
        private readonly VmapSpace _space;
        private readonly VmapGeometry _geometry;
        private readonly TimeSpan _duration;
        private readonly bool _touch;
        private readonly LiveRanges _live;
        private readonly List<Page[]> _pages = new();
        private long _maps;
        private long _unmaps;
        private long _exhausted;
        private long _refused;
        private Exception? _failure;

        public StressRun(VmapSpace space, VmapGeometry geometry, TimeSpan duration, bool touch)
        {
            _space = space;
            _live = new LiveRanges(space);
            _geometry = geometry;
            _duration = duration;
            _touch = touch;
        }

        public void Go()
        {
            var sw = Stopwatch.StartNew();
            var threads = Enumerable.Range(0, Threads).Select(i => new Thread(() =>
            {
                try
                {
                    Worker(i, sw);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _failure, e, null);
                }
            })).ToList();
            foreach (var t in threads)
            {
                t.Start();
            }

            foreach (var t in threads)
            {
                t.Join();
            }

            Assert.Null(_failure);
        }

        public void CheckBalanced()
        {
            Assert.Equal(_maps, _unmaps);
            Assert.Equal(0, _live.Count);
            Assert.True(_maps > 1000, $"only {_maps} maps");
            Assert.True(_refused > 0, "no misuse probe ran");
            var stats = _space.Stats;
            Assert.Equal((0, 0L), (stats.LiveMappings, stats.MappedPages));
            _space.UnmapAliases();
            _space.Validate();
            stats = _space.Stats;
            Assert.Equal((_geometry.TotalPages, 0, 0, 0L, 0L), (stats.FreePages, stats.LiveAreas, stats.Blocks, stats.LazilyFreedPages, stats.GuardPages));

            // Every page unpinned: each one frees.
            foreach (var page in _pages.SelectMany(p => p))
            {
                _space.Pool.Free(page);
            }

            Assert.Equal(0, _space.Pool.AllocatedCount);
        }

        private void Worker(int cpu, Stopwatch sw)
        {
            t_cpu = cpu;
            var rng = new Random(cpu * 7919);
            var pages = TestSpaces.Pages(_space, 40);
            lock (_pages)
            {
                _pages.Add(pages);
            }

            var mine = new List<(nint Address, int Pages, string Family)>();
            while (sw.Elapsed < _duration)
            {
                for (int step = 0; step < 64; step++)
                {
                    int op = rng.Next(20);
                    if (op < 10 || mine.Count == 0)
                    {
                        Map(rng, pages, mine, cpu);
                    }
                    else if (op < 18)
                    {
                        int at = rng.Next(mine.Count);
                        var m = mine[at];
                        mine.RemoveAt(at);
                        Release(m, cpu);
                    }
                    else
                    {
                        Probe(rng, mine);
                    }
                }
            }

            foreach (var m in mine)
            {
                Release(m, cpu);
            }
        }

        private void Map(Random rng, Page[] pages, List<(nint, int, string)> mine, int cpu)
        {
            int kind = rng.Next(16);
            string family = kind == 0 ? Families.Vmalloc : kind == 1 ? Families.Vmap : Families.Ram;
            int count = kind < 3 ? 1 + rng.Next(20) : 1 + rng.Next(_geometry.MaxBlockAlloc);
            nint a;
            bool ok;
            try
            {
                ok = family switch
                {
                    Families.Ram => _space.TryMapRam(pages.AsSpan(0, count), out a),
                    Families.Vmap => (a = _space.Vmap(pages.AsSpan(0, count))) != 0,
                    _ => (a = _space.Vmalloc((nuint)(count * PageSize))) != 0,
                };
            }
            catch (VmapExhaustedException)
            {
                (ok, a) = (false, 0);
            }

            if (!ok)
            {
                Interlocked.Increment(ref _exhausted);
                return;
            }

            _live.Join(a, count, family);

            if (_touch)
            {
                // The mapping shows this thread's pages (page i of a MapRam or Vmap is the thread's page i;
                // a Vmalloc has pages of its own): write a signature through it, read it back at the end.
                var span = _space.GetSpan(a, count * PageSize);
                for (int i = 0; i < count; i++)
                {
                    BitConverter.TryWriteBytes(span.Slice(i * PageSize, 8), Signature(cpu, family, a, i));
                }
            }

            Interlocked.Increment(ref _maps);
            mine.Add((a, count, family));
        }

        private static long Signature(int cpu, string family, nint start, int page) =>
            ((long)(cpu + 1) << 56) | (family == Families.Vmalloc ? (long)start + page : page);

        // Out of the shared set first: once unmapped, the range may be handed to another thread.
        private void Release((nint Address, int Pages, string Family) m, int cpu)
        {
            if (_touch)
            {
                var span = _space.GetSpan(m.Address, m.Pages * PageSize);
                for (int i = 0; i < m.Pages; i++)
                {
                    long seen = BitConverter.ToInt64(span.Slice(i * PageSize, 8));
                    Assert.True(seen == Signature(cpu, m.Family, m.Address, i), $"page {i} of 0x{(long)m.Address:x} reads 0x{seen:x}: another mapping's data");
                }
            }

            _live.Leave(m.Address);

            Families.Release(_space, m.Family, m.Address, m.Pages);
            Interlocked.Increment(ref _unmaps);
        }

        /// <summary>A wrong count or the wrong family on a live mapping of ours: refused, typed, and the mapping stays.</summary>
        private void Probe(Random rng, List<(nint Address, int Pages, string Family)> mine)
        {
            var m = mine[rng.Next(mine.Count)];
            VmapMisuseException e;
            if (m.Family == Families.Ram)
            {
                e = Assert.Throws<VmapMisuseException>(() => _space.UnmapRam(m.Address, m.Pages + 1));
                Assert.Equal(RuleIds.VMAP005, e.Rule);
            }
            else
            {
                e = Assert.Throws<VmapMisuseException>(() => _space.UnmapRam(m.Address, m.Pages));
                Assert.Equal(RuleIds.VMAP006, e.Rule);
            }

            Assert.True(_space.TryGetLiveMapping(m.Address, out var start, out int count) && start == m.Address && count == m.Pages);
            Interlocked.Increment(ref _refused);
        }
    }
}

/// <summary>
/// The stress run on real memory. Not in the native collection: the native tests that count the
/// process's mappings run after every parallel test, so the heap this run grew and gives back
/// cannot move their counts.
/// </summary>
public class NativeLinearizabilityTests
{
    private const int PageSize = 4096;
    private const int Threads = LinearizabilityTests.Threads;

    [LinuxFact]
    [SupportedOSPlatform("linux")]
    public void On_real_memory_maps_never_overlap_show_their_own_pages_and_totals_balance()
    {
        // Two blocks per thread's worth of room, so blocks come and go and the retry path runs too.
        var geometry = VmapGeometry.Default64 with { Size = 16L * 1024 * PageSize, MaxBlockAlloc = 16, Cpus = Threads };
        using var space = VmapSpace.CreateNative(geometry, new VmapOptions { CurrentCpu = () => LinearizabilityTests.t_cpu });
        var run = new LinearizabilityTests.StressRun(space, geometry, TimeSpan.FromSeconds(1.5), touch: true);
        run.Go();
        run.CheckBalanced();

        // The run grew the GC heap; let the GC give its regions back now, not while the next native
        // test counts the process's mappings.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }
}
