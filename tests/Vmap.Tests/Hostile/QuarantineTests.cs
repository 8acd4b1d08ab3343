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

    /// <summary>Issue 22, break 2: a map that cannot succeed drains nothing, so the stale unmap stays refused.</summary>
    [Fact]
    public void A_map_that_fails_anyway_leaves_the_quarantine_and_a_stale_unmap_is_still_refused()
    {
        using var space = Create(options: Checked);
        var p = Pages(space, 1);
        nint v1 = space.Vmap(p);
        FirstUnmap(space, v1);
        space.UnmapAliases();
        var before = State(space);
        var tooMany = Enumerable.Repeat(p[0], 65).ToArray();

        // Twice: the promise holds across failing calls.
        Assert.False(space.TryMapRam(tooMany, out nint none));
        Assert.False(space.TryMapRam(tooMany, out _));

        Assert.Equal(0, none);
        Assert.Equal(before.Stats with { FailedMaps = 2, RetriedMaps = 2, Purges = before.Stats.Purges + 2 }, space.Stats);
        Assert.Equal((before.Areas, before.Pool), (State(space).Areas, State(space).Pool));
        Assert.Equal(2L, space.Stats.QuarantinedPages);
        space.Validate();

        nint v2 = space.Vmap(p);
        Assert.NotEqual(v1, v2);
        var e = Assert.Throws<VmapMisuseException>(() => space.Vunmap(v1));
        Assert.Equal(RuleIds.VMAP003, e.Rule);
        Assert.Contains($"It was first unmapped at:{Environment.NewLine}   at {typeof(QuarantineTests).FullName}.{nameof(FirstUnmap)}(", e.Message, StringComparison.Ordinal);
        space.Vunmap(v2);
    }

    /// <summary>Issue 22, break 2: a map drains the oldest ranges only as far as it needs.</summary>
    [Fact]
    public void A_map_that_needs_room_takes_only_the_oldest_ranges_it_needs()
    {
        using var space = Create(options: Checked with { QuarantinePages = 64 });
        var p = Pages(space, 1);

        // 20 two-page Vmaps fill pages 0-39; the rest goes to a Vmalloc of 23 pages + guard.
        var v = Enumerable.Range(0, 20).Select(_ => space.Vmap(p)).ToArray();
        nint big = space.Vmalloc(23 * PageSize);
        foreach (int i in new[] { 0, 1, 5, 6, 10, 11 })
        {
            space.Vunmap(v[i]);
            space.UnmapAliases();
        }

        Assert.Equal(12L, space.Stats.QuarantinedPages);

        // 4 pages need the two oldest ranges (pages 0-3); the other four wait on.
        nint four = space.Vmap(Pages(space, 3));

        Assert.Equal(Page(0), four);
        Assert.Equal(8L, space.Stats.QuarantinedPages);
        Assert.Equal(
            [Page(10), Page(12), Page(20), Page(22)],
            space.SnapshotAreas().Where(a => a.Kind == VmapAreaKind.Quarantined).Select(a => a.Start));
        var e = Assert.Throws<VmapMisuseException>(() => space.Vunmap(v[5]));
        Assert.Equal(RuleIds.VMAP003, e.Rule);
        space.Validate();
        space.Vfree(big);
    }

    /// <summary>
    /// Issue 22, break 4: the checked mode places maps around quarantined ranges, so a map the
    /// unchecked mode serves can fail; the quarantine is not the reason (draining it would not
    /// help), and the exception says how many pages it holds.
    /// </summary>
    [Fact]
    public void A_map_the_layout_around_the_quarantine_cannot_hold_says_what_the_quarantine_holds()
    {
        var tiny = Small with { Size = 16 * PageSize };
        using (var plain = Create(tiny))
        {
            Sequence(plain);
            Assert.Equal(13, plain.Stats.MappedPages - 1);
        }

        using var space = Create(tiny, Checked);
        (VmapStats Stats, string Areas, (int, long) Pool) before = default;
        var e = Assert.Throws<VmapExhaustedException>(() => Sequence(space, s => before = State(s)));

        Assert.Equal((2L, 12L, 12L), (e.QuarantinedPages, e.FreePages, e.LargestFreeRun));
        Assert.Equal("Vmap of 13 pages failed after a purge and a retry: 12 free pages, largest free run 12 pages, 0 lazily freed pages pending. 2 pages wait in the checked mode's quarantine (VmapOptions.TrackProvenance, QuarantinePages): none of them would have made room, but maps placed around them while they waited may have cut free space up differently from the unchecked mode.", e.Message);
        Assert.Equal(before.Stats! with { FailedMaps = 1, RetriedMaps = 1, Purges = before.Stats.Purges + 1 }, space.Stats);
        Assert.Equal((before.Areas, before.Pool), (State(space).Areas, State(space).Pool));
        Assert.Equal(2L, space.Stats.QuarantinedPages);
        space.Validate();

        static void Sequence(VmapSpace space, Action<VmapSpace>? beforeLast = null)
        {
            var pages = Pages(space, 13);
            nint a = space.Vmap(pages.AsSpan(0, 1));
            space.Vunmap(a);
            space.UnmapAliases();
            space.Vmap(pages.AsSpan(0, 1));
            beforeLast?.Invoke(space);
            space.Vmap(pages);
        }
    }

    /// <summary>Issue 22, break 5: the quarantine is bounded in bytes of traces too; a range that leaves drops them.</summary>
    [Fact]
    public void The_quarantine_is_bounded_in_bytes_of_traces_and_a_range_that_leaves_drops_them()
    {
        using var probe = Create(options: Checked with { QuarantinePages = 64 });
        var pp = Pages(probe, 1);
        FirstUnmap(probe, probe.Vmap(pp));
        probe.UnmapAliases();
        long pair = probe.Stats.QuarantinedTraceBytes;
        Assert.InRange(pair, 1000, 100_000);

        // Room for one pair's traces, not two.
        using var space = Create(options: Checked with { QuarantinePages = 64, QuarantineBytes = pair + (pair / 2) });
        var p = Pages(space, 1);
        nint v1 = space.Vmap(p), v2 = space.Vmap(p);
        FirstUnmap(space, v1);
        space.UnmapAliases();
        Assert.Equal((2L, pair), (space.Stats.QuarantinedPages, space.Stats.QuarantinedTraceBytes));

        FirstUnmap(space, v2);
        space.UnmapAliases();

        // v1's range left: free again, its record kept without its traces.
        Assert.Equal((2L, pair), (space.Stats.QuarantinedPages, space.Stats.QuarantinedTraceBytes));
        Assert.Equal([Page(2)], space.SnapshotAreas().Where(a => a.Kind == VmapAreaKind.Quarantined).Select(a => a.Start));
        var e = Assert.Throws<VmapMisuseException>(() => space.Vunmap(v1));
        Assert.Equal(RuleIds.VMAP003, e.Rule);
        Assert.DoesNotContain("It was first unmapped at", e.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<VmapMisuseException>(() => space.Vunmap(v2));
        Assert.Contains("It was first unmapped at", e2.Message, StringComparison.Ordinal);
        space.Validate();
    }

    [Fact]
    public void A_negative_byte_bound_is_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Create(options: Checked with { QuarantineBytes = -1 }));
        Assert.Equal("options", e.ParamName);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FirstUnmap(VmapSpace space, nint address) => space.Vunmap(address);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FirstUnmapRam(VmapSpace space, nint address) => space.UnmapRam(address, 1);
}
