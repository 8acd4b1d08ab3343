using CsCheck;

namespace Vmap.Tests.Model;

/// <summary>
/// Random call sequences against a reference model (a sorted set of live intervals): no overlaps,
/// everything inside the space, refused calls change nothing and carry the rule the model
/// predicts, and after unmapping everything and purging the whole space is free again.
/// </summary>
public class VmapModelTests
{
    private const int OpsPerRun = 500;
    private const int Runs = 2000;
    private const int PageSize = 4096;
    private const long Base = 0x100000;

    private static long s_operations;

    [Fact]
    public void Random_call_sequences_agree_with_the_interval_model()
    {
        long before = Interlocked.Read(ref s_operations);
        Gen.Select(Gen.Int[0, 31], Gen.UInt.Array[OpsPerRun])
            .Sample((config, ops) => new ModelRun(config).Run(ops), iter: Runs);

        // At least a million operations per test run, as the issue asks.
        Assert.True(Interlocked.Read(ref s_operations) - before >= 1_000_000, $"only {Interlocked.Read(ref s_operations) - before} operations ran");
    }

    private sealed record Mapping(long Start, int Pages, string Family, int Guard)
    {
        public long ReservedEnd => Start + Pages + Guard;
    }

    private sealed class ModelRun
    {
        private readonly VmapSpace _space;
        private readonly VmapGeometry _geometry;
        private readonly CpuSwitch _cpu = new();
        private readonly SortedDictionary<long, Mapping> _live = new();
        private readonly HashSet<long> _formerStarts = new();
        private readonly List<long> _formerList = new();
        private readonly Page[] _pages;
        private readonly bool _fallback;
        private readonly long _startPage;
        private readonly long _endPage;
        private readonly int _guardAll;

        public ModelRun(int config)
        {
            var guard = (config & 1) != 0 ? GuardMode.BetweenAllAreas : GuardMode.VmallocOnly;
            _fallback = (config & 4) != 0;
            long start = Base + ((config & 8) != 0 ? 3 * PageSize : 0);
            _geometry = new VmapGeometry(start, 61 * PageSize, PageSize, BlockPages: 8, MaxBlockAlloc: 4, Cpus: 3, LazyMaxPages: 24, guard);
            // Half the runs put small Vmaps and Vmallocs through three vmap nodes (8-page chunks).
            var options = new VmapOptions { StealFromOtherCpus = (config & 2) != 0, FallbackToPlainArea = _fallback, CurrentCpu = () => _cpu.Cpu, VmapNodes = (config & 16) != 0 ? 3 : 0 };
            _space = VmapSpace.CreateSimulated(_geometry, options);
            _pages = TestSpaces.Pages(_space, 24);
            _startPage = start / PageSize;
            _endPage = _startPage + 61;
            _guardAll = guard == GuardMode.BetweenAllAreas ? 1 : 0;
        }

        public void Run(uint[] ops)
        {
            using (_space)
            {
                for (int i = 0; i < ops.Length; i++)
                {
                    Step(ops[i]);
                    if ((i & 63) == 63)
                    {
                        _space.Validate();
                    }
                }

                Interlocked.Add(ref s_operations, ops.Length);
                foreach (var m in _live.Values.ToList())
                {
                    Release(m.Family, m.Start, m.Pages);
                }

                _space.UnmapAliases();
                _space.Validate();
                var s = _space.Stats;
                Assert.Equal((61L, 61L, 0, 0, 0L, 0L, 0L), (s.FreePages, s.LargestFreeRun, s.LiveAreas, s.Blocks, s.LazilyFreedPages, s.GuardPages, s.MappedPages));
                Assert.Equal([new VmapAreaInfo((nint)(_startPage * PageSize), 61, VmapAreaKind.Free)], _space.SnapshotAreas());
                Assert.Equal(_pages.Length, _space.Pool.AllocatedCount);
            }
        }

