using static Vmap.Tests.TestSpaces;

namespace Vmap.Tests.Areas;

/// <summary>
/// Issue 22 item 8: vmap nodes. Small Vmaps and Vmallocs of a CPU are placed in chunks its node
/// took from the space and unmapped under the node's lock; Stats and snapshots still sum over the
/// nodes exactly, misuse is answered as before, every failure leaves the space as it was, and a
/// purge before a failing map gives every chunk back.
/// </summary>
public class VmapNodeTests
{
    /// <summary><see cref="TestSpaces.Small"/> (64 pages, 16-page blocks and chunks) with a node per CPU.</summary>
    private static readonly VmapOptions Nodes = VmapOptions.Default with { VmapNodes = 2 };

    [Fact]
    public void Each_cpu_places_its_small_areas_in_a_chunk_of_its_own_and_the_counters_sum_over_the_nodes()
    {
        var cpu = new CpuSwitch();
        using var space = Create(cpu, options: Nodes);
        var pages = Pages(space, 2);

        var a = space.Vmap(pages.AsSpan(0, 1));
        cpu.Cpu = 1;
        var b = space.Vmalloc(2 * PageSize);
        cpu.Cpu = 0;
        var c = space.Vmap(pages);

        // CPU 0's chunk is pages 0-15, CPU 1's 16-31: each area and its guard page in its CPU's chunk.
        Assert.Equal((Page(0), Page(16), Page(2)), (a, b, c));
        var s = space.Stats;
        Assert.Equal((3, 3, 5L, 3L, 64L - 8, 64L - 19), (s.LiveMappings, s.LiveAreas, s.MappedPages, s.GuardPages, s.FreePages, s.LargestFreeRun));
        Assert.Equal(
            [
                new VmapAreaInfo(Page(0), 1, VmapAreaKind.Vmap) { LivePages = 1 },
                new VmapAreaInfo(Page(1), 1, VmapAreaKind.Guard),
                new VmapAreaInfo(Page(2), 2, VmapAreaKind.Vmap) { LivePages = 2 },
                new VmapAreaInfo(Page(4), 1, VmapAreaKind.Guard),
                new VmapAreaInfo(Page(5), 11, VmapAreaKind.Free),
                new VmapAreaInfo(Page(16), 2, VmapAreaKind.Vmalloc) { LivePages = 2 },
                new VmapAreaInfo(Page(18), 1, VmapAreaKind.Guard),
                new VmapAreaInfo(Page(19), 45, VmapAreaKind.Free),
            ],
            space.SnapshotAreas());
        space.Validate();

        // Unmaps from any CPU find the node by address; the areas wait on their node's lazy list.
        cpu.Cpu = 1;
        space.Vunmap(a);
        cpu.Cpu = 0;
        space.Vfree(b);
        s = space.Stats;
        Assert.Equal((1, 1, 2L, 1L, 5L), (s.LiveMappings, s.LiveAreas, s.MappedPages, s.GuardPages, s.LazilyFreedPages));
        space.Validate();

        // A second unmap is a double unmap, found in the node's records (VMAP003), and changes nothing.
        var before = State(space);
        var twice = Assert.Throws<VmapMisuseException>(() => space.Vunmap(a));
        Assert.Equal(RuleIds.VMAP003, twice.Rule);
        Assert.StartsWith($"VMAP003: Vunmap(0x{(long)a:x}): 0x{(long)a:x} was already unmapped (a vmap mapping of 1 page). Nearest live mapping: 0x{(long)c:x}, 2 pages", twice.Message, StringComparison.Ordinal);
        var wrong = Assert.Throws<VmapMisuseException>(() => space.Vfree(c));
        Assert.Equal(RuleIds.VMAP006, wrong.Rule);
        Assert.Equal(before, State(space));

        // vm_unmap_aliases gives every chunk back: what is left is what a space without nodes holds.
        space.Vunmap(c);
        space.UnmapAliases();
        Assert.Equal([new VmapAreaInfo(Page(0), 64, VmapAreaKind.Free)], space.SnapshotAreas());
        Assert.Equal(RuleIds.VMAP003, Assert.Throws<VmapMisuseException>(() => space.Vunmap(c)).Rule);
        space.Validate();
    }

