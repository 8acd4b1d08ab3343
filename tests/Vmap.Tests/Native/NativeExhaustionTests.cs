using System.Globalization;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Vmap.Native;
using static Vmap.Tests.Native.NativeSpace;

namespace Vmap.Tests.Native;

/// <summary>Running out of vm.max_map_count: a clean VmapExhaustedException, and every mapping as it was.</summary>
[Collection(NativeCollection.Name)]
[SupportedOSPlatform("linux")]
public partial class NativeExhaustionTests
{
    [LinuxFact]
    public void A_low_map_count_limit_ends_in_a_clean_exhaustion_that_changes_nothing()
    {
        using var space = Create(Options with { MapCountLimit = 10 });
        var pages = Allocate(space, 40);
        for (int i = 0; i < pages.Length; i++)
        {
            space.Pool.GetSpan(pages[i]).Fill((byte)i);
        }

        // Every other pool page, one per map, at neighbouring block slots: one VMA each, plus the
        // reserved rest of the space.
        var mapped = new List<nint>();
        VmapExhaustedException? e = null;
        while (e is null)
        {
            var vmas = Vmas(space);
            try
            {
                mapped.Add(space.MapRam([pages[2 * mapped.Count]]));
            }
            catch (VmapExhaustedException caught)
            {
                e = caught;
                Assert.Equal(vmas, Vmas(space));
            }
        }

        Assert.Equal(9, mapped.Count);
        Assert.Equal(
            "MapRam of 1 page failed after a purge and a retry: 15360 free pages, largest free run 15360 pages, 0 lazily freed pages pending. " +
            $"The backend refused: the map-count limit VmapOptions.MapCountLimit = 10 (standing in for vm.max_map_count = {LinuxBackend.ReadMaxMapCount()}) was reached: " +
            $"mapping 1 page(s) at 0x{mapped[^1] + PageSize:x} would cut this space's reservation into 11 mappings; it holds 10.",
            e.Message);
        Assert.Equal((9, 1L, 1L), (space.Stats.LiveMappings, space.Stats.RetriedMaps, space.Stats.FailedMaps));
        for (int i = 0; i < mapped.Count; i++)
        {
            Assert.True(space.GetSpan(mapped[i], PageSize).SequenceEqual(space.Pool.GetSpan(pages[2 * i])), $"mapping {i}");
        }

        // The limit counts VMAs, not maps: a page that continues the last mapping's offsets merges with it.
        nint merged = space.MapRam([pages[17]]);
        Assert.Equal(mapped[^1] + PageSize, merged);
        Assert.Equal(10, Vmas(space).Count);
    }

    [LinuxFact]
    public void The_real_vm_max_map_count_ends_in_a_clean_exhaustion_that_leaves_the_runtime_room()
    {
        // Let the GC finish trimming what earlier tests allocated before the count is taken: its
        // unmaps during the run are the drift below.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        int max = LinuxBackend.ReadMaxMapCount();
        using var space = VmapSpace.CreateNative(options: Options);
        var page = new[] { space.Pool.Allocate() };
        space.Pool.GetSpan(page[0]).Fill(0x27);

        // The seed's loop on real memory: the same page again and again, each map its own VMA.
        long maps = 0;
        while (space.TryMapRam(page, out _))
        {
            maps++;
        }

        int ceiling = max - LinuxBackend.RuntimeHeadroom + Drift;
        var (more, e) = MapUntilRefused(space, page, ceiling);
        maps += more;

        Assert.Equal(maps, space.Stats.LiveMappings);
        Assert.Equal(maps + 1, Vmas(space).Count);
        int Number(string name) => int.Parse(Reason(e).Groups[name].Value, CultureInfo.InvariantCulture);
        Assert.Equal(
            (max, Math.Max(0, max - Number("others") - LinuxBackend.RuntimeHeadroom), maps + 2, maps + 1),
            (Number("max"), Number("budget"), (long)Number("would"), (long)Number("holds")));

        // The process stopped about RuntimeHeadroom short of the kernel's limit.
        Assert.InRange(ProcMaps.Read().Count, max - LinuxBackend.RuntimeHeadroom - Drift, max - LinuxBackend.RuntimeHeadroom + Drift);
        Assert.StartsWith("MapRam of 1 page failed after a purge and a retry: ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith($"The backend refused: {e.Reason}", e.Message, StringComparison.Ordinal);

        // The runtime still has room: a thread, a full collection.
        var thread = new Thread(() => GC.Collect(2, GCCollectionMode.Forced, blocking: true));
        thread.Start();
        thread.Join();
        Assert.Equal(0x27, space.GetSpan(space.Start + (nint)(PageSize * (maps - 1)), PageSize)[PageSize - 1]);

        // Another space shares the process's budget: refused cleanly within the drift, until the first lets go.
        using var other = Create();
        var fresh = new[] { other.Pool.Allocate() };
        var (squeezedIn, refused) = MapUntilRefused(other, fresh, ceiling);
        Assert.Equal(squeezedIn + 1, Vmas(other).Count);
        Assert.Equal(squeezedIn + 1, (long)int.Parse(Reason(refused).Groups["holds"].Value, CultureInfo.InvariantCulture));
        space.Dispose();
        nint address = other.MapRam(fresh);
        other.GetSpan(address, PageSize).Fill(0x72);
        Assert.Equal(0x72, other.Pool.GetSpan(fresh[0])[PageSize - 1]);
    }

    /// <summary>How far the rest of the process (the runtime's own threads) may move its mapping count meanwhile.</summary>
    private const int Drift = 256;

    /// <summary>
    /// Maps until the space refuses, checking that the refusal changed no mapping. The rest of the
    /// process may let mappings go between calls (thread-pool threads of earlier tests retiring
    /// free their stacks), so more maps may still fit; what must hold is that no map takes the
    /// process past <paramref name="ceiling"/>, the budget plus the drift.
    /// </summary>
    private static (long Maps, VmapExhaustedException Refusal) MapUntilRefused(VmapSpace space, Page[] page, int ceiling)
    {
        for (long maps = 0; maps <= 16 * Drift; maps++)
        {
            var vmas = Vmas(space);
            try
            {
                space.MapRam(page);
                int count = ProcMaps.Read().Count;
                Assert.True(count <= ceiling, $"a map took the process to {count} mappings, past the budget plus drift ({ceiling})");
            }
            catch (VmapExhaustedException e)
            {
                Assert.Equal(vmas, Vmas(space));
                return (maps, e);
            }
        }

        throw new Xunit.Sdk.XunitException($"{16 * Drift} maps past the first refusal went through.");
    }

    private static Match Reason(VmapExhaustedException e)
    {
        var reason = ReasonPattern().Match(e.Reason ?? string.Empty);
        Assert.True(reason.Success, e.Reason);
        return reason;
    }

    [GeneratedRegex(@"^vm\.max_map_count = (?<max>\d+) was reached: the process holds (?<others>\d+) mappings outside this space and keeps 1024 free for the runtime, which leaves (?<budget>\d+) for this space: mapping 1 page\(s\) at 0x[0-9a-f]+ would cut this space's reservation into (?<would>\d+) mappings; it holds (?<holds>\d+)\.$")]
    private static partial Regex ReasonPattern();
}
