using System.Runtime.CompilerServices;
using Vmap.Tests.Model;
using static Vmap.Tests.TestSpaces;

namespace Vmap.Tests.Hostile;

/// <summary>
/// Issue 13, Concurrency: an area mapping (Vmap, Vmalloc, MapRam above VMAP_MAX_ALLOC) calls the
/// backend and the pool outside the area lock. While it is there, other threads run, see the
/// area as no mapping at all (but cannot get its range), and every way the step can fail leaves
/// the space as it was. Each test makes its calls from another thread while the first one is in
/// the backend or the pool: had that thread kept the area lock, they would wait for it.
/// </summary>
public class AreaInFlightTests
{
    private static readonly VmapOptions Cpu0 = VmapOptions.Default with { CurrentCpu = () => 0 };

    /// <summary>Page 4: the first free page after the live 3-page Vmap (and its guard) that every test starts with.</summary>
    private static readonly nint At = Page(4);

    public enum Fault
    {
        RefusedOnce,
        RefusedTwice,
        MapThrows,
        PoolRunsDry,
        UnmapThrows,
    }

    /// <summary>
    /// Every family and fault, with the lock dropped around the backend and the pool (a backend with
    /// syscalls) and kept for the whole call (a backend that costs nothing, as the simulated one).
    /// </summary>
    public static TheoryData<string, Fault, bool> Faults()
    {
        var data = new TheoryData<string, Fault, bool>();
        foreach (var family in new[] { Families.Ram, Families.Vmap, Families.Vmalloc })
        {
            foreach (var fault in Enum.GetValues<Fault>())
            {
                if (fault != Fault.PoolRunsDry || family == Families.Vmalloc)
                {
                    data.Add(family, fault, false);
                    data.Add(family, fault, true);
                }
            }
        }

        return data;
    }

    [Theory]
    [InlineData(Families.Ram)]
    [InlineData(Families.Vmap)]
    [InlineData(Families.Vmalloc)]
    public void A_map_in_the_backend_is_no_mapping_yet_but_holds_its_range(string family)
    {
        using var space = SpaceWithAVmap(out var backend, out var pages);
        var before = space.Stats;
        (Exception? Unmap, bool Found, VmapStats Stats, VmapAreaInfo Area, nint Elsewhere) seen = default;
        backend.DuringMap = () => seen = OtherThread.Run(
            () =>
            {
                var unmap = Record.Exception(() => Unmap(space, family, At));
                bool found = space.TryGetLiveMapping(At, out _, out _);
                space.UnmapAliases();
                var stats = space.Stats;
                var area = space.SnapshotAreas().Single(a => a.Start == At);
                nint elsewhere = space.Vmap(pages.AsSpan(0, 1));
                space.Vunmap(elsewhere);
                return (unmap, found, stats, area, elsewhere);
            },
            "calls on the space during a map");

        nint address = Map(space, family, pages);

        Assert.Equal(At, address);
        var misuse = Assert.IsType<VmapMisuseException>(seen.Unmap);
        Assert.Equal($"VMAP001: {Call(family)}: 0x104000 is not the start of a live mapping (reassigned, offset or foreign pointer). Nearest live mapping: 0x100000, 3 pages (12288 bytes, vmap).", misuse.Message);
        Assert.False(seen.Found);
        Assert.Equal(before with { LiveAreas = 2, GuardPages = before.GuardPages + Guard(family), FreePages = before.FreePages - Count(family) - Guard(family), LargestFreeRun = before.LargestFreeRun - Count(family) - Guard(family), Purges = 1 }, seen.Stats);
        Assert.Equal(new VmapAreaInfo(At, Count(family), Kind(family)) { LivePages = 0 }, seen.Area);
        Assert.Equal(Page(4 + Count(family) + Guard(family)), seen.Elsewhere);

        // Once the map returns it is an ordinary live mapping.
        Assert.True(space.TryGetLiveMapping(address, out nint start, out int count));
        Assert.Equal((At, Count(family)), (start, count));
        Assert.Equal(new VmapAreaInfo(At, Count(family), Kind(family)) { LivePages = Count(family) }, space.SnapshotAreas().Single(a => a.Start == At));
        Unmap(space, family, address);
        space.Validate();
    }

