using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Vmap;

namespace BufferCache.Cache;

/// <summary>
/// What stands behind an address the cache hands out: the space's mappings, or a page's own
/// address (page_address(): a one-page buffer needs no mapping).
/// </summary>
public abstract class BufferMemory
{
    /// <summary>Whether there are bytes behind the addresses; false for the simulated space, which only hands out numbers.</summary>
    public abstract bool HoldsData { get; }

    /// <summary>A short description for the sample's first line.</summary>
    public abstract string Description { get; }

    /// <summary>The page's own address, where a one-page buffer's bytes are seen without any mapping.</summary>
    public abstract nint PageAddress(Page page);

    /// <summary>The bytes at [address, address + length), which must lie in one mapping or one page.</summary>
    public abstract Span<byte> At(nint address, int length);

    /// <summary>Memory for <paramref name="space"/>: real bytes for a native space, numbers only for a simulated one.</summary>
    public static BufferMemory For(VmapSpace space, bool native) =>
        native ? new NativeBufferMemory(space) : new SimulatedBufferMemory(space);
}

/// <summary>
/// A native space: the pool keeps a linear map of its pages (the kernel's direct map), so a page's
/// own address is real, and a mapped address is checked by the space itself.
/// </summary>
internal sealed unsafe class NativeBufferMemory(VmapSpace space) : BufferMemory
{
    // Only pages whose address was handed out are looked up by address: those are the one-page buffers.
    private readonly Dictionary<nint, Page> _pagesByAddress = new();

    public override bool HoldsData => true;

    public override string Description => "the native Linux vmap space (real memory: memfd pages mapped into one reservation)";

    public override nint PageAddress(Page page)
    {
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(space.Pool.GetSpan(page)));
        _pagesByAddress[address] = page;
        return address;
    }

    public override Span<byte> At(nint address, int length)
    {
        int pageSize = space.Pool.PageSize;
        nint pageStart = address & ~(nint)(pageSize - 1);
        if (_pagesByAddress.TryGetValue(pageStart, out Page page) && space.Pool.Contains(page))
        {
            return space.Pool.GetSpan(page).Slice((int)(address - pageStart), length);
        }

        // Everything else must be inside one live mapping; the space refuses anything else (VMAP004).
        return space.GetSpan(address, length);
    }
}

/// <summary>
/// A simulated space has no memory behind its pages. Pages get distinct, page-aligned numbers as
/// their own addresses, past the end of the space so no unmap can mistake one for a mapping, and
/// the cache's bookkeeping runs unchanged.
/// </summary>
internal sealed class SimulatedBufferMemory(VmapSpace space) : BufferMemory
{
    public override bool HoldsData => false;

    public override string Description => "the simulated vmap space (numbers only: no bytes behind the pages, so data is not moved or checked)";

    public override nint PageAddress(Page page) => space.End + (nint)((page.Index + 1) * space.Pool.PageSize);

    public override Span<byte> At(nint address, int length) =>
        throw new NotSupportedException("The simulated space has no bytes behind its addresses.");
}
