namespace ValidCode.BuiltIn;

using System.Runtime.InteropServices;

/// <summary>The handle is allocated inside the try; IsAllocated guards the free.</summary>
public static class PinnedIfAllocated
{
    public static long Address(byte[] data)
    {
        GCHandle handle = default;
        try
        {
            handle = GCHandle.Alloc(data, GCHandleType.Pinned);
            return (long)handle.AddrOfPinnedObject();
        }
        finally
        {
            if (handle.IsAllocated)
            {
                handle.Free();
            }
        }
    }
}