    [Fact]
    public void A_node_area_never_straddles_two_adjacent_chunks_of_its_node()
    {
        using var space = Create(Small with { LazyMaxPages = 16 }, Nodes);
        var three = Pages(space, 3);
        var two = Pages(space, 2);

        // Chunk 0 (pages 0-15) is full but for page 15: the next 3-page area and its guard need a
        // new chunk, pages 16-31, right after it. The pool keeps the two chunks apart, so the area
        // goes at 16, not at 15 across the edge, where chunk 0 could go back to the space under it.
        var mapped = new[] { space.Vmap(three), space.Vmap(three), space.Vmap(three), space.Vmap(two), space.Vmap(three) };
        Assert.Equal([Page(0), Page(4), Page(8), Page(12), Page(16)], mapped);
        var s = space.Stats;
        Assert.Equal((5, 14L, 5L, 45L, 44L), (s.LiveMappings, s.MappedPages, s.GuardPages, s.FreePages, s.LargestFreeRun));
        Assert.Equal(
            [
                new VmapAreaInfo(Page(0), 3, VmapAreaKind.Vmap) { LivePages = 3 },
                new VmapAreaInfo(Page(3), 1, VmapAreaKind.Guard),
                new VmapAreaInfo(Page(4), 3, VmapAreaKind.Vmap) { LivePages = 3 },
                new VmapAreaInfo(Page(7), 1, VmapAreaKind.Guard),
                new VmapAreaInfo(Page(8), 3, VmapAreaKind.Vmap) { LivePages = 3 },
                new VmapAreaInfo(Page(11), 1, VmapAreaKind.Guard),
                new VmapAreaInfo(Page(12), 2, VmapAreaKind.Vmap) { LivePages = 2 },
                new VmapAreaInfo(Page(14), 1, VmapAreaKind.Guard),
                new VmapAreaInfo(Page(15), 1, VmapAreaKind.Free),
                new VmapAreaInfo(Page(16), 3, VmapAreaKind.Vmap) { LivePages = 3 },
                new VmapAreaInfo(Page(19), 1, VmapAreaKind.Guard),
                new VmapAreaInfo(Page(20), 44, VmapAreaKind.Free),
            ],
            space.SnapshotAreas());
        space.Validate();

        // vm_unmap_aliases gives both chunks back with what is in them.
        foreach (var address in mapped.Take(4))
        {
            space.Vunmap(address);
        }

        space.UnmapAliases();
        Assert.Equal(
            [
                new VmapAreaInfo(Page(0), 16, VmapAreaKind.Free),
                new VmapAreaInfo(Page(16), 3, VmapAreaKind.Vmap) { LivePages = 3 },
                new VmapAreaInfo(Page(19), 1, VmapAreaKind.Guard),
                new VmapAreaInfo(Page(20), 44, VmapAreaKind.Free),
            ],
            space.SnapshotAreas());
        space.Validate();
        space.Vunmap(mapped[4]);
        space.UnmapAliases();
        Assert.Equal([new VmapAreaInfo(Page(0), 64, VmapAreaKind.Free)], space.SnapshotAreas());

        // The node decays (at 8 lazily freed pages) a run across the edge, pages 12-15 of chunk 0
        // and 16-19 of chunk 1, into its pool as one range per chunk: the next areas go at 12,
        // filling chunk 0, and at 16.
        var full = new[] { space.Vmap(three), space.Vmap(three), space.Vmap(three), space.Vmap(three), space.Vmap(three) };
        Assert.Equal([Page(0), Page(4), Page(8), Page(12), Page(16)], full);
        space.Vunmap(full[3]);
        space.Vunmap(full[4]);
        s = space.Stats;
        Assert.Equal((3, 9L, 3L, 52L, 52L, 0L), (s.LiveMappings, s.MappedPages, s.GuardPages, s.FreePages, s.LargestFreeRun, s.LazilyFreedPages));
        space.Validate();
        Assert.Equal((Page(12), Page(16)), (space.Vmap(three), space.Vmap(three)));
        s = space.Stats;
        Assert.Equal((5, 15L, 5L, 44L, 44L), (s.LiveMappings, s.MappedPages, s.GuardPages, s.FreePages, s.LargestFreeRun));
        space.Validate();
    }

