namespace ValidCode;

using System;
using Vmap;

/// <summary>Release on failure and rethrow; ownership returned on success.</summary>
public static class CatchReleaseRethrow
{
    public static nint MapAndValidate(VmapSpace space, Page[] pages, Action<nint> validate)
    {
        var address = space.MapRam(pages);
        try
        {
            validate(address);
        }
        catch
        {
            space.UnmapRam(address, pages.Length);
            throw;
        }

        return address;
    }
}
