using System.Runtime.CompilerServices;
using static Vmap.Tests.TestSpaces;

namespace Vmap.Tests.Hostile;

/// <summary>
/// Issue 13, break 8: with TrackProvenance, freed ranges wait in a bounded FIFO quarantine before
/// reuse, so a stale second unmap after a purge is still refused as VMAP003, naming the first unmap.
/// </summary>
public class QuarantineTests
{
    private static readonly VmapOptions Checked = VmapOptions.Default with { TrackProvenance = true };

    [Fact]
    public void A_stale_double_Vunmap_after_a_purge_is_refused_and_names_the_first_unmap()
    {
        using var space = Create(options: Checked);
        var pages = Pages(space, 2);
        nint v1 = space.Vmap(pages);
        FirstUnmap(space, v1);
        space.UnmapAliases();

        nint v2 = space.Vmap(pages);
        Assert.NotEqual(v1, v2);
        var before = State(space);

        var e = Assert.Throws<VmapMisuseException>(() => space.Vunmap(v1));

        Assert.Equal(RuleIds.VMAP003, e.Rule);
        Assert.StartsWith("VMAP003: Vunmap(0x100000): 0x100000 was already unmapped (a vmap mapping of 2 pages). Nearest live mapping: 0x103000, 2 pages (8192 bytes, vmap).", e.Message, StringComparison.Ordinal);
        string site = " It was first unmapped at:" + Environment.NewLine + $"   at {typeof(QuarantineTests).FullName}.{nameof(FirstUnmap)}(";
        Assert.Contains(site, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, State(space));

        // The new owner's mapping is untouched.
        space.Vunmap(v2);
        Assert.Equal(0, space.Stats.LiveMappings);
    }

    [Fact]
    public void A_stale_double_UnmapRam_of_a_purged_block_names_the_first_unmap()
    {
        using var space = Create(options: Checked);
        nint a = space.MapRam(Pages(space, 1));
        FirstUnmapRam(space, a);
        space.UnmapAliases();
        nint b = space.MapRam(Pages(space, 1));
        Assert.NotEqual(a, b);

        var e = Assert.Throws<VmapMisuseException>(() => space.UnmapRam(a, 1));

        Assert.Equal(RuleIds.VMAP003, e.Rule);
        Assert.Contains($"It was first unmapped at:{Environment.NewLine}   at {typeof(QuarantineTests).FullName}.{nameof(FirstUnmapRam)}(", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_quarantine_is_a_FIFO_bounded_in_pages()
    {
        using var space = Create(options: Checked with { QuarantinePages = 6 });
        var pages = Pages(space, 2);

        // Three Vmaps of 2 pages + guard each: 0-2, 3-5, 6-8.
        nint[] v = [space.Vmap(pages), space.Vmap(pages), space.Vmap(pages)];
        space.Vunmap(v[0]);
        space.UnmapAliases();
        space.Vunmap(v[1]);
        space.UnmapAliases();
        Assert.Equal((6L, 0L, 55L), (space.Stats.QuarantinedPages, space.Stats.LazilyFreedPages, space.Stats.FreePages));
        Assert.Equal(
            [new VmapAreaInfo(Page(0), 3, VmapAreaKind.Quarantined), new VmapAreaInfo(Page(3), 3, VmapAreaKind.Quarantined)],
            space.SnapshotAreas().Where(a => a.Kind == VmapAreaKind.Quarantined));

        // A third range pushes the oldest out: it is free again, and the lowest fit reuses it.
        space.Vunmap(v[2]);
        space.UnmapAliases();
        Assert.Equal((6L, 58L), (space.Stats.QuarantinedPages, space.Stats.FreePages));
        Assert.Equal(v[0], space.Vmap(pages));
        space.Validate();
    }

    [Fact]
    public void A_map_that_finds_no_room_outside_the_quarantine_drains_it_rather_than_fail()
    {
        using var space = Create(options: Checked with { QuarantinePages = 64 });
        nint v = space.Vmalloc(60 * PageSize);
        space.Vfree(v);
        space.UnmapAliases();
        Assert.Equal(61L, space.Stats.QuarantinedPages);

        Assert.Equal(v, space.Vmalloc(60 * PageSize));
        Assert.Equal((1L, 0L), (space.Stats.RetriedMaps, space.Stats.QuarantinedPages));
        space.Validate();
    }

    [Fact]
    public void Without_TrackProvenance_there_is_no_quarantine_and_addresses_are_reused_at_once()
    {
        using var space = Create();
        var pages = Pages(space, 2);
        nint v1 = space.Vmap(pages);
        space.Vunmap(v1);
        space.UnmapAliases();
        Assert.Equal(v1, space.Vmap(pages));
        Assert.Equal(0L, space.Stats.QuarantinedPages);
    }

    [Fact]
    public void A_negative_quarantine_is_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Create(options: Checked with { QuarantinePages = -1 }));
        Assert.Equal("options", e.ParamName);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FirstUnmap(VmapSpace space, nint address) => space.Vunmap(address);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FirstUnmapRam(VmapSpace space, nint address) => space.UnmapRam(address, 1);
}
