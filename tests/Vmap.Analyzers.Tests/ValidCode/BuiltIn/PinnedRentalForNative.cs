namespace ValidCode.BuiltIn;

using System;
using System.Buffers;
using System.Runtime.InteropServices;

/// <summary>A rented array pinned for a native fill: unpin first, then return the rental.</summary>
public static class PinnedRentalForNative
{
    public static byte[] Fill(int length)
    {
        var rented = ArrayPool<byte>.Shared.Rent(length);
        var handle = GCHandle.Alloc(rented, GCHandleType.Pinned);
        try
        {
            var filled = InteropNative.FillBuffer(handle.AddrOfPinnedObject(), length);
            return rented.AsSpan(0, filled).ToArray();
        }
        finally
        {
            handle.Free();
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
