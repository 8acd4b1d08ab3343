namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>A string marshalled by hand for an API that keeps no reference to it.</summary>
public static class Utf16ToNative
{
    public static int Measure(string text)
    {
        IntPtr native = Marshal.StringToHGlobalUni(text);
        try
        {
            return InteropNative.Measure(native);
        }
        finally
        {
            Marshal.FreeHGlobal(native);
        }
    }
}
