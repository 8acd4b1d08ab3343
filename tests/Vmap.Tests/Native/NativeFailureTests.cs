using System.Runtime.Versioning;
using static Vmap.Tests.Native.NativeSpace;

namespace Vmap.Tests.Native;

/// <summary>Issue 13 on real memory: failure paths that leave the space, the pool and the process as they were.</summary>
[Collection(NativeCollection.Name)]
[SupportedOSPlatform("linux")]
public class NativeFailureTests
{
    /// <summary>64 pages (a pool of 64), 16-page blocks: small enough to run the pool dry.</summary>
    private static readonly VmapGeometry Tiny = Geometry with { Size = 64L * PageSize, BlockPages = 16, MaxBlockAlloc = 4 };

    [LinuxFact]
    public void A_native_pool_that_runs_dry_mid_Vmalloc_changes_nothing()
    {
        using var space = VmapSpace.CreateNative(Tiny, Options);
        var held = Allocate(space, 40);
        var vmas = Vmas(space);
        var before = TestSpaces.State(space);

        var e = Assert.Throws<VmapExhaustedException>(() => space.Vmalloc(32 * PageSize));

        Assert.Equal("The page pool ran dry: The page pool is full: it holds at most 64 pages of 4096 bytes.", e.Reason);
        Assert.Equal(before.Stats with { FailedMaps = 1 }, space.Stats);
        Assert.Equal((before.Areas, before.Pool), (TestSpaces.State(space).Areas, TestSpaces.State(space).Pool));
        Assert.Equal(vmas, Vmas(space));

        // Everything back: 64 of 64 pages free, and the whole pool allocatable.
        foreach (var page in held)
        {
            space.Pool.Free(page);
        }

        nint v = space.Vmalloc(63 * PageSize);
        space.GetSpan(v, 63 * PageSize).Fill(0x5a);
        space.Vfree(v);
        space.UnmapAliases();
        Assert.Equal((0, 64L), (space.Pool.AllocatedCount, space.Stats.FreePages));
    }

    [LinuxFact]
    public void A_mapped_page_cannot_be_freed_so_the_mapping_keeps_its_data()
    {
        using var space = VmapSpace.CreateNative(Tiny, Options);
        var page = space.Pool.Allocate();
        nint a = space.MapRam([page]);
        space.GetSpan(a, PageSize).Fill(0x33);

        Assert.Throws<InvalidOperationException>(() => space.Pool.Free(page));

        // Had the free gone through, the next allocation would get the number, zeroed, and the mapping would show it.
        var next = space.Pool.Allocate();
        Assert.NotEqual(page.Index, next.Index);
        Assert.Equal(0x33, space.GetSpan(a, PageSize)[PageSize - 1]);
        space.UnmapRam(a, 1);
        space.Pool.Free(page);
        var stale = Assert.Throws<ArgumentException>(() => space.MapRam([page]));
        Assert.StartsWith($"{page} was freed", stale.Message, StringComparison.Ordinal);
    }

    [LinuxFact]
    public void Disposing_the_pool_of_a_native_space_disposes_the_space_and_its_reservation()
    {
        var space = VmapSpace.CreateNative(Tiny, Options);
        var page = space.Pool.Allocate();
        nint a = space.MapRam([page]);
        space.Pool.Dispose();

        Assert.Throws<ObjectDisposedException>(() => space.GetSpan(a, 1));
        Assert.Throws<ObjectDisposedException>(() => space.MapRam([page]));
        Assert.Throws<ObjectDisposedException>(() => space.UnmapRam(a, 1));
        Assert.Throws<ObjectDisposedException>(() => space.Stats);
        Assert.Throws<ObjectDisposedException>(() => space.Pool.Allocate());
        Assert.DoesNotContain(ProcMaps.Read(), m => m.Path == $"/memfd:vmap-pool-{page.PoolId} (deleted)");
        space.Dispose();
    }

    [LinuxFact]
    public void With_provenance_a_disposed_native_space_stays_reserved_PROT_NONE_until_the_process_asks_for_it()
    {
        var space = Create(Options with { TrackProvenance = true });
        var page = space.Pool.Allocate();
        nint a = space.MapRam([page]);
        space.GetSpan(a, PageSize).Fill(0x44);
        nint start = space.Start;
        long size = space.End - space.Start;
        string memfd = MemfdPath(space);

        space.Dispose();

        // One inaccessible mapping over the whole range: a stale write through a faults.
        var kept = Assert.Single(ProcMaps.Within(start, size));
        Assert.Equal((start, start + size, "---p"), ((nint)kept.Start, (nint)kept.End, kept.Perms));
        Assert.DoesNotContain(ProcMaps.Read(), m => m.Path == memfd);

        // The next space cannot land on it.
        using (var next = Create(Options with { TrackProvenance = true }))
        {
            Assert.True(next.End <= start || next.Start >= start + size, "a new space got the retained range");
        }

        Assert.True(VmapSpace.ReleaseRetainedAddressSpace() >= 2 * size);
        Assert.DoesNotContain(ProcMaps.Read(), m => m.Start == start && m.End == start + size);
        Assert.Equal(0, VmapSpace.ReleaseRetainedAddressSpace());
    }

    [LinuxFact]
    public void Without_provenance_a_disposed_native_space_gives_its_range_back_at_once()
    {
        var space = Create();
        nint start = space.Start;
        long size = space.End - space.Start;
        space.MapRam([space.Pool.Allocate()]);

        space.Dispose();

        Assert.Empty(ProcMaps.Within(start, size));
    }
}