        private void Step(uint u)
        {
            uint arg = u >> 4;
            switch (u % 16)
            {
                case <= 4:
                    int count = arg % 16 == 0 ? 1 + (int)(arg >> 4) % 20 : 1 + (int)(arg >> 4) % 6;
                    Map(Family(0), count);
                    break;
                case <= 6:
                    ReleaseSome(Families.Ram, arg);
                    break;
                case 7:
                    Map(Families.Vmap, 1 + (int)(arg % 4));
                    break;
                case 8:
                    ReleaseSome(Families.Vmap, arg);
                    break;
                case 9:
                    Map(Families.Vmalloc, 1 + (int)(arg % (4 * PageSize)));
                    break;
                case 10:
                    ReleaseSome(Families.Vmalloc, arg);
                    break;
                case 11:
                    _space.UnmapAliases();
                    Assert.Equal(0L, _space.Stats.LazilyFreedPages);
                    break;
                case 12:
                    _cpu.Cpu = (int)(arg % 3);
                    break;
                case 13:
                    CheckLookup(arg);
                    break;
                default:
                    Misuse(arg);
                    break;
            }

            var stats = _space.Stats;
            Assert.Equal(_live.Count, stats.LiveMappings);
            Assert.Equal(_live.Values.Sum(m => (long)m.Pages), stats.MappedPages);
        }

        private static string Family(int i) => i switch
        {
            0 => Families.Ram,
            1 => Families.Vmap,
            _ => Families.Vmalloc,
        };

        private void Map(string family, int amount)
        {
            int pages = family == Families.Vmalloc ? (amount + PageSize - 1) / PageSize : amount;
            int guard = family == Families.Ram ? 0 : 1;
            nint address;
            bool ok;
            try
            {
                ok = family switch
                {
                    Families.Ram => _space.TryMapRam(_pages.AsSpan(0, pages), out address),
                    Families.Vmap => (address = _space.Vmap(_pages.AsSpan(0, pages))) != 0,
                    _ => (address = _space.Vmalloc((nuint)amount)) != 0,
                };
            }
            catch (VmapExhaustedException)
            {
                ok = false;
                address = 0;
            }

            if (!ok)
            {
                var s = _space.Stats;
                Assert.Equal(0L, s.LazilyFreedPages);
                bool blockOnly = family == Families.Ram && pages <= _geometry.MaxBlockAlloc && !_fallback;
                if (!blockOnly)
                {
                    // Failing while a run that fits is free would be a bug (the purge has run).
                    Assert.True(s.LargestFreeRun < pages + Math.Max(guard, _guardAll), $"{family} of {pages} failed with a free run of {s.LargestFreeRun}");
                }

                return;
            }

            long a = (long)address;
            Assert.Equal(0, a % PageSize);
            var m = new Mapping(a / PageSize, pages, family, guard);
            Assert.True(m.Start >= _startPage && m.Start + pages <= _endPage, $"{family} at page {m.Start} of {pages} leaves the space");
            Assert.True(m.ReservedEnd <= _endPage + _guardAll, $"{family} guard past the end");
            var below = _live.Where(kv => kv.Key < m.Start).Select(kv => kv.Value).LastOrDefault();
            var above = _live.Where(kv => kv.Key >= m.Start).Select(kv => kv.Value).FirstOrDefault();
            Assert.True(below is null || below.ReservedEnd <= m.Start, $"{family} at {m.Start} overlaps {below}");
            Assert.True(above is null || m.ReservedEnd <= above.Start, $"{family} at {m.Start} overlaps {above}");
            _live.Add(m.Start, m);
            _formerStarts.Remove(m.Start);
        }

        private void ReleaseSome(string family, uint arg)
        {
            var candidates = _live.Values.Where(m => m.Family == family).ToList();
            if (candidates.Count > 0)
            {
                var m = candidates[(int)(arg % (uint)candidates.Count)];
                Release(family, m.Start, m.Pages);
            }
        }

        private void Release(string family, long start, int pages)
        {
            Call(family, (nint)(start * PageSize), pages);
            _live.Remove(start);
            if (_formerStarts.Add(start))
            {
                _formerList.Add(start);
            }
        }

        private void Call(string family, nint address, int pages) => Families.Release(_space, family, address, pages);

        private Mapping? Containing(long page)
        {
            var m = _live.Where(kv => kv.Key <= page).Select(kv => kv.Value).LastOrDefault();
            return m is not null && page < m.Start + m.Pages ? m : null;
        }

