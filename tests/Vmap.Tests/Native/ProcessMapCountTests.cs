using System.Runtime.Versioning;
using Vmap.Native;
using static Vmap.Tests.Native.NativeSpace;

namespace Vmap.Tests.Native;

/// <summary>
/// Issue 13, break 1: the map budget holds for the whole process, however many spaces and threads
/// take mappings after a space was made. The process's limit is stood in for by a low
/// vm.max_map_count (<c>VmapOptions.MaxMapCount</c>) a few thousand above what the process holds,
/// so the test needs thousands of mappings, not the kernel's 65530, and crossing it cannot kill the host.
/// </summary>
[Collection(NativeCollection.Name)]
[SupportedOSPlatform("linux")]
public class ProcessMapCountTests
{
    /// <summary>What the stand-in limit allows above the runtime's headroom and the mappings the process holds now.</summary>
    private const int Room = 4000;

    /// <summary>
    /// How far the rest of the process (the runtime's own threads, the GC) may move its count
    /// between two readings; the runtime's headroom is for this.
    /// </summary>
    private const int Drift = 128;

    [LinuxFact]
    public void A_second_space_that_takes_mappings_later_shrinks_the_first_spaces_budget()
    {
        int limit = ProcMaps.Read().Count + Room;
        var options = Options with { MaxMapCount = limit + LinuxBackend.RuntimeHeadroom };
        using var first = Create(options);
        using var second = Create(options);

        // The second space takes 3000 mappings after both were made: the same page again and again.
        var page = new[] { second.Pool.Allocate() };
        for (int i = 0; i < 3000; i++)
        {
            second.MapRam(page);
        }

        var (maps, e) = FillUntilRefused(first);

        Assert.InRange(ProcMaps.Read().Count, limit - Drift, limit + Drift);
        // At least the room the second space left; more only where the rest of the process let
        // mappings go meanwhile (thread-pool threads retiring after earlier tests), which the
        // process count above already bounds.
        Assert.True(maps >= Room - 3000 - Drift - 10, $"the first space got only {maps} mappings");
        Assert.StartsWith($"vm.max_map_count = {limit + LinuxBackend.RuntimeHeadroom} was reached: the process holds ", e.Reason, StringComparison.Ordinal);

        // Space the second lets go is the first's again.
        for (int i = 0; i < 1000; i++)
        {
            second.UnmapRam(second.Start + (nint)(i * (long)PageSize), 1);
        }

        var (more, _) = FillUntilRefused(first);
        Assert.True(more >= 1000 - Drift, $"the first space got only {more} of the 1000 mappings the second let go");
        Assert.InRange(ProcMaps.Read().Count, limit - Drift, limit + Drift);
    }

    [LinuxFact]
    public void Threads_started_after_the_space_was_made_shrink_its_budget()
    {
        int limit = ProcMaps.Read().Count + Room;
        using var space = Create(Options with { MaxMapCount = limit + LinuxBackend.RuntimeHeadroom });
        var page = new[] { space.Pool.Allocate() };
        space.MapRam(page);

        // 800 threads, each with a stack mapping and its guard: about 1600 mappings the space never sees.
        using var release = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, 800).Select(_ => new Thread(() => release.Wait(), maxStackSize: 128 * 1024)).ToList();
        threads.ForEach(t => t.Start());
        int withThreads = ProcMaps.Read().Count;
        try
        {
            Assert.True(withThreads > limit - Room + 1200, $"800 threads added only {withThreads - (limit - Room)} mappings");

            FillUntilRefused(space);

            Assert.InRange(ProcMaps.Read().Count, limit - Drift, limit + Drift);
        }
        finally
        {
            release.Set();
            threads.ForEach(t => t.Join());
        }
    }

    /// <summary>Maps one page at a time (each its own VMA) until the space refuses; the refusal changes no mapping.</summary>
    private static (int Maps, VmapExhaustedException Refusal) FillUntilRefused(VmapSpace space)
    {
        // A page whose pool offset does not continue the last mapping's, so nothing merges.
        space.Pool.Allocate();
        var page = new[] { space.Pool.Allocate() };
        for (int maps = 0; ; maps++)
        {
            try
            {
                space.MapRam(page);
            }
            catch (VmapExhaustedException e)
            {
                // The same page at neighbouring slots never merges: one VMA per mapping, plus the
                // reserved rest; had the refused map left anything behind, there would be more.
                Assert.Equal(space.Stats.LiveMappings + 1, Vmas(space).Count);
                return (maps, e);
            }
        }
    }
}
