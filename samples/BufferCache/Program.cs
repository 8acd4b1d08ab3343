using System;
using System.IO;
using System.Linq;
using BufferCache;
using BufferCache.Cache;
using BufferCache.Fixed;
using BufferCache.Hazardous;
using Vmap;

// The hazardous cache by default; the corrected one with --fixed. Exit 3 when the runtime refuses an unmap.
bool runFixed = args.Contains("--fixed");
if (args.Any(a => a != "--fixed"))
{
    Console.Error.WriteLine("usage: BufferCache [--fixed]");
    return 2;
}

var options = new VmapOptions { TrackProvenance = true };
(VmapSpace space, bool native) = OpenSpace(options);
using (space)
{
    BufferMemory memory = BufferMemory.For(space, native);
    var device = new BlockDevice(Workload.DeviceBlocks(space.Pool.PageSize));
    XfsBufCache cache = runFixed
        ? new FixedBufCache(space, memory, device, Workload.LruLimit)
        : new HazardousBufCache(space, memory, device, Workload.LruLimit);
    Console.WriteLine($"BufferCache: the {cache.Variant} cache on {memory.Description}");

    var workload = new Workload(cache, Console.Out);
    try
    {
        workload.Run();
    }
    catch (VmapMisuseException e)
    {
        Console.WriteLine();
        Console.WriteLine($"the runtime refused the unmap ({nameof(VmapMisuseException)}, rule {e.Rule}):");
        Console.WriteLine(e.Message.TrimEnd());
        Console.WriteLine();
        int readable = memory.HoldsData ? cache.CachedBuffers.Count(workload.ReadsAsWritten) : 0;
        Console.WriteLine(
            $"nothing changed: {space.Stats.LiveMappings} mappings still live (the split buffer's own one among them, " +
            $"though its Addr no longer names it), {cache.CachedBuffers.Count} cached buffers intact" +
            (memory.HoldsData ? $", {readable} of them still reading as written" : ""));
        Console.WriteLine("the corrected cache: dotnet run --project samples/BufferCache -- --fixed");
        return 3;
    }

    space.UnmapAliases();
    VmapStats stats = space.Stats;

    // Every mapping the run made is a buffer's or recovery's; whatever is not live any more was unmapped.
    int maps = cache.Maps + 1;
    Console.WriteLine(
        $"stats: buffers {cache.BuffersAllocated} allocated / {cache.BuffersFreed} freed, " +
        $"maps {maps} ({cache.Maps} buffers, 1 log recovery), unmaps {maps - stats.LiveMappings}, purges {stats.Purges}, " +
        $"space in use: {stats.LiveMappings} mappings, {stats.MappedPages} mapped pages, {stats.LiveAreas} areas, " +
        $"{stats.LazilyFreedPages} lazily freed pages; pool pages in use {space.Pool.AllocatedCount}");
    return stats.LiveMappings == 0 && space.Pool.AllocatedCount == 0 ? 0 : 1;
}

static (VmapSpace Space, bool Native) OpenSpace(VmapOptions options)
{
    if (OperatingSystem.IsLinux())
    {
        try
        {
            return (VmapSpace.CreateNative(options: options), true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            Console.WriteLine($"native space unavailable ({e.Message}); using the simulated one");
        }
    }

    return (VmapSpace.CreateSimulated(VmapGeometry.Default64, options), false);
}
