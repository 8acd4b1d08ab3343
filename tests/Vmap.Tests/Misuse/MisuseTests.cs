using static Vmap.Tests.TestSpaces;

namespace Vmap.Tests.Misuse;

/// <summary>Every refused unmap: the exact rule, the exact message, and nothing changed.</summary>
public class MisuseTests
{
    private static VmapMisuseException Refused(VmapSpace space, Action call)
    {
        var before = State(space);
        var ex = Assert.Throws<VmapMisuseException>(call);
        Assert.Equal(before, State(space));
        Assert.StartsWith(ex.Rule + ": ", ex.Message, StringComparison.Ordinal);
        return ex;
    }

    [Fact]
    public void Unknown_address_is_VMAP001()
    {
        using var space = Create();
        var a = space.MapRam(Pages(space, 1));
        var ex = Refused(space, () => space.UnmapRam(Page(5), 1));
        Assert.Equal(RuleIds.VMAP001, ex.Rule);
        Assert.Equal("VMAP001: UnmapRam(0x105000, 1): 0x105000 is not the start of a live mapping (reassigned, offset or foreign pointer). Nearest live mapping: 0x100000, 1 page (4096 bytes, vmap-ram).", ex.Message);
        Assert.Equal((Page(5), (nint?)a, 1), (ex.Address, ex.NearestMapping, ex.NearestMappingPages));
    }

    [Fact]
    public void Address_inside_a_mapping_is_VMAP001()
    {
        using var space = Create();
        space.MapRam(Pages(space, 2));
        var ex = Refused(space, () => space.UnmapRam(Page(1), 2));
        Assert.Equal("VMAP001: UnmapRam(0x101000, 2): 0x101000 is inside a live mapping, 0x1000 bytes past its start. Nearest live mapping: 0x100000, 2 pages (8192 bytes, vmap-ram).", ex.Message);
    }

    [Fact]
    public void Address_inside_an_area_of_its_own_is_VMAP001()
    {
        using var space = Create();
        var v = space.Vmalloc(3 * PageSize);
        var ex = Refused(space, () => space.Vfree(v + (2 * PageSize)));
        Assert.Equal("VMAP001: Vfree(0x102000): 0x102000 is inside a live mapping, 0x2000 bytes past its start. Nearest live mapping: 0x100000, 3 pages (12288 bytes, vmalloc).", ex.Message);
    }

    [Fact]
    public void Wrong_count_is_VMAP005()
    {
        using var space = Create();
        var a = space.MapRam(Pages(space, 2));
        var ex = Refused(space, () => space.UnmapRam(a, 3));
        Assert.Equal(RuleIds.VMAP005, ex.Rule);
        Assert.Equal("VMAP005: UnmapRam(0x100000, 3): the mapping at 0x100000 has 2 pages, not 3. Nearest live mapping: 0x100000, 2 pages (8192 bytes, vmap-ram).", ex.Message);
    }

