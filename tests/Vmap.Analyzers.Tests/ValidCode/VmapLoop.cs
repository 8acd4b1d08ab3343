namespace ValidCode;

using Vmap;

/// <summary>Map and unmap once per iteration, as a streaming copier does.</summary>
public static class VmapLoop
{
    public static int Stream(VmapSpace space, Page[] window, int rounds)
    {
        var done = 0;
        for (var i = 0; i < rounds; i++)
        {
            var address = space.Vmap(window);
            done++;
            space.Vunmap(address);
        }

        return done;
    }
}
