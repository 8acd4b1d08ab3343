namespace Vmap.Tests.Stress;

/// <summary>Several threads on one space, each on its own CPU queue, checked against a shared interval set.</summary>
public class ConcurrencyTests
{
    private const int PageSize = 4096;
    private const int Threads = 4;
    private const int OpsPerThread = 40_000;

    [ThreadStatic]
    private static int t_cpu;

    [Fact]
    public void Threads_mapping_and_unmapping_never_overlap_and_lose_nothing()
    {
        var geometry = new VmapGeometry(0x40000000, 512 * PageSize, PageSize, BlockPages: 16, MaxBlockAlloc: 4, Cpus: Threads, LazyMaxPages: 64, GuardMode.VmallocOnly);
        using var space = VmapSpace.CreateSimulated(geometry, new VmapOptions { CurrentCpu = () => t_cpu });
        var live = new SortedDictionary<long, long>();
        long maps = 0, refused = 0, exhausted = 0;
        var blockCpus = new HashSet<int>();

        void Worker(int cpu)
        {
            t_cpu = cpu;
            var rng = new Random(cpu);
            var pages = TestSpaces.Pages(space, 40);
            var mine = new List<(nint Address, int Pages, bool Vmalloc)>();
            bool servedByOwnBlock = false;
            for (int i = 0; i < OpsPerThread; i++)
            {
                int op = rng.Next(10);
                if (op < 5 || mine.Count == 0)
                {
                    bool vmalloc = op == 4;
                    int count = rng.Next(8) == 0 ? 1 + rng.Next(40) : 1 + rng.Next(4);
                    nint a;
                    bool ok;
                    try
                    {
                        ok = vmalloc ? (a = space.Vmalloc((nuint)(count * PageSize))) != 0 : space.TryMapRam(pages.AsSpan(0, count), out a);
                    }
                    catch (VmapExhaustedException)
                    {
                        (ok, a) = (false, 0);
                    }

                    if (!ok)
                    {
                        Interlocked.Increment(ref exhausted);
                        continue;
                    }

                    lock (live)
                    {
                        long s = a, e = a + (count * PageSize);
                        Assert.True(s >= geometry.Start && e <= geometry.Start + geometry.Size);
                        var below = live.LastOrDefault(kv => kv.Key < e);
                        Assert.True(below.Value <= s, $"0x{s:x} overlaps 0x{below.Key:x}");
                        live.Add(s, e);
                    }

                    Interlocked.Increment(ref maps);
                    mine.Add((a, count, vmalloc));

                    // Sampled while this thread's own mapping keeps its block alive, so the check
                    // does not depend on how the scheduler interleaved the threads.
                    if (!servedByOwnBlock && !vmalloc && count <= geometry.MaxBlockAlloc)
                    {
                        servedByOwnBlock = space.SnapshotAreas().Any(x =>
                            x.Kind == VmapAreaKind.Block && x.Cpu == cpu && a >= x.Start && a < x.Start + (x.Pages * PageSize));
                        if (servedByOwnBlock)
                        {
                            lock (blockCpus)
                            {
                                blockCpus.Add(cpu);
                            }
                        }
                    }
                }
                else if (op < 9)
                {
                    int at = rng.Next(mine.Count);
                    var (a, count, vmalloc) = mine[at];
                    mine.RemoveAt(at);
                    Release(a, count, vmalloc);
                }
                else
                {
                    var (a, count, vmalloc) = mine[rng.Next(mine.Count)];
                    var ex = Assert.Throws<VmapMisuseException>(() => space.UnmapRam(a, vmalloc ? count : count + 1));
                    Assert.Equal(vmalloc ? RuleIds.VMAP006 : RuleIds.VMAP005, ex.Rule);
                    Interlocked.Increment(ref refused);
                }
            }

            foreach (var (a, count, vmalloc) in mine)
            {
                Release(a, count, vmalloc);
            }
        }

        // Out of the shared set first: once unmapped, the range may be handed to another thread.
        void Release(nint a, int count, bool vmalloc)
        {
            lock (live)
            {
                live.Remove(a);
            }

            if (vmalloc)
            {
                space.Vfree(a);
            }
            else
            {
                space.UnmapRam(a, count);
            }
        }

        Exception? failure = null;
        var threads = Enumerable.Range(0, Threads).Select(cpu => new Thread(() =>
        {
            try
            {
                Worker(cpu);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
        })).ToList();
        foreach (var t in threads)
        {
            t.UnsafeStart();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        Assert.Null(failure);
        space.UnmapAliases();
        space.Validate();
        var stats = space.Stats;
        Assert.Equal((512L, 0, 0, 0L), (stats.FreePages, stats.LiveAreas, stats.LiveMappings, stats.LazilyFreedPages));
        Assert.True(maps > Threads * OpsPerThread / 4, $"only {maps} maps succeeded");
        Assert.True(blockCpus.Count >= 2, $"blocks seen on CPUs {string.Join(",", blockCpus)} only");
        Assert.True(refused > 0 && exhausted > 0 && stats.Purges > 0, $"refused {refused}, exhausted {exhausted}, purges {stats.Purges}");
    }
}
