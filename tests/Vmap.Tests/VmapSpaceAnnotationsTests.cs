using System.Reflection;
using Vmap.Annotations;

namespace Vmap.Tests;

/// <summary>The analyzers pair calls by these annotations: they are part of the public contract.</summary>
public class VmapSpaceAnnotationsTests
{
    private static MethodInfo Method(string name) => typeof(VmapSpace).GetMethod(name)!;

    private static (string, string?) Maps(ICustomAttributeProvider target) =>
        target.GetCustomAttributes(typeof(MapsMemoryAttribute), false).Cast<MapsMemoryAttribute>().Select(a => (a.Family, a.CountParameter)).Single();

    private static (string, string?) Unmaps(ParameterInfo target) =>
        target.GetCustomAttributes<UnmapsMemoryAttribute>().Select(a => (a.Family, a.CountParameter)).Single();

    [Fact]
    public void Map_and_unmap_methods_carry_their_family()
    {
        Assert.Equal(("vmap-ram", "pages"), Maps(Method(nameof(VmapSpace.MapRam)).ReturnParameter));
        Assert.Equal(("vmap-ram", "pages"), Maps(Method(nameof(VmapSpace.TryMapRam)).GetParameters()[1]));
        Assert.Equal(("vmap-ram", "pageCount"), Unmaps(Method(nameof(VmapSpace.UnmapRam)).GetParameters()[0]));
        Assert.Equal(("vmap", "pages"), Maps(Method(nameof(VmapSpace.Vmap)).ReturnParameter));
        Assert.Equal(("vmap", null), Unmaps(Method(nameof(VmapSpace.Vunmap)).GetParameters()[0]));
        Assert.Equal(("vmalloc", null), Maps(Method(nameof(VmapSpace.Vmalloc)).ReturnParameter));
        Assert.Equal(("vmalloc", null), Unmaps(Method(nameof(VmapSpace.Vfree)).GetParameters()[0]));
    }
}
