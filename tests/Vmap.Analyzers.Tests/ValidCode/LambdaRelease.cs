namespace ValidCode;

using System;
using Vmap;

/// <summary>The release is deferred into a callback.</summary>
public static class LambdaRelease
{
    public static Action Defer(VmapSpace space, nuint bytes)
    {
        var area = space.Vmalloc(bytes);
        return () => space.Vfree(area);
    }
}
