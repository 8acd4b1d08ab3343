using static Vmap.Tests.TestSpaces;

namespace Vmap.Tests.Hostile;

/// <summary>Issue 13, break 7: the smaller holes a hostile caller found around the core checks.</summary>
public class SmallBreaksTests
{
    [Fact]
    public void A_refused_MapRam_leaves_no_new_empty_block()
    {
        var backend = new RecordingBackend();
        using var space = new VmapSpace(backend, Small, VmapOptions.Default with { CurrentCpu = () => 0 });
        var pages = Pages(space, 2);
        var before = State(space);

        // Both the first attempt and the retry after the purge are refused.
        backend.RefuseNextMaps = 2;
        var e = Assert.Throws<VmapExhaustedException>(() => space.MapRam(pages.AsSpan(0, 1)));

        Assert.Equal("map count limit 3 reached", e.Reason);
        Assert.Equal(before.Areas, State(space).Areas);
        Assert.Equal(before.Stats with { RetriedMaps = 1, FailedMaps = 1, Purges = 1 }, space.Stats);
        Assert.Equal(0, space.Stats.Blocks);
        space.Validate();

        // And the space still works: the next map gets the block it would have got.
        Assert.Equal(Page(0), space.MapRam(pages.AsSpan(1, 1)));
        Assert.Equal(1, space.Stats.Blocks);
    }

    [Fact]
    public void A_refused_MapRam_into_an_existing_block_keeps_the_block()
    {
        var backend = new RecordingBackend();
        using var space = new VmapSpace(backend, Small, VmapOptions.Default with { CurrentCpu = () => 0 });
        var pages = Pages(space, 2);
        space.MapRam(pages.AsSpan(0, 1));
        var before = State(space);

        backend.RefuseNextMaps = 2;
        Assert.Throws<VmapExhaustedException>(() => space.MapRam(pages.AsSpan(1, 1)));

        Assert.Equal(before.Areas, State(space).Areas);
        Assert.Equal(Page(1), space.MapRam(pages.AsSpan(1, 1)));
    }

    [Fact]
    public void A_refused_map_keeps_the_double_unmap_record_of_the_range_it_tried()
    {
        var backend = new RecordingBackend();
        using var space = new VmapSpace(backend, Small, VmapOptions.Default with { CurrentCpu = () => 0 });
        var pages = Pages(space, 5);
        nint v = space.Vmap(pages);
        space.Vunmap(v);
        space.UnmapAliases();

        // The refused Vmap tried v's range; v's record must survive it, so a second Vunmap(v) is still VMAP003.
        backend.RefuseNextMaps = 2;
        Assert.Throws<VmapExhaustedException>(() => space.Vmap(pages));
        var again = Assert.Throws<VmapMisuseException>(() => space.Vunmap(v));
        Assert.Equal(RuleIds.VMAP003, again.Rule);
    }

    [Theory]
    [InlineData(0x7FFF_FFFF_FFFF_0000L, 0x20000L)]
    [InlineData(0x4000_0000_0000_0000L, 0x4000_0000_0000_0000L)]
    public void A_geometry_past_2_to_the_63_is_refused(long start, long size)
    {
        var e = Assert.Throws<ArgumentException>(() => VmapSpace.CreateSimulated(Small with { Start = start, Size = size }));
        Assert.Equal("Invalid geometry: Start + Size must not pass nint.MaxValue (0x7fffffffffffffff), the last address a pointer can hold. (Parameter 'geometry')", e.Message);
    }

    [Fact]
    public void A_geometry_ending_just_below_2_to_the_63_works()
    {
        long start = long.MaxValue - (64L * PageSize) + 1 - PageSize;
        start -= start % (16L * PageSize);
        using var space = VmapSpace.CreateSimulated(Small with { Start = start, Size = 64L * PageSize });
        var pages = Pages(space, 5);
        nint a = space.MapRam(pages);
        nint b = space.MapRam(pages.AsSpan(0, 1));
        space.UnmapRam(a, 5);
        space.UnmapRam(b, 1);
        Assert.Equal(0, space.Stats.LiveMappings);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(8193)]
    public void Absurd_cpu_counts_are_an_argument_error(int cpus)
    {
        var e = Assert.Throws<ArgumentException>(() => VmapSpace.CreateSimulated(Small with { Cpus = cpus }));
        Assert.Equal("Invalid geometry: Cpus must be between 1 and 8192 (the kernel's largest NR_CPUS). (Parameter 'geometry')", e.Message);
    }

    [Fact]
    public void GetSpan_after_Dispose_is_ObjectDisposedException_on_the_simulated_space()
    {
        var space = Create();
        nint address = space.MapRam(Pages(space, 1));
        space.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => space.GetSpan(address, 1));
        Assert.Equal(typeof(VmapSpace).FullName, e.ObjectName);
    }
}
