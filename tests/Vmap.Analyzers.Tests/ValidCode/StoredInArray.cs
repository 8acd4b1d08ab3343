namespace ValidCode;

using Vmap;

/// <summary>Slots filled with mappings and released slot by slot.</summary>
public static class StoredInArray
{
    public static void Fill(VmapSpace space, nint[] slots, Page[] pages)
    {
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = space.Vmap(pages);
        }
    }

    public static void Drain(VmapSpace space, nint[] slots)
    {
        for (var i = 0; i < slots.Length; i++)
        {
            space.Vunmap(slots[i]);
            slots[i] = 0;
        }
    }
}
