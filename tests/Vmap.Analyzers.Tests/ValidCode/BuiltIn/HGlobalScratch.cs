namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>Allocate, let native code fill, copy out, free in finally.</summary>
public static class HGlobalScratch
{
    public static byte[] Read(int length)
    {
        var buffer = Marshal.AllocHGlobal(length);
        try
        {
            var filled = InteropNative.FillBuffer(buffer, length);
            var result = new byte[filled];
            Marshal.Copy(buffer, result, 0, filled);
            return result;
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }
}