    [Fact]
    public void A_purge_before_a_failing_map_gives_busy_chunks_back_so_a_large_map_gets_their_free_pages()
    {
        using var space = Create(options: Nodes);
        var pages = Pages(space, 1);
        var small = space.Vmap(pages);
        Assert.Equal(Page(0), small);

        // 61 pages and a guard: only pages 2-63, 14 of them in the node's chunk, hold it.
        var big = space.Vmalloc(61 * PageSize);

        Assert.Equal(Page(2), big);
        var s = space.Stats;
        Assert.Equal((2, 2, 62L, 1, 0L), (s.LiveMappings, s.LiveAreas, s.MappedPages, s.RetriedMaps, s.FreePages));
        space.Validate();

        // The small area now lives in the space's busy tree: its unmap takes the area path.
        space.Vunmap(small);
        space.Vfree(big);
        space.UnmapAliases();
        Assert.Equal([new VmapAreaInfo(Page(0), 64, VmapAreaKind.Free)], space.SnapshotAreas());
        space.Validate();
    }

    [Fact]
    public void A_map_that_fails_even_after_the_purge_reports_the_space_as_one_without_nodes_would()
    {
        var cpu = new CpuSwitch();
        using var space = Create(cpu, options: Nodes);
        var pages = Pages(space, 1);
        space.Vmap(pages);
        cpu.Cpu = 1;
        space.Vmap(pages);

        var e = Assert.Throws<VmapExhaustedException>(() => space.Vmalloc(62 * PageSize));

        // Pages 0-1 and 16-17 are busy: 60 pages free, the largest run 46 (18-63), no chunk left.
        Assert.Equal((62, 60L, 46L, 0L), (e.RequestedPages, e.FreePages, e.LargestFreeRun, e.LazilyFreedPages));
        Assert.Equal(
            [
                new VmapAreaInfo(Page(0), 1, VmapAreaKind.Vmap) { LivePages = 1 },
                new VmapAreaInfo(Page(1), 1, VmapAreaKind.Guard),
                new VmapAreaInfo(Page(2), 14, VmapAreaKind.Free),
                new VmapAreaInfo(Page(16), 1, VmapAreaKind.Vmap) { LivePages = 1 },
                new VmapAreaInfo(Page(17), 1, VmapAreaKind.Guard),
                new VmapAreaInfo(Page(18), 46, VmapAreaKind.Free),
            ],
            space.SnapshotAreas());
        space.Validate();
    }

    [Fact]
    public void Out_of_memory_while_a_node_takes_a_chunk_leaves_the_space_and_the_pool_as_they_were()
    {
        using var space = Create(options: Nodes);
        var pages = Pages(space, 1);
        space.MapRam(pages);
        var before = State(space);
        space.FaultHook = s =>
        {
            if (s == FaultSteps.NodeChunk)
            {
                throw new OutOfMemoryException("injected at " + s);
            }
        };

        var e = Assert.Throws<OutOfMemoryException>(() => space.Vmap(pages));

        Assert.Equal("injected at node-chunk", e.Message);
        Assert.Equal(before, State(space));
        space.Validate();
        space.FaultHook = null;
        Assert.Equal(Page(16), space.Vmap(pages));
        space.Validate();
    }

    [Theory]
    [InlineData(FaultSteps.Area)]
    [InlineData(FaultSteps.FreeNode)]
    [InlineData(FaultSteps.Commit)]
    [InlineData(FaultSteps.PoolPage)]
    public void Out_of_memory_at_a_step_of_a_node_map_gives_back_the_chunk_it_took(string step)
    {
        using var space = Create(options: Nodes);
        var pages = Pages(space, 1);
        space.MapRam(pages);
        var before = State(space);
        space.FaultHook = s =>
        {
            if (s == step)
            {
                throw new OutOfMemoryException("injected at " + s);
            }
        };
        space.Pool.FaultHook = space.FaultHook;

        // A pool that runs out of memory is a refusal (nothing taken); every other step throws.
        if (step == FaultSteps.PoolPage)
        {
            Assert.Contains("injected at pool-page", Assert.Throws<VmapExhaustedException>(() => space.Vmalloc(PageSize)).Message, StringComparison.Ordinal);
            Assert.Equal(before.Stats with { RetriedMaps = 0, FailedMaps = 0, Purges = 0 }, State(space).Stats with { RetriedMaps = 0, FailedMaps = 0, Purges = 0 });
            Assert.Equal((before.Areas, before.Pool), (State(space).Areas, State(space).Pool));
        }
        else
        {
            Assert.Equal("injected at " + step, Assert.Throws<OutOfMemoryException>(() => space.Vmalloc(PageSize)).Message);
            Assert.Equal(before, State(space));
        }

        space.Validate();
        space.FaultHook = null;
        space.Pool.FaultHook = null;
        Assert.Equal(Page(16), space.Vmalloc(PageSize));
    }

