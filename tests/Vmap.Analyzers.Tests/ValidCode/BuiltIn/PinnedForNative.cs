namespace ValidCode.BuiltIn;

using System.Runtime.InteropServices;

/// <summary>Pin a managed array for the length of a native call, unpin in finally.</summary>
public static class PinnedForNative
{
    public static int Fill(byte[] buffer)
    {
        var handle = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        try
        {
            return InteropNative.FillBuffer(handle.AddrOfPinnedObject(), buffer.Length);
        }
        finally
        {
            handle.Free();
        }
    }
}
