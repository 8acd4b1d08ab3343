namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>The block is allocated inside the try; the finally frees it only if the allocation happened.</summary>
public static class ZeroGuardedFree
{
    public static int Run(string text)
    {
        IntPtr p = IntPtr.Zero;
        try
        {
            p = Marshal.StringToHGlobalUni(text);
            return InteropNative.Measure(p);
        }
        finally
        {
            if (p != IntPtr.Zero)
            {
                Marshal.FreeHGlobal(p);
            }
        }
    }
}