    [Theory]
    [InlineData(Families.Ram)]
    [InlineData(Families.Vmap)]
    [InlineData(Families.Vmalloc)]
    public void A_map_the_backend_refuses_leaves_its_address_as_unknown_as_it_was_in_flight(string family)
    {
        using var space = SpaceWithAVmap(out var backend, out var pages);
        Exception? inFlight = null;
        backend.DuringMap = () => inFlight = OtherThread.Run(() => Record.Exception(() => Unmap(space, family, At)), "an unmap during a map");
        backend.RefuseNextMaps = 2;

        Assert.Throws<VmapExhaustedException>(() => Map(space, family, pages));

        var after = Assert.Throws<VmapMisuseException>(() => Unmap(space, family, At));
        Assert.Equal(after.Message, Assert.IsType<VmapMisuseException>(inFlight).Message);
        Assert.Equal(RuleIds.VMAP001, after.Rule);
    }

    [Theory]
    [InlineData(Families.Ram)]
    [InlineData(Families.Vmap)]
    [InlineData(Families.Vmalloc)]
    public void An_unmap_in_the_backend_is_out_of_the_live_set_so_a_second_unmap_is_a_double_unmap(string family)
    {
        using var space = SpaceWithAVmap(out var backend, out var pages);
        nint other = Page(0);
        nint address = Map(space, family, pages);
        (Exception? Unmap, bool Found, VmapStats Stats, nint Elsewhere) seen = default;
        backend.DuringUnmap = () => seen = OtherThread.Run(
            () =>
            {
                var unmap = Record.Exception(() => Unmap(space, family, address));
                bool found = space.TryGetLiveMapping(address, out _, out _);
                space.UnmapAliases();
                var stats = space.Stats;
                nint elsewhere = space.Vmap(pages.AsSpan(0, 1));
                space.Vunmap(elsewhere);
                return (unmap, found, stats, elsewhere);
            },
            "calls on the space during an unmap");

        Unmap(space, family, address);

        var misuse = Assert.IsType<VmapMisuseException>(seen.Unmap);
        Assert.Equal($"VMAP003: {Call(family)}: 0x104000 was already unmapped (a {family} mapping of {Count(family)} pages). Nearest live mapping: 0x100000, 3 pages (12288 bytes, vmap).", misuse.Message);
        Assert.False(seen.Found);
        var stats = seen.Stats!;
        Assert.Equal((1, 3L, 2), (stats.LiveMappings, stats.MappedPages, stats.LiveAreas));
        Assert.Equal(Page(4 + Count(family) + Guard(family)), seen.Elsewhere);

        // The backend unmapped the mapping once: the second unmap never reached it.
        Assert.Single(backend.Calls, c => c == $"unmap 0x{(long)address:x} {Count(family)}");
        space.Vunmap(other);
        space.UnmapAliases();
        space.Validate();
        Assert.Equal((64L, 0, 6), (space.Stats.FreePages, space.Stats.LiveAreas, space.Pool.AllocatedCount));
    }

    [Theory]
    [InlineData(Families.Ram)]
    [InlineData(Families.Vmap)]
    [InlineData(Families.Vmalloc)]
    public void An_unmap_the_backend_throws_on_puts_the_mapping_back_live_and_forgets_its_record(string family)
    {
        using var space = SpaceWithAVmap(out var backend, out var pages, Cpu0 with { TrackProvenance = true });
        nint address = Map(space, family, pages);
        var before = State(space);
        Exception? second = null;
        backend.DuringUnmap = () => second = OtherThread.Run(() => Record.Exception(() => Unmap(space, family, address)), "a second unmap");
        backend.ThrowOnUnmap = new InsufficientMemoryException("split refused");

        var e = Assert.Throws<InsufficientMemoryException>(() => FailingUnmap(space, family, address));

        Assert.Equal("split refused", e.Message);

        // While the first unmap was in the backend, a second one was refused as a double unmap, naming the first.
        var refused = Assert.IsType<VmapMisuseException>(second);
        Assert.Equal(RuleIds.VMAP003, refused.Rule);
        Assert.Contains(nameof(FailingUnmap), refused.Message);

        // The mapping is live again, exactly as before, and its first unmap is forgotten.
        Assert.Equal(before, State(space));
        space.Validate();
        Assert.True(space.TryGetLiveMapping(address, out _, out int count));
        Assert.Equal(Count(family), count);
        Unmap(space, family, address);
        var third = Assert.Throws<VmapMisuseException>(() => Unmap(space, family, address));
        Assert.Equal(RuleIds.VMAP003, third.Rule);
        Assert.Contains($"It was first unmapped at:{Environment.NewLine}", third.Message);
        Assert.DoesNotContain(nameof(FailingUnmap), third.Message);
    }

