namespace ValidCode;

using Vmap;

/// <summary>The address doubles as the "is mapped" test.</summary>
public static class ZeroTestedRelease
{
    public static void Run(VmapSpace space, nuint bytes, System.Func<bool> decide)
    {
        nint area = 0;
        if (decide())
        {
            area = space.Vmalloc(bytes);
        }

        if (area != 0)
        {
            space.Vfree(area);
        }
    }
}
