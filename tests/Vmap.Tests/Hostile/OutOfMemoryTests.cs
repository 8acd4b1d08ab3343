using static Vmap.Tests.TestSpaces;

namespace Vmap.Tests.Hostile;

/// <summary>
/// Issue 22, break 3: an OutOfMemoryException at any step of MapRam, Vmap or Vmalloc that
/// allocates leaves the space and the pool exactly as before the call. Each step is made to throw
/// through the fault hooks; then the same call succeeds and everything can be released.
/// </summary>
public class OutOfMemoryTests
{
    public static TheoryData<string, string> Steps() => new()
    {
        // A block map that makes a new block.
        { "MapRam(2)", FaultSteps.FreeNode },
        { "MapRam(2)", FaultSteps.Area },
        { "MapRam(2)", FaultSteps.Block },
        { "MapRam(2)", FaultSteps.BlockIndex },

        // A MapRam with an area of its own (more than MaxBlockAlloc pages).
        { "MapRam(6)", FaultSteps.PageList },
        { "MapRam(6)", FaultSteps.FreeNode },
        { "MapRam(6)", FaultSteps.Area },
        { "MapRam(6)", FaultSteps.Commit },
        { "Vmap(3)", FaultSteps.PageList },
        { "Vmap(3)", FaultSteps.FreeNode },
        { "Vmap(3)", FaultSteps.Area },
        { "Vmap(3)", FaultSteps.Commit },
        { "Vmalloc(5)", FaultSteps.FreeNode },
        { "Vmalloc(5)", FaultSteps.Area },
        { "Vmalloc(5)", FaultSteps.Commit },
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public void Out_of_memory_at_a_step_of_a_map_leaves_the_space_and_the_pool_as_they_were(string call, string step)
    {
        using var space = Create(options: VmapOptions.Default with { TrackProvenance = true });
        var (held, pages) = Setup(space);
        var before = State(space);
        int hits = 0;
        space.FaultHook = s =>
        {
            if (s == step && hits++ == 0)
            {
                throw new OutOfMemoryException($"injected at {s}");
            }
        };

        var e = Assert.Throws<OutOfMemoryException>(() => Run(space, call, pages));

        Assert.Equal($"injected at {step}", e.Message);
        Assert.Equal(before, State(space));
        space.Validate();

        // The same call now succeeds, and its release leaves what the setup left.
        space.FaultHook = null;
        Release(space, call, Run(space, call, pages), pages.Length);
        foreach (var (at, count) in held)
        {
            space.UnmapRam(at, count);
        }

        space.UnmapAliases();
        Assert.Equal((0, 0, 64L), (space.Stats.LiveMappings, space.Stats.LiveAreas, space.Stats.FreePages));
        space.Validate();
    }

    /// <summary>The reported case: Vmalloc runs out of memory part way through taking its pages from the pool.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void Out_of_memory_part_way_through_a_Vmallocs_pages_gives_every_page_back(int failingPage)
    {
        using var space = Create();
        var (_, pages) = Setup(space);
        space.Pool.Free(pages[5]);
        var before = State(space);
        FailAtPoolPage(space, failingPage);

        var e = Assert.Throws<VmapExhaustedException>(() => space.Vmalloc(5 * PageSize));

        Assert.Equal("The page pool could not allocate 5 pages: injected", e.Reason);
        Assert.Equal(before.Stats with { FailedMaps = 1 }, space.Stats);
        Assert.Equal((before.Areas, before.Pool), (State(space).Areas, State(space).Pool));
        space.Validate();

        space.Pool.FaultHook = null;
        nint v = space.Vmalloc(5 * PageSize);
        Assert.Equal(before.Pool.Allocated + 5, space.Pool.AllocatedCount);
        space.Vfree(v);
        Assert.Equal(before.Pool.Allocated, space.Pool.AllocatedCount);
    }

    /// <summary>Issue 22, break 7: a Vmalloc no .NET array can list the pages of is a typed refusal, with the state unchanged.</summary>
    [Fact]
    public void A_Vmalloc_of_int_MaxValue_pages_is_refused_as_exhaustion_and_changes_nothing()
    {
        using var space = Create(Small with { Size = 16L << 40, Start = 1L << 44, BlockPages = 16 });
        space.Vmalloc(PageSize);
        var before = State(space);

        var e = Assert.Throws<VmapExhaustedException>(() => space.Vmalloc(unchecked((nuint)(int.MaxValue * 4096L))));

        Assert.Equal(int.MaxValue, e.RequestedPages);
        Assert.StartsWith("The page pool could not allocate 2147483647 pages: ", e.Reason);
        Assert.Equal(before.Stats with { FailedMaps = 1 }, space.Stats);
        Assert.Equal((before.Areas, before.Pool), (State(space).Areas, State(space).Pool));
        space.Validate();
    }

    /// <summary>Two live block mappings on CPU 0's block and pages for the call; the block is full after them, so a MapRam(2) makes a new block.</summary>
    private static (List<(nint At, int Count)> Held, Page[] Pages) Setup(VmapSpace space)
    {
        var pages = Pages(space, 6);
        var held = new List<(nint, int)>();
        foreach (int count in new[] { 4, 4, 4, 4 })
        {
            held.Add((space.MapRam(pages.AsSpan(0, count)), count));
        }

        return (held, pages);
    }

    private static nint Run(VmapSpace space, string call, Page[] pages) => call switch
    {
        "MapRam(2)" => space.MapRam(pages.AsSpan(0, 2)),
        "MapRam(6)" => space.MapRam(pages),
        "Vmap(3)" => space.Vmap(pages.AsSpan(0, 3)),
        _ => space.Vmalloc(5 * PageSize),
    };

    private static void Release(VmapSpace space, string call, nint at, int pageCount)
    {
        switch (call)
        {
            case "MapRam(2)":
                space.UnmapRam(at, 2);
                break;
            case "MapRam(6)":
                space.UnmapRam(at, pageCount);
                break;
            case "Vmap(3)":
                space.Vunmap(at);
                break;
            default:
                space.Vfree(at);
                break;
        }
    }
}
