using static Vmap.Tests.TestSpaces;

namespace Vmap.Tests;

/// <summary>
/// Issue 22 item 8: the pool's per-CPU page lists (the kernel's pcp lists). A Vmalloc of a few
/// pages and its Vfree take and give page numbers on their CPU's list, under that list's lock
/// alone; the numbers on a list are free (counted so, their handles stale), a pool that cannot
/// grow takes them back before refusing, and a failure part way leaves the list as it was.
/// </summary>
public class PcpListTests
{
    [Fact]
    public void A_small_Vmalloc_and_Vfree_on_a_cpu_whose_list_holds_pages_do_not_take_the_pools_lock()
    {
        using var space = Create(cpu: 0);
        space.Vfree(space.Vmalloc(2 * PageSize));
        Assert.Equal((0, 2L), (space.Pool.AllocatedCount, space.Pool.Capacity));

        // Before the lists, every Vmalloc and Vfree took the pool's one lock, so this pair waited
        // for the test thread: that wait is what two threads' pairs met on (0.77x with 2 threads).
        nint again;
        lock (space.Pool.SyncRoot)
        {
            again = OtherThread.Run(
                () =>
                {
                    nint v = space.Vmalloc(2 * PageSize);
                    space.Vfree(v);
                    return space.Vmalloc(PageSize);
                },
                "Vmalloc, Vfree and Vmalloc on a CPU whose list holds 2 pages");
        }

        // The pages came off the list: no new page number was handed out.
        Assert.Equal((1, 2L), (space.Pool.AllocatedCount, space.Pool.Capacity));
        space.Vfree(again);
        Assert.Equal((0, 2L), (space.Pool.AllocatedCount, space.Pool.Capacity));
        space.Validate();
    }

    [Fact]
    public void Numbers_on_one_cpus_list_are_free_another_cpu_gets_new_ones_and_Pool_Allocate_takes_the_lowest_back()
    {
        var cpu = new CpuSwitch();
        using var space = Create(cpu);
        space.Vfree(space.Vmalloc(2 * PageSize));

        // CPU 1's list is empty and the freed heap too: a new number, as the kernel's per-CPU
        // lists keep free pages from other CPUs until they are drained.
        cpu.Cpu = 1;
        nint v = space.Vmalloc(PageSize);
        Assert.Equal((1, 3L), (space.Pool.AllocatedCount, space.Pool.Capacity));

        // Pool.Allocate promises the lowest free number: it drains the lists first.
        var page = space.Pool.Allocate();
        Assert.Equal((0L, 2, 3L), (page.Index, space.Pool.AllocatedCount, space.Pool.Capacity));
        Assert.Equal(1L, space.Pool.Allocate().Index);
        Assert.Equal(3L, space.Pool.Allocate().Index);
        space.Vfree(v);
        Assert.Equal((3, 4L), (space.Pool.AllocatedCount, space.Pool.Capacity));
        space.Validate();
    }

    [Fact]
    public void A_pool_that_cannot_grow_takes_back_the_numbers_waiting_on_cpu_lists_before_it_refuses()
    {
        var cpu = new CpuSwitch();
        var pool = new LimitedPagePool(limit: 4);
        using var space = new VmapSpace(new RecordingBackend(pool), Small, VmapOptions.Default with { CurrentCpu = () => cpu.Cpu });
        space.Vfree(space.Vmalloc(4 * PageSize));
        Assert.Equal((0, 4L), (pool.AllocatedCount, pool.Capacity));

        // CPU 1's list is empty, the freed heap too, and the pool is at its limit: the 4 numbers
        // on CPU 0's list are taken back and the Vmalloc is served with them.
        cpu.Cpu = 1;
        nint v = space.Vmalloc(4 * PageSize);
        Assert.Equal((4, 4L), (pool.AllocatedCount, pool.Capacity));

        // With every page live nothing can be taken back: a refusal that changes nothing.
        var before = State(space);
        var e = Assert.Throws<VmapExhaustedException>(() => space.Vmalloc(PageSize));
        Assert.Equal("The page pool ran dry: The test pool holds at most 4 pages.", e.Reason);
        Assert.Equal((before.Areas, before.Pool), (State(space).Areas, State(space).Pool));
        space.Vfree(v);
        Assert.Equal((0, 4L), (pool.AllocatedCount, pool.Capacity));
        space.Validate();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void Out_of_memory_part_way_through_a_Vmalloc_served_from_a_cpu_list_leaves_the_list_as_it_was(int failingPage)
    {
        using var space = Create(cpu: 0);
        space.Vfree(space.Vmalloc(5 * PageSize));
        var before = State(space);
        FailAtPoolPage(space, failingPage);

        var e = Assert.Throws<VmapExhaustedException>(() => space.Vmalloc(5 * PageSize));

        Assert.Equal("The page pool could not allocate 5 pages: injected", e.Reason);
        Assert.Equal((before.Areas, before.Pool), (State(space).Areas, State(space).Pool));
        space.Validate();

        // The five numbers are still on the list, free: the next Vmalloc takes them, no new one.
        space.Pool.FaultHook = null;
        nint v = space.Vmalloc(5 * PageSize);
        Assert.Equal((5, 5L), (space.Pool.AllocatedCount, space.Pool.Capacity));
        space.Vfree(v);
        Assert.Equal((0, 5L), (space.Pool.AllocatedCount, space.Pool.Capacity));
    }

    [Fact]
    public void Two_threads_pairing_small_Vmallocs_and_Vfrees_on_their_own_cpus_lists_end_with_every_page_free()
    {
        using var space = VmapSpace.CreateSimulated(VmapGeometry.Default64);
        const int Pairs = 20_000;
        var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            for (int i = 0; i < Pairs; i++)
            {
                int pages = 1 + ((i + t) % 3);
                nint v = space.Vmalloc((nuint)(pages * PageSize));
                space.Vfree(v);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        // Every page is free, and the lists kept the pool small: at most a list's worth per CPU
        // besides what the two threads held at once.
        Assert.Equal(0, space.Pool.AllocatedCount);
        Assert.InRange(space.Pool.Capacity, 3, 6 + (2L * 64 * Environment.ProcessorCount));
        Assert.Equal(0, space.Stats.LiveMappings);
        space.Validate();
    }
}
