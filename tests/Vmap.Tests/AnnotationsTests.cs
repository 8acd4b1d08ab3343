using System.Reflection;
using Vmap.Annotations;

namespace Vmap.Tests;

public class AnnotationsTests
{
    [Fact]
    public void MapsMemory_targets_return_values_and_parameters_only()
    {
        var usage = typeof(MapsMemoryAttribute).GetCustomAttribute<AttributeUsageAttribute>()!;
        Assert.Equal(AttributeTargets.ReturnValue | AttributeTargets.Parameter, usage.ValidOn);
        var a = new MapsMemoryAttribute("vmap-ram") { CountParameter = "pages" };
        Assert.Equal(("vmap-ram", "pages"), (a.Family, a.CountParameter));
    }

    [Fact]
    public void UnmapsMemory_targets_parameters_only()
    {
        var usage = typeof(UnmapsMemoryAttribute).GetCustomAttribute<AttributeUsageAttribute>()!;
        Assert.Equal(AttributeTargets.Parameter, usage.ValidOn);
        Assert.Null(new UnmapsMemoryAttribute("vmap").CountParameter);
    }
}