    [Fact]
    public void Vmalloc_takes_and_frees_its_pages_outside_the_area_lock()
    {
        var pool = new LimitedPagePool(64);
        using var space = new VmapSpace(new RecordingBackend(pool), Small, Cpu0);
        (int LiveMappings, bool Found) duringGrow = default;
        pool.DuringGrow = () => duringGrow = OtherThread.Run(() => (space.Stats.LiveMappings, space.TryGetLiveMapping(Page(0), out _, out _)), "calls on the space while the pool grows");

        nint v = space.Vmalloc(3 * PageSize);

        Assert.Equal((0, false), duringGrow);
        (Exception? Vfree, int LiveMappings) duringFree = default;
        pool.DuringFree = () => duringFree = OtherThread.Run(() => (Record.Exception(() => space.Vfree(v)), space.Stats.LiveMappings), "calls on the space while the pool frees");

        space.Vfree(v);

        Assert.Equal(RuleIds.VMAP003, Assert.IsType<VmapMisuseException>(duringFree.Vfree).Rule);
        Assert.Equal(0, duringFree.LiveMappings);
        Assert.Equal(0, pool.AllocatedCount);
        space.UnmapAliases();
        Assert.Equal(64L, space.Stats.FreePages);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Dispose_waits_for_a_map_or_unmap_in_the_backend(bool unmap)
    {
        var backend = new RecordingBackend();
        var space = new VmapSpace(backend, Small, Cpu0);
        var pages = Pages(space, 3);
        nint mapped = unmap ? space.Vmap(pages) : 0;
        Thread? disposer = null;
        bool disposedMeanwhile = true;
        void During()
        {
            disposer = new Thread(space.Dispose);
            disposer.Start();

            // Dispose must not release the backend under a call that is still in it.
            disposedMeanwhile = disposer.Join(200) || backend.Disposed;
        }

        if (unmap)
        {
            backend.DuringUnmap = During;
            space.Vunmap(mapped);
        }
        else
        {
            backend.DuringMap = During;
            Assert.Equal(Page(0), space.Vmap(pages));
        }

        disposer!.Join();
        Assert.False(disposedMeanwhile);
        Assert.True(backend.Disposed);
        Assert.Throws<ObjectDisposedException>(() => space.Vmap(pages));
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public void Every_fault_of_an_area_map_or_unmap_leaves_the_space_as_it_was(string family, Fault fault, bool wholeCallUnderLock)
    {
        var pool = new LimitedPagePool(64);
        var backend = new RecordingBackend(pool) { CostsNothingOverride = wholeCallUnderLock };
        using var space = new VmapSpace(backend, Small, Cpu0);
        var pages = Pages(space, 6);

        // Something live of each kind around: an area below, a block mapping above.
        space.Vmap(pages.AsSpan(0, 3));
        nint small = space.MapRam(pages.AsSpan(0, 1));
        Assert.Equal(Page(16), small);
        nint address = 0;
        if (fault == Fault.UnmapThrows)
        {
            address = Map(space, family, pages);
        }

        var before = State(space);
        switch (fault)
        {
            case Fault.RefusedOnce:
                // Refused, purged, retried: served at the address it would have got at once.
                backend.RefuseNextMaps = 1;
                Assert.Equal(At, Map(space, family, pages));
                var stats = space.Stats;
                Assert.Equal((1, 1L, 0L, 3, 4L + Count(family)), (stats.RetriedMaps, stats.Purges, stats.FailedMaps, stats.LiveMappings, stats.MappedPages));
                Unmap(space, family, At);
                Assert.Equal((2, 4L), (space.Stats.LiveMappings, space.Stats.MappedPages));
                space.Validate();
                return;
            case Fault.RefusedTwice:
                backend.RefuseNextMaps = 2;
                Assert.Equal("map count limit 3 reached", Assert.Throws<VmapExhaustedException>(() => Map(space, family, pages)).Reason);
                Assert.Equal(before with { Stats = before.Stats with { RetriedMaps = 1, FailedMaps = 1, Purges = 1 } }, State(space));
                break;
            case Fault.MapThrows:
                backend.ThrowOnMap = new IOException("mmap failed: errno 9 (EBADF)");
                Assert.Equal("mmap failed: errno 9 (EBADF)", Assert.Throws<IOException>(() => Map(space, family, pages)).Message);
                Assert.Equal(before, State(space));
                break;
            case Fault.PoolRunsDry:
                pool.Limit = (int)pool.Capacity;
                Assert.Equal($"The page pool ran dry: The test pool holds at most {pool.Capacity} pages.", Assert.Throws<VmapExhaustedException>(() => Map(space, family, pages)).Reason);
                Assert.Equal(before with { Stats = before.Stats with { FailedMaps = 1 } }, State(space));
                pool.Limit = 64;
                break;
            case Fault.UnmapThrows:
                backend.ThrowOnUnmap = new InsufficientMemoryException("split refused");
                Assert.Throws<InsufficientMemoryException>(() => Unmap(space, family, address));
                Assert.Equal(before, State(space));
                Unmap(space, family, address);
                break;
        }

        space.Validate();

        // And the space still works: the same call now gets the address it would have got (after an
        // unmap, the next one: the freed range waits for a purge), and unmaps again.
        nint again = Map(space, family, pages);
        Assert.Equal(fault == Fault.UnmapThrows ? Page(4 + Count(family) + Guard(family)) : At, again);
        Unmap(space, family, again);
        space.UnmapRam(small, 1);
        Assert.Equal((1, 3L), (space.Stats.LiveMappings, space.Stats.MappedPages));
        space.Validate();

        // No lock was left behind by the failed call: another thread gets the area lock too.
        var other = new Thread(space.UnmapAliases);
        other.Start();
        Assert.True(other.Join(TimeSpan.FromSeconds(30)));
    }

    /// <summary>A small space over a recording backend, with 6 pages and a live 3-page Vmap at page 0 (its guard at page 3).</summary>
    private static VmapSpace SpaceWithAVmap(out RecordingBackend backend, out Page[] pages, VmapOptions? options = null)
    {
        backend = new RecordingBackend();
        var space = new VmapSpace(backend, Small, options ?? Cpu0);
        pages = Pages(space, 6);
        space.Vmap(pages.AsSpan(0, 3));
        return space;
    }

    private static nint Map(VmapSpace space, string family, Page[] pages) => family switch
    {
        Families.Ram => space.MapRam(pages.AsSpan(0, 6)),
        Families.Vmap => space.Vmap(pages.AsSpan(0, 3)),
        _ => space.Vmalloc(3 * PageSize),
    };

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Unmap(VmapSpace space, string family, nint address) => Families.Release(space, family, address, Count(family));

    /// <summary>The unmap the backend throws on, under a name of its own so its recorded site can be told apart.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailingUnmap(VmapSpace space, string family, nint address) => Unmap(space, family, address);

    private static int Count(string family) => family == Families.Ram ? 6 : 3;

    private static int Guard(string family) => family == Families.Ram ? 0 : 1;

    private static VmapAreaKind Kind(string family) => family switch
    {
        Families.Ram => VmapAreaKind.MapRam,
        Families.Vmap => VmapAreaKind.Vmap,
        _ => VmapAreaKind.Vmalloc,
    };

    private static string Call(string family) => family switch
    {
        Families.Ram => "UnmapRam(0x104000, 6)",
        Families.Vmap => "Vunmap(0x104000)",
        _ => "Vfree(0x104000)",
    };
}