    [Fact]
    public void Smaller_count_on_an_area_of_its_own_is_VMAP005()
    {
        using var space = Create();
        var a = space.MapRam(Pages(space, 6));
        var ex = Refused(space, () => space.UnmapRam(a, 1));
        Assert.Equal("VMAP005: UnmapRam(0x100000, 1): the mapping at 0x100000 has 6 pages, not 1. Nearest live mapping: 0x100000, 6 pages (24576 bytes, vmap-ram).", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Zero_or_negative_count_is_VMAP005(int count)
    {
        using var space = Create();
        var a = space.MapRam(Pages(space, 1));
        var ex = Refused(space, () => space.UnmapRam(a, count));
        Assert.Equal($"VMAP005: UnmapRam(0x100000, {count}): the page count must be positive, not {count}. Nearest live mapping: 0x100000, 1 page (4096 bytes, vmap-ram).", ex.Message);
    }

    [Fact]
    public void Double_unmap_in_a_live_block_is_VMAP003()
    {
        using var space = Create();
        var a = space.MapRam(Pages(space, 1));
        space.MapRam(Pages(space, 1));
        space.UnmapRam(a, 1);
        var ex = Refused(space, () => space.UnmapRam(a, 1));
        Assert.Equal(RuleIds.VMAP003, ex.Rule);
        Assert.Equal("VMAP003: UnmapRam(0x100000, 1): 0x100000 was already unmapped (a vmap-ram mapping of 1 page). Nearest live mapping: 0x101000, 1 page (4096 bytes, vmap-ram).", ex.Message);
    }

    [Fact]
    public void Double_unmap_after_its_block_was_freed_is_VMAP003()
    {
        using var space = Create();
        var maps = Enumerable.Range(0, 4).Select(_ => space.MapRam(Pages(space, 4))).ToList();
        maps.ForEach(m => space.UnmapRam(m, 4));
        Assert.Equal(0, space.Stats.Blocks);
        var ex = Refused(space, () => space.UnmapRam(maps[2], 4));
        Assert.Equal("VMAP003: UnmapRam(0x108000, 4): 0x108000 was already unmapped (a vmap-ram mapping of 4 pages). No mapping is live.", ex.Message);
    }

    [Fact]
    public void Double_Vfree_is_VMAP003_until_the_address_is_reused()
    {
        using var space = Create();
        var v = space.Vmalloc(PageSize);
        space.Vfree(v);
        space.UnmapAliases();
        var ex = Refused(space, () => space.Vfree(v));
        Assert.Equal("VMAP003: Vfree(0x100000): 0x100000 was already unmapped (a vmalloc mapping of 1 page). No mapping is live.", ex.Message);

        // Someone else's area now covers the address: the stale pointer is just a wrong pointer.
        var r = space.MapRam(Pages(space, 8));
        Assert.Equal(Page(0), r);
        Assert.Equal(RuleIds.VMAP001, Refused(space, () => space.Vfree(v + PageSize)).Rule);
        Assert.Equal(RuleIds.VMAP006, Refused(space, () => space.Vfree(v)).Rule);
    }

    [Fact]
    public void Misaligned_address_is_VMAP001()
    {
        using var space = Create();
        space.MapRam(Pages(space, 1));
        var ex = Refused(space, () => space.UnmapRam(Page(0) + 16, 1));
        Assert.Equal("VMAP001: UnmapRam(0x100010, 1): 0x100010 is not page-aligned (page size 4096): it points 0x10 bytes into a live mapping, not at its start. Nearest live mapping: 0x100000, 1 page (4096 bytes, vmap-ram).", ex.Message);
    }

    [Fact]
    public void Misaligned_address_outside_any_mapping_is_VMAP001_without_an_offset()
    {
        using var space = Create();
        space.MapRam(Pages(space, 1));
        var ex = Refused(space, () => space.UnmapRam(Page(5) + 16, 1));
        Assert.Equal("VMAP001: UnmapRam(0x105010, 1): 0x105010 is not page-aligned (page size 4096). Nearest live mapping: 0x100000, 1 page (4096 bytes, vmap-ram).", ex.Message);
    }

    [Theory]
    [InlineData(0x0L, "0x0")]
    [InlineData(0xFF000L, "0xff000")]
    [InlineData(0x140000L, "0x140000")]
    public void Address_outside_the_space_is_VMAP001(long address, string text)
    {
        using var space = Create();
        space.Vmap(Pages(space, 2));
        var ex = Refused(space, () => space.Vunmap((nint)address));
        Assert.Equal($"VMAP001: Vunmap({text}): {text} is outside the space [0x100000, 0x140000). Nearest live mapping: 0x100000, 2 pages (8192 bytes, vmap).", ex.Message);
    }

    [Fact]
    public void Unmap_with_nothing_live_says_so()
    {
        using var space = Create();
        var ex = Refused(space, () => space.UnmapRam(Page(3), 1));
        Assert.Equal("VMAP001: UnmapRam(0x103000, 1): 0x103000 is not the start of a live mapping (reassigned, offset or foreign pointer). No mapping is live.", ex.Message);
        Assert.Equal((null, 0), (ex.NearestMapping, ex.NearestMappingPages));
    }

    [Theory]
    [InlineData("UnmapRam", "vmalloc", "VMAP006: UnmapRam(0x100000, 1): 0x100000 is a vmalloc mapping; release it with Vfree. Nearest live mapping: 0x100000, 1 page (4096 bytes, vmalloc).")]
    [InlineData("UnmapRam", "vmap", "VMAP006: UnmapRam(0x100000, 1): 0x100000 is a vmap mapping; release it with Vunmap. Nearest live mapping: 0x100000, 1 page (4096 bytes, vmap).")]
    [InlineData("Vfree", "vmap-ram", "VMAP006: Vfree(0x100000): 0x100000 is a vmap-ram mapping; release it with UnmapRam. Nearest live mapping: 0x100000, 1 page (4096 bytes, vmap-ram).")]
    [InlineData("Vunmap", "vmap-ram", "VMAP006: Vunmap(0x100000): 0x100000 is a vmap-ram mapping; release it with UnmapRam. Nearest live mapping: 0x100000, 1 page (4096 bytes, vmap-ram).")]
    [InlineData("Vfree", "vmap", "VMAP006: Vfree(0x100000): 0x100000 is a vmap mapping; release it with Vunmap. Nearest live mapping: 0x100000, 1 page (4096 bytes, vmap).")]
    [InlineData("Vunmap", "vmalloc", "VMAP006: Vunmap(0x100000): 0x100000 is a vmalloc mapping; release it with Vfree. Nearest live mapping: 0x100000, 1 page (4096 bytes, vmalloc).")]
    public void Release_through_the_wrong_family_is_VMAP006(string release, string family, string message)
    {
        using var space = Create();
        var a = family switch
        {
            "vmalloc" => space.Vmalloc(PageSize),
            "vmap" => space.Vmap(Pages(space, 1)),
            _ => space.MapRam(Pages(space, 1)),
        };
        Action call = release switch
        {
            "UnmapRam" => () => space.UnmapRam(a, 1),
            "Vfree" => () => space.Vfree(a),
            _ => () => space.Vunmap(a),
        };
        var ex = Refused(space, call);
        Assert.Equal((RuleIds.VMAP006, message), (ex.Rule, ex.Message));
    }

    [Fact]
    public void Empty_page_list_is_VMAP005()
    {
        using var space = Create();
        var before = State(space);
        Assert.Equal("VMAP005: MapRam([]): the page list is empty; a mapping needs at least one page.", Assert.Throws<VmapMisuseException>(() => space.MapRam([])).Message);
        Assert.Equal("VMAP005: TryMapRam([]): the page list is empty; a mapping needs at least one page.", Assert.Throws<VmapMisuseException>(() => space.TryMapRam([], out _)).Message);
        Assert.Equal("VMAP005: Vmap([]): the page list is empty; a mapping needs at least one page.", Assert.Throws<VmapMisuseException>(() => space.Vmap([])).Message);
        Assert.Equal(before, State(space));
    }

    [Fact]
    public void With_provenance_the_message_says_where_the_nearest_mapping_was_made()
    {
        using var space = Create(options: VmapOptions.Default with { TrackProvenance = true });
        var a = MapForProvenance(space);
        var ex = Refused(space, () => space.UnmapRam(a, 2));
        string prefix = "VMAP005: UnmapRam(0x100000, 2): the mapping at 0x100000 has 1 page, not 2. Nearest live mapping: 0x100000, 1 page (4096 bytes, vmap-ram). It was mapped at:" + Environment.NewLine;
        Assert.StartsWith(prefix, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith($"   at {typeof(MisuseTests).FullName}.{nameof(MapForProvenance)}(", ex.Message[prefix.Length..], StringComparison.Ordinal);
    }

    [Fact]
    public void Without_provenance_no_stack_is_kept()
    {
        using var space = Create();
        var a = MapForProvenance(space);
        Assert.DoesNotContain("mapped at", Assert.Throws<VmapMisuseException>(() => space.UnmapRam(a, 2)).Message, StringComparison.Ordinal);
    }

    private static nint MapForProvenance(VmapSpace space) => space.MapRam(Pages(space, 1));
}
