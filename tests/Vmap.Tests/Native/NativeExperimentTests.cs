using System.Runtime.Versioning;
using static Vmap.Tests.Native.NativeSpace;

namespace Vmap.Tests.Native;

/// <summary>The seed's boot-time loop on real memory: the same counts, and every map a real alias of the page.</summary>
[Collection(NativeCollection.Name)]
[SupportedOSPlatform("linux")]
public class NativeExperimentTests
{
    private static readonly VmapGeometry X86 = VmapGeometry.X86_32_2011;

    [LinuxTheory]
    [InlineData(GuardMode.BetweenAllAreas, 15360, 15360 + 59)]
    [InlineData(GuardMode.VmallocOnly, 30464, 30464)]
    public void The_2011_geometry_holds_the_seed_counts_of_real_aliases(GuardMode guard, int expectedMaps, int expectedVmas)
    {
        using var space = VmapSpace.CreateNative(X86 with { Guard = guard }, VmapOptions.Kernel2011);
        var page = new[] { space.Pool.Allocate() };
        space.Pool.GetSpan(page[0])[^1] = 0x11;
        var addresses = new List<nint>();
        while (space.TryMapRam(page, out nint address))
        {
            addresses.Add(address);
        }

        Assert.Equal(expectedMaps, addresses.Count);

        // Each map of the same page is a VMA of its own (its offset does not continue its
        // neighbour's); with guards, the skipped slot between two of the 60 blocks is one reserved VMA.
        Assert.Equal(expectedVmas, Vmas(space).Count);
        Assert.All(addresses, a => Assert.Equal(0x11, space.GetSpan(a, PageSize)[^1]));
    }
}
