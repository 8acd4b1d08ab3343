using BufferCache;
using BufferCache.Cache;
using BufferCache.Fixed;
using BufferCache.Hazardous;

namespace Vmap.Samples.Tests;

/// <summary>One workload on a fresh space, set up as the sample's Program sets it up.</summary>
internal sealed class SampleRun : IDisposable
{
    private SampleRun(VmapSpace space, bool native, bool hazardous)
    {
        Space = space;
        BufferMemory memory = BufferMemory.For(space, native);
        var device = new BlockDevice(Workload.DeviceBlocks(space.Pool.PageSize));
        Cache = hazardous
            ? new HazardousBufCache(space, memory, device, Workload.LruLimit)
            : new FixedBufCache(space, memory, device, Workload.LruLimit);
        Workload = new Workload(Cache, TextWriter.Null);
    }

    public VmapSpace Space { get; }

    public XfsBufCache Cache { get; }

    public Workload Workload { get; }

    public static SampleRun Native(bool hazardous) =>
        new(VmapSpace.CreateNative(options: new VmapOptions { TrackProvenance = true }), native: true, hazardous);

    public static SampleRun Simulated(bool hazardous) =>
        new(VmapSpace.CreateSimulated(VmapGeometry.Default64), native: false, hazardous);

    public void Dispose() => Space.Dispose();
}
