using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Vmap.Native;

namespace Vmap.Benchmarks.Figures;

/// <summary>
/// Issue 13, Concurrency: single-page MapRam + UnmapRam from 1 thread and from 2 threads on one
/// space, in the same run, rounds alternating, as throughput ratios (2 threads / 1 thread). Next to
/// the native space, the same kernel work without our code: a shared mmap of one memfd page into a
/// reservation and PROT_NONE back (mmap, as our backend does it, and mprotect), each thread in its
/// own slots of one reservation of the same process, so both go through the same mmap lock.
/// Targets: simulated block path >= 1.6x; native >= the bare calls' ratio. Beside them the area
/// path (Vmap(1) + Vunmap, Vmalloc(1) + Vfree: an area of its own per map, placed and freed under
/// the area lock; its syscalls and pool work outside it).
/// Run with <c>dotnet run -c Release --project bench/Vmap.Benchmarks -- scaling [rounds] [ms]</c>.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class ThreadScaling
{
    private const int PageSize = 4096;
    private const int SlotsPerThread = 1024;

    public static void Run(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
        int ms = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
        var only = args.Length > 2 ? args[2] : null;
        Console.WriteLine($"thread scaling, {Environment.ProcessorCount} cores, {rounds} rounds of {ms} ms per thread count; {Load.Text()}");
        var subjects = new (string Name, Func<int, Action<int, Func<bool>, long[]>> Make)[]
        {
            // The machine's own ceiling: threads that share nothing at all (a hash loop in registers).
            ("control: share-nothing loop", threads => ShareNothing),
            ("simulated MapRam(1)+UnmapRam", threads => SpaceLoop(VmapSpace.CreateSimulated(VmapGeometry.Default64), 1)),
            ("simulated MapRam(16)+UnmapRam", threads => SpaceLoop(VmapSpace.CreateSimulated(VmapGeometry.Default64), 16)),
            ("native MapRam(1)+UnmapRam", threads => SpaceLoop(VmapSpace.CreateNative(), 1)),

            // The area path: an area of its own per map, placed and freed under the area lock.
            ("simulated Vmap(1)+Vunmap", threads => SpaceLoop(VmapSpace.CreateSimulated(VmapGeometry.Default64), 1, Path.Vmap)),
            ("native Vmap(1)+Vunmap", threads => SpaceLoop(VmapSpace.CreateNative(), 1, Path.Vmap)),
            ("simulated Vmalloc(1)+Vfree", threads => SpaceLoop(VmapSpace.CreateSimulated(VmapGeometry.Default64), 1, Path.Vmalloc)),
            ("native Vmalloc(1)+Vfree", threads => SpaceLoop(VmapSpace.CreateNative(), 1, Path.Vmalloc)),
            ("bare mmap + mmap(PROT_NONE)", threads => BareLoop(threads, useMprotect: false)),
            ("bare mmap + mprotect(PROT_NONE)", threads => BareLoop(threads, useMprotect: true)),
        };

        foreach (var (name, make) in subjects)
        {
            if (only is not null && !name.Contains(only, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // One warm-up of each thread count, then alternating rounds.
            Rate(make, 1, ms / 2);
            Rate(make, 2, ms / 2);
            var ratios = new List<double>();
            var cpuRatios = new List<double>();
            var ones = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                double one = Rate(make, 1, ms, out double cpuOne);
                double two = Rate(make, 2, ms, out double cpuTwo);
                ratios.Add(two / one);
                cpuRatios.Add(cpuTwo / cpuOne);
                ones.Add(one);
            }

            // The wall-clock ratio is the target; on a loaded machine it measures the scheduler as
            // much as us. Ops per CPU-millisecond, 2 threads against 1, says what contention costs
            // whatever the load: 1.00 is none (each thread does its ops as cheaply as one alone).
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-34} 1 thread median {Median(ones),8:F0} ops/ms; 2/1 wall ratio median {Median(ratios):F2} (rounds: {string.Join(" ", ratios.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))}); 2/1 ops-per-CPU-ms median {Median(cpuRatios):F2}; {Load.Text()}"));
        }
    }

    private static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);


    /// <summary>Ops per millisecond of <paramref name="threads"/> threads running the loop for <paramref name="ms"/> ms.</summary>
    private static double Rate(Func<int, Action<int, Func<bool>, long[]>> make, int threads, int ms) => Rate(make, threads, ms, out _);

    /// <summary>Also gives ops per millisecond of the process's CPU time (user + system) while the loop ran.</summary>
    private static double Rate(Func<int, Action<int, Func<bool>, long[]>> make, int threads, int ms, out double perCpuMs)
    {
        var loop = make(threads);
        var counts = new long[threads * 16];
        var start = new ManualResetEventSlim();
        bool stop = false;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.Wait();
            loop(t, () => Volatile.Read(ref stop), counts);
        })).ToList();
        workers.ForEach(w => w.Start());
        Thread.Sleep(20);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        start.Set();
        Thread.Sleep(ms);
        Volatile.Write(ref stop, true);
        workers.ForEach(w => w.Join());
        double elapsed = sw.Elapsed.TotalMilliseconds;
        double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
        (loop.Target as IDisposable)?.Dispose();
        long total = 0;
        for (int t = 0; t < threads; t++)
        {
            total += counts[t * 16];
        }

        perCpuMs = total / cpuMs;
        return total / elapsed;
    }

    private static void ShareNothing(int thread, Func<bool> stop, long[] counts)
    {
        long n = 0;
        ulong x = (ulong)thread + 1;
        while (!stop())
        {
            for (int i = 0; i < 64; i++)
            {
                for (int k = 0; k < 16; k++)
                {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                }
            }

            n += 64;
        }

        counts[thread * 16] = n + (long)(x & 1);
    }

    private enum Path
    {
        MapRam,
        Vmap,
        Vmalloc,
    }

    private static Action<int, Func<bool>, long[]> SpaceLoop(VmapSpace space, int pages, Path path = Path.MapRam) => new SpaceRun(space, pages, path).Loop;

    private sealed class SpaceRun(VmapSpace space, int pages, Path path) : IDisposable
    {
        public void Loop(int thread, Func<bool> stop, long[] counts)
        {
            var mine = Enumerable.Range(0, pages).Select(_ => space.Pool.Allocate()).ToArray();
            long n = 0;
            while (!stop())
            {
                for (int i = 0; i < 64; i++)
                {
                    switch (path)
                    {
                        case Path.MapRam:
                            space.UnmapRam(space.MapRam(mine), pages);
                            break;
                        case Path.Vmap:
                            space.Vunmap(space.Vmap(mine));
                            break;
                        default:
                            space.Vfree(space.Vmalloc((nuint)(pages * PageSize)));
                            break;
                    }
                }

                n += 64;
            }

            counts[thread * 16] = n;
        }

        public void Dispose() => space.Dispose();
    }

    private static Action<int, Func<bool>, long[]> BareLoop(int threads, bool useMprotect) => new BareRun(threads, useMprotect).Loop;

    private sealed class BareRun : IDisposable
    {
        private readonly MemfdPagePool _pool;
        private readonly nint _reservation;
        private readonly nuint _size;
        private readonly bool _mprotect;

        public BareRun(int threads, bool useMprotect)
        {
            _pool = new MemfdPagePool(PageSize, threads);
            for (int i = 0; i < threads; i++)
            {
                _pool.Allocate();
            }

            _size = (nuint)(threads * SlotsPerThread * PageSize);
            _reservation = Libc.MapNone(0, _size, fixedAddress: false);
            _mprotect = useMprotect;
        }

        public void Loop(int thread, Func<bool> stop, long[] counts)
        {
            nint window = _reservation + (thread * SlotsPerThread * PageSize);
            long offset = (long)thread * PageSize;
            long n = 0;
            int slot = 0;
            while (!stop())
            {
                for (int i = 0; i < 64; i++)
                {
                    nint at = window + (slot * PageSize);
                    bool ok = Libc.MapShared(at, PageSize, _pool.Fd, offset) != Libc.MAP_FAILED
                        && (_mprotect ? mprotect(at, PageSize, Libc.PROT_NONE) == 0 : Libc.MapNone(at, PageSize, fixedAddress: true) != Libc.MAP_FAILED);
                    if (!ok)
                    {
                        throw new InvalidOperationException("mmap failed: " + Libc.LastError(out _));
                    }

                    // Odd slots only, so the mprotect variant's PROT_NONE file pages never merge into one VMA.
                    slot = slot + 2 >= SlotsPerThread ? 0 : slot + 2;
                }

                n += 64;
            }

            counts[thread * 16] = n;
        }

        public void Dispose()
        {
            Libc.munmap(_reservation, _size);
            _pool.Dispose();
        }
    }

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static partial int mprotect(nint address, nuint length, int prot);
}