        private void CheckLookup(uint arg)
        {
            long address = (_startPage * PageSize) - PageSize + (arg % (63L * PageSize));
            var m = address >= _startPage * PageSize && address < _endPage * PageSize ? Containing(address / PageSize) : null;
            bool found = _space.TryGetLiveMapping((nint)address, out var start, out var count);
            Assert.Equal(m is not null, found);
            if (m is not null)
            {
                Assert.Equal(((nint)(m.Start * PageSize), m.Pages), (start, count));
            }
        }

        /// <summary>A call the model expects to be refused (or, when it happens to be valid, performs it as such).</summary>
        private void Misuse(uint arg)
        {
            string family = Family((int)(arg % 3));
            arg /= 3;
            var live = _live.Values.ToList();
            long address;
            int count;
            switch (arg % 6)
            {
                case 0 when live.Count > 0:
                    var m0 = live[(int)((arg >> 3) % (uint)live.Count)];
                    (address, count) = (m0.Start * PageSize, m0.Pages + 1 + (int)((arg >> 10) % 3));
                    break;
                case 1 when live.Count > 0:
                    var m1 = live[(int)((arg >> 3) % (uint)live.Count)];
                    (address, count) = ((m1.Start + ((arg >> 10) % (uint)m1.Pages)) * PageSize, m1.Pages);
                    break;
                case 2 when _formerList.Count > 0:
                    (address, count) = (_formerList[(int)((arg >> 3) % (uint)_formerList.Count)] * PageSize, 1 + (int)((arg >> 12) % 6));
                    break;
                case 3 when live.Count > 0:
                    var m3 = live[(int)((arg >> 3) % (uint)live.Count)];
                    (address, count) = (m3.Start * PageSize, m3.Pages);
                    break;
                case 4:
                    (address, count) = ((long)(Base - (2 * PageSize) + ((arg >> 3) % (70L * PageSize))) & ~7L, 1 + (int)((arg >> 20) % 4));
                    break;
                default:
                    (address, count) = ((_startPage + ((arg >> 3) % 61)) * PageSize, -(int)((arg >> 10) % 2));
                    break;
            }

            var expected = Expect(family, address, count, out var target);
            if (expected.Length == 0)
            {
                Release(family, target!.Start, target.Pages);
                return;
            }

            var before = TestSpaces.State(_space);
            var ex = Assert.Throws<VmapMisuseException>(() => Call(family, (nint)address, count));
            Assert.Contains(ex.Rule, expected);
            Assert.StartsWith(ex.Rule + ": ", ex.Message, StringComparison.Ordinal);
            Assert.Equal(before, TestSpaces.State(_space));
        }

        /// <summary>The rules the model allows for a release call; empty when the call is valid.</summary>
        private string[] Expect(string family, long address, int count, out Mapping? target)
        {
            target = null;
            if (address < _startPage * PageSize || address >= _endPage * PageSize || address % PageSize != 0)
            {
                return [RuleIds.VMAP001];
            }

            if (family == Families.Ram && count <= 0)
            {
                return [RuleIds.VMAP005];
            }

            long page = address / PageSize;
            var m = Containing(page);
            if (m is null)
            {
                // The allocator forgets an unmapped start once any new area covers it, which the
                // model cannot see (blocks are bigger than their mappings): both answers are right.
                return _formerStarts.Contains(page) ? [RuleIds.VMAP003, RuleIds.VMAP001] : [RuleIds.VMAP001];
            }

            if (m.Start != page)
            {
                return [RuleIds.VMAP001];
            }

            if (m.Family != family)
            {
                return [RuleIds.VMAP006];
            }

            if (family == Families.Ram && count != m.Pages)
            {
                return [RuleIds.VMAP005];
            }

            target = m;
            return [];
        }
    }
}

internal static class Families
{
    public const string Ram = "vmap-ram";
    public const string Vmap = "vmap";
    public const string Vmalloc = "vmalloc";

    /// <summary>The release call of <paramref name="family"/>: UnmapRam (with <paramref name="pages"/>), Vunmap or Vfree.</summary>
    public static void Release(VmapSpace space, string family, nint address, int pages)
    {
        switch (family)
        {
            case Ram:
                space.UnmapRam(address, pages);
                break;
            case Vmap:
                space.Vunmap(address);
                break;
            default:
                space.Vfree(address);
                break;
        }
    }
}
