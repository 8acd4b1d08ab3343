using System.Runtime.Versioning;
using Vmap.Native;
using static Vmap.Tests.Native.NativeSpace;

namespace Vmap.Tests.Native;

/// <summary>
/// Issue 22, break 1: one-page MapRams at consecutive slots of consecutive pool pages merge into one
/// VMA, so they cost nothing; unmapping every other one splits it, one more VMA per unmap. The
/// budget counts those splits when the maps are made (the joints), so unmaps alone never take the
/// process past vm.max_map_count minus the runtime's headroom; before, .NET aborted.
/// </summary>
[Collection(NativeCollection.Name)]
[SupportedOSPlatform("linux")]
public class UnmapBudgetTests
{
    private const int Room = 3000;

    /// <summary>How far the rest of the process may move its count meanwhile (what the headroom is for).</summary>
    private const int Drift = 128;

    private static readonly VmapGeometry OneGiB = VmapGeometry.Default64 with { Size = 1L << 30 };

    [LinuxFact]
    public void Unmapping_every_other_merged_map_stays_within_a_low_stand_in_limit()
    {
        int limit = ProcMaps.Read().Count + Room;
        using var space = VmapSpace.CreateNative(OneGiB, Options with { MaxMapCount = limit + LinuxBackend.RuntimeHeadroom });

        var (maps, refusal) = MapMergedUntilRefused(space, 8000);

        Assert.NotNull(refusal);
        Assert.InRange(maps.Count, Room - Drift - 10, Room + Drift);
        Assert.StartsWith($"vm.max_map_count = {limit + LinuxBackend.RuntimeHeadroom} was reached: ", refusal.Reason, StringComparison.Ordinal);
        Assert.EndsWith($"would cut this space's reservation into 2 mappings; it holds 2. Unmaps alone could split what merged into {maps.Count + 2}, and the budget keeps room for that.", refusal.Reason, StringComparison.Ordinal);

        // Merged: the whole run is one VMA, plus the reserved rest after it.
        Assert.Equal(2, Vmas(space).Count);

        UnmapEveryOther(space, maps);

        // Each unmap split a VMA; together they took the process to about the limit, not past it.
        // (How many maps fit depends on the rest of the process; with an odd count the last map was
        // unmapped too, and its page merged into the reserved rest after it.)
        Assert.Equal(maps.Count + 1 - (maps.Count % 2), Vmas(space).Count);
        Assert.InRange(ProcMaps.Read().Count, 0, limit + Drift);

        // What the unmaps freed is budget again: the odd ones go, merging back into the reservation.
        for (int i = 1; i < maps.Count; i += 2)
        {
            space.UnmapRam(maps[i], 1);
        }

        Assert.Single(Vmas(space));
        Assert.InRange(MapMergedUntilRefused(space, Room).Maps.Count, Room - Drift, Room);
    }

    /// <summary>The sequence as reported, against the real vm.max_map_count: never an abort.</summary>
    [LinuxFact]
    public void The_reported_140000_merged_maps_then_every_other_unmapped_never_passes_the_real_limit()
    {
        int max = LinuxBackend.ReadMaxMapCount();
        using var space = VmapSpace.CreateNative(OneGiB, Options);

        var (maps, refusal) = MapMergedUntilRefused(space, 140_000);
        UnmapEveryOther(space, maps);

        Assert.InRange(ProcMaps.Read().Count, 0, max - LinuxBackend.RuntimeHeadroom + Drift);
        if (maps.Count < 140_000)
        {
            Assert.StartsWith($"vm.max_map_count = {max} was reached: ", refusal!.Reason, StringComparison.Ordinal);
        }

        for (int i = 1; i < maps.Count; i += 2)
        {
            space.UnmapRam(maps[i], 1);
        }

        Assert.Single(Vmas(space));
    }

    /// <summary>One-page MapRams of consecutive pool pages: consecutive slots, one VMA.</summary>
    private static (List<nint> Maps, VmapExhaustedException? Refusal) MapMergedUntilRefused(VmapSpace space, int most)
    {
        var maps = new List<nint>();
        var page = new Page[1];
        while (maps.Count < most)
        {
            page[0] = space.Pool.Allocate();
            if (!space.TryMapRam(page, out nint at))
            {
                // The refused map's flush-and-retry purges what was lazily freed; purge first, so
                // that what is compared below is the refusal alone.
                space.UnmapAliases();
                var before = TestSpaces.State(space);
                try
                {
                    // The process may have dropped mappings meanwhile; then the map succeeds after all.
                    at = space.MapRam(page);
                }
                catch (VmapExhaustedException e)
                {
                    AssertSameBut(before, TestSpaces.State(space), failed: 1);
                    return (maps, e);
                }
            }

            maps.Add(at);
        }

        return (maps, null);
    }

    /// <summary>
    /// The space, its areas and the pool are as they were; of the event counters only the failed
    /// map count moved (by one), and the purges and retries of the flush-and-retry.
    /// </summary>
    private static void AssertSameBut(
        (VmapStats Stats, string Areas, (int, long) Pool) before,
        (VmapStats Stats, string Areas, (int, long) Pool) after,
        int failed)
    {
        Assert.Equal(before.Stats.FailedMaps + failed, after.Stats.FailedMaps);
        var counters = (after.Stats.Purges, after.Stats.RetriedMaps, after.Stats.FailedMaps);
        Assert.Equal(
            before with { Stats = before.Stats with { Purges = counters.Purges, RetriedMaps = counters.RetriedMaps, FailedMaps = counters.FailedMaps } },
            after);
    }

    private static void UnmapEveryOther(VmapSpace space, List<nint> maps)
    {
        for (int i = 0; i < maps.Count; i += 2)
        {
            space.UnmapRam(maps[i], 1);
        }
    }
}
