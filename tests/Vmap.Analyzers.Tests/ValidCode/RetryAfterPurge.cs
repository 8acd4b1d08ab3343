namespace ValidCode;

using Vmap;

/// <summary>Chinner's loop, kept by cautious callers: purge and retry a failed map.</summary>
public static class RetryAfterPurge
{
    public static nint MapWithRetry(VmapSpace space, Page[] pages)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (space.TryMapRam(pages, out var address))
            {
                return address;
            }

            space.UnmapAliases();
        }

        return 0;
    }
}
