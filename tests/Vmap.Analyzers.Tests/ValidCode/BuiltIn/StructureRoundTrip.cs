namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>StructureToPtr into an HGlobal block sized by SizeOf, read back, destroy, free.</summary>
public static class StructureRoundTrip
{
    [StructLayout(LayoutKind.Sequential)]
    public struct Header
    {
        public int Magic;
        public int Length;
    }

    public static Header Echo(Header header)
    {
        var size = Marshal.SizeOf<Header>();
        var p = Marshal.AllocHGlobal(size);
        try
        {
            Marshal.StructureToPtr(header, p, fDeleteOld: false);
            var copy = Marshal.PtrToStructure<Header>(p);
            Marshal.DestroyStructure<Header>(p);
            return copy;
        }
        finally
        {
            Marshal.FreeHGlobal(p);
        }
    }
}