    [Fact]
    public void A_backend_that_refuses_or_throws_in_a_node_map_or_unmap_leaves_everything_as_it_was()
    {
        var backend = new RecordingBackend();
        using var space = new VmapSpace(backend, Small, Nodes with { CurrentCpu = () => 0 });
        var pages = Pages(space, 1);
        var before = State(space);

        backend.ThrowOnMap = new IOException("mmap failed");
        Assert.Equal("mmap failed", Assert.Throws<IOException>(() => space.Vmap(pages)).Message);
        Assert.Equal(before, State(space));

        // Refused twice: the node's attempt and the area path's retry; the failure is the area path's report.
        backend.RefuseNextMaps = 3;
        var e = Assert.Throws<VmapExhaustedException>(() => space.Vmap(pages));
        Assert.Equal("map count limit 3 reached", e.Reason);
        Assert.Equal((before.Areas, before.Pool), (State(space).Areas, State(space).Pool));

        backend.RefuseNextMaps = 0;
        var at = space.Vmap(pages);
        var mapped = State(space);
        backend.ThrowOnUnmap = new IOException("munmap failed");
        Assert.Equal("munmap failed", Assert.Throws<IOException>(() => space.Vunmap(at)).Message);
        Assert.Equal(mapped, State(space));
        space.Vunmap(at);
        Assert.Equal(RuleIds.VMAP003, Assert.Throws<VmapMisuseException>(() => space.Vunmap(at)).Rule);
        space.Validate();
    }

    [Fact]
    public void A_node_whose_lazy_list_reaches_its_share_of_the_lazy_limit_decays_it_into_its_own_pool()
    {
        // 2 nodes, LazyMaxPages 8: each node decays at 4 lazily freed pages.
        var cpu = new CpuSwitch();
        using var space = Create(cpu, Small with { LazyMaxPages = 8 }, Nodes);
        var pages = Pages(space, 1);
        var first = space.Vmap(pages);
        space.Vunmap(first);
        var second = space.Vmap(pages);
        Assert.Equal((Page(0), Page(2), 2L, 0L), (first, second, space.Stats.LazilyFreedPages, space.Stats.Purges));

        // Another CPU's unmap of it decays the node the area belongs to, not its own.
        cpu.Cpu = 1;
        space.Vunmap(second);

        Assert.Equal((0L, 1L), (space.Stats.LazilyFreedPages, space.Stats.Purges));
        Assert.Equal([new VmapAreaInfo(Page(0), 64, VmapAreaKind.Free)], space.SnapshotAreas());
        space.Validate();

        // The node kept its chunk: CPU 0's next map reuses the lowest decayed range, CPU 1's node takes the next chunk.
        cpu.Cpu = 0;
        Assert.Equal(Page(0), space.Vmap(pages));
        cpu.Cpu = 1;
        Assert.Equal(Page(16), space.Vmap(pages));
        space.Validate();

        // Old records still tell a stale unmap apart until a new mapping takes the address.
        Assert.Equal(RuleIds.VMAP003, Assert.Throws<VmapMisuseException>(() => space.Vunmap(second)).Rule);
    }

    [Fact]
    public void Nodes_are_off_with_TrackProvenance_and_on_a_space_of_few_blocks_per_cpu()
    {
        // Off: every area is in the space's busy tree, placed lowest first as before.
        var cpu = new CpuSwitch();
        using (var checkedSpace = Create(cpu, options: Nodes with { TrackProvenance = true }))
        {
            var pages = Pages(checkedSpace, 1);
            checkedSpace.Vmap(pages);
            cpu.Cpu = 1;
            Assert.Equal(Page(2), checkedSpace.Vmap(pages));
        }

        using (var small = Create(cpu))
        {
            var pages = Pages(small, 1);
            small.Vmap(pages);
            cpu.Cpu = 0;
            Assert.Equal(Page(2), small.Vmap(pages));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => Create(options: VmapOptions.Default with { VmapNodes = -1 }));

        // Default64 holds 32768 blocks: a node per CPU queue.
        using var big = VmapSpace.CreateSimulated(VmapGeometry.Default64, new VmapOptions { CurrentCpu = () => cpu.Cpu });
        var p = Pages(big, 1);
        cpu.Cpu = 0;
        var first = big.Vmap(p);
        cpu.Cpu = 1;
        Assert.Equal(first + (VmapGeometry.Default64.BlockPages * PageSize), big.Vmap(p));
    }
}
