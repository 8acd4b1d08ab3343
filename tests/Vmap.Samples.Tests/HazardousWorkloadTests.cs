using BufferCache;
using BufferCache.Cache;
using BufferCache.Log;

namespace Vmap.Samples.Tests;

/// <summary>The hazardous cache: the runtime refuses the bad unmaps, and nothing else is disturbed.</summary>
public class HazardousWorkloadTests
{
    [LinuxFact]
    public void Log_unmount_unmaps_the_repointed_split_buffer_and_the_native_space_refuses_it()
    {
        using var run = SampleRun.Native(hazardous: true);

        var e = Assert.Throws<VmapMisuseException>(run.Workload.Run);

        Xlog log = run.Workload.Log!;
        XfsBuf iclog = log.Iclog;
        XfsBuf split = log.SplitBuffer;
        Assert.Equal(RuleIds.VMAP001, e.Rule);
        Assert.Equal(split.Addr, e.Address);
        Assert.InRange(split.Addr - iclog.Addr, 1, iclog.Length - 1);
        Assert.Equal(iclog.Addr, e.NearestMapping);
        Assert.Equal(Xlog.IclogPages, e.NearestMappingPages);
        string[] lines = e.Message.Split(Environment.NewLine);
        Assert.Equal(
            $"VMAP001: UnmapRam(0x{(long)split.Addr:x}, 2): 0x{(long)split.Addr:x} is not page-aligned (page size 4096): " +
            $"it points 0x{(long)(split.Addr - iclog.Addr):x} bytes into a live mapping, not at its start. " +
            $"Nearest live mapping: 0x{(long)iclog.Addr:x}, 4 pages (16384 bytes, vmap-ram). It was mapped at:",
            lines[0]);
        Assert.Contains(lines, l => l.Contains("at BufferCache.Log.Xlog..ctor(", StringComparison.Ordinal));

        AssertIntactAfterRefusedUnmap(run, log);
        Assert.All(run.Cache.CachedBuffers, bp => Assert.True(run.Workload.ReadsAsWritten(bp), $"buffer at block {bp.BlockNumber}"));

        // The iclog's mapping, the one the bad unmap pointed into, still reads.
        Assert.Equal(LogRecord.Magic, BitConverter.ToUInt32(run.Cache.Data(iclog)[..4]));
    }

    [Fact]
    public void Log_unmount_is_refused_on_the_simulated_space_too()
    {
        using var run = SampleRun.Simulated(hazardous: true);

        var e = Assert.Throws<VmapMisuseException>(run.Workload.Run);

        Xlog log = run.Workload.Log!;
        Assert.Equal(RuleIds.VMAP001, e.Rule);
        Assert.Equal(log.SplitBuffer.Addr, e.Address);
        Assert.Equal(log.Iclog.Addr, e.NearestMapping);
        Assert.StartsWith($"VMAP001: UnmapRam(0x{(long)log.SplitBuffer.Addr:x}, 2): ", e.Message);
        AssertIntactAfterRefusedUnmap(run, log);
    }

    [LinuxFact]
    public void Recovery_unmaps_the_log_count_not_the_mapped_count_and_is_refused()
    {
        using var run = SampleRun.Native(hazardous: true);
        VmapStats before = run.Space.Stats;

        var e = Assert.Throws<VmapMisuseException>(() => run.Cache.ReadLog(run.Workload.LogStart));

        Assert.Equal(RuleIds.VMAP005, e.Rule);
        Assert.Equal(e.NearestMapping, e.Address);
        Assert.Equal(Xlog.LogPages + 1, e.NearestMappingPages);
        Assert.Equal(
            $"VMAP005: UnmapRam(0x{(long)e.Address:x}, 8): the mapping at 0x{(long)e.Address:x} has 9 pages, not 8. " +
            $"Nearest live mapping: 0x{(long)e.Address:x}, 9 pages (36864 bytes, vmap-ram). It was mapped at:",
            e.Message.Split(Environment.NewLine)[0]);

        // The refused unmap changed nothing: the recovery mapping is still live and still reads.
        VmapStats after = run.Space.Stats;
        Assert.Equal(before.LiveMappings + 1, after.LiveMappings);
        Assert.Equal(before.MappedPages + Xlog.LogPages + 1, after.MappedPages);
        Assert.Equal(Xlog.LogPages + 1, run.Space.Pool.AllocatedCount);
        Assert.Equal((Xlog.LogPages + 1) * 4096, run.Space.GetSpan(e.Address, (Xlog.LogPages + 1) * 4096).Length);
    }

    private static void AssertIntactAfterRefusedUnmap(SampleRun run, Xlog log)
    {
        // Live: every cached multi-page buffer, the iclog, and the split buffer's lost mapping.
        XfsBuf[] cached = run.Cache.CachedBuffers.ToArray();
        int mappedCached = cached.Count(b => b.Mapped);
        Assert.Equal(cached.Count(b => b.PageCount > 1), mappedCached);
        VmapStats stats = run.Space.Stats;
        Assert.Equal(mappedCached + 2, stats.LiveMappings);
        Assert.Equal(cached.Where(b => b.Mapped).Sum(b => b.PageCount) + Xlog.IclogPages + Xlog.SplitBufferPages, stats.MappedPages);

        // No page was freed: the refused free stopped before the pages.
        Assert.True(log.SplitBuffer.Mapped);
        Assert.All(log.SplitBuffer.Pages.Concat(log.Iclog.Pages), p => Assert.True(run.Space.Pool.Contains(p)));
        Assert.Equal(cached.Sum(b => b.PageCount) + Xlog.IclogPages + Xlog.SplitBufferPages, run.Space.Pool.AllocatedCount);
        Assert.Equal(Workload.LruLimit, cached.Length);
    }
}
