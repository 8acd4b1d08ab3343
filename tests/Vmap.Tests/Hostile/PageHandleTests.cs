using static Vmap.Tests.TestSpaces;

namespace Vmap.Tests.Hostile;

/// <summary>Issue 13, breaks 3 and 5: page handles that outlive their page, pages freed while mapped, a page list rewritten mid-call.</summary>
public class PageHandleTests
{
    private static readonly VmapOptions Cpu0 = VmapOptions.Default with { CurrentCpu = () => 0 };

    [Fact]
    public void A_stale_handle_is_refused_once_its_page_number_is_handed_out_again()
    {
        using var space = Create();
        var stale = space.Pool.Allocate();
        space.Pool.Free(stale);
        var fresh = space.Pool.Allocate();
        Assert.Equal(stale.Index, fresh.Index);
        Assert.NotEqual(stale, fresh);
        var before = State(space);

        var map = Assert.Throws<ArgumentException>(() => space.MapRam([stale]));
        var free = Assert.Throws<ArgumentException>(() => space.Pool.Free(stale));

        string message = $"{stale} is a stale handle: the page was freed and its number handed out again since (the handle is of generation 0, the page is now at generation 1). It no longer names a page of yours.";
        Assert.Equal(message + " (Parameter 'pages')", map.Message);
        Assert.Equal(message + " (Parameter 'page')", free.Message);
        Assert.Throws<ArgumentException>(() => space.Pool.GetSpan(stale));
        Assert.False(space.Pool.Contains(stale));
        Assert.True(space.Pool.Contains(fresh));
        Assert.Equal(before, State(space));
    }

    [Fact]
    public void A_stale_handle_cannot_reach_the_pages_of_the_next_Vmalloc()
    {
        using var space = Create();
        var stale = Pages(space, 2);
        space.Pool.Free(stale[0]);
        space.Pool.Free(stale[1]);
        nint v = space.Vmalloc(2 * PageSize);
        var before = State(space);

        Assert.Throws<ArgumentException>(() => space.Vmap(stale));
        Assert.Throws<ArgumentException>(() => space.Pool.Free(stale[1]));
        Assert.Equal(before, State(space));

        // The Vfree finds every page of its own and frees them all.
        space.Vfree(v);
        space.UnmapAliases();
        Assert.Equal((0, 64L), (space.Pool.AllocatedCount, space.Stats.FreePages));
    }

    [Fact]
    public void Freeing_a_mapped_page_is_refused_until_its_last_mapping_is_gone()
    {
        using var space = Create();
        var page = space.Pool.Allocate();
        nint a = space.MapRam([page]);
        nint b = space.Vmap([page, page]);
        var before = State(space);

        var e = Assert.Throws<InvalidOperationException>(() => space.Pool.Free(page));

        Assert.Equal($"{page} is still mapped (3 live mappings): unmap it before freeing it (a Vmalloc allocation's pages are freed by Vfree). The page stays allocated.", e.Message);
        Assert.Equal(before, State(space));
        space.Vunmap(b);
        Assert.Contains("(1 live mapping)", Assert.Throws<InvalidOperationException>(() => space.Pool.Free(page)).Message, StringComparison.Ordinal);
        space.UnmapRam(a, 1);
        space.Pool.Free(page);
        Assert.Equal(0, space.Pool.AllocatedCount);
    }

    [Fact]
    public void A_refused_map_pins_nothing()
    {
        var backend = new RecordingBackend();
        using var space = new VmapSpace(backend, Small, Cpu0);
        var pages = Pages(space, 3);
        var stale = space.Pool.Allocate();
        space.Pool.Free(stale);

        Assert.Throws<ArgumentException>(() => space.MapRam([pages[0], stale]));
        backend.RefuseNextMaps = 2;
        Assert.Throws<VmapExhaustedException>(() => space.MapRam(pages));
        backend.ThrowOnMap = new IOException("mmap failed");
        Assert.Throws<IOException>(() => space.Vmap(pages));

        foreach (var page in pages)
        {
            space.Pool.Free(page);
        }

        Assert.Equal(0, space.Pool.AllocatedCount);
    }

    [Fact]
    public void The_page_list_is_read_once_so_rewriting_it_mid_call_maps_the_checked_pages()
    {
        var backend = new RecordingBackend();
        using var space = new VmapSpace(backend, Small, Cpu0);
        var pages = Pages(space, 2);
        var list = new[] { pages[1] };

        // Another thread turns the list into default(Page) after the check, before the map reads it.
        backend.DuringMap = () => list[0] = default;
        nint a = space.MapRam(list);

        Assert.Equal([pages[1]], backend.MappedPages.Single());

        // The mapping pinned the page it was checked with, and unpins that page on unmap.
        Assert.Throws<InvalidOperationException>(() => space.Pool.Free(pages[1]));
        space.UnmapRam(a, 1);
        space.Pool.Free(pages[1]);
    }
}
