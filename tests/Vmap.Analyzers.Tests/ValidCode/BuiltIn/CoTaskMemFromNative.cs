namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>A string the native side allocated with CoTaskMemAlloc: read it, free it with the matching call.</summary>
public static class CoTaskMemFromNative
{
    public static string? Name()
    {
        if (InteropNative.GetName(out var native) != 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUni(native);
        }
        finally
        {
            Marshal.FreeCoTaskMem(native);
        }
    }

    public static IntPtr Duplicate(string value) => Marshal.StringToCoTaskMemUTF8(value);
}
