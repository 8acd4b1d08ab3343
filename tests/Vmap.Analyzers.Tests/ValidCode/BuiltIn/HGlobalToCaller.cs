namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>Allocation helpers hand the block to the caller, who frees it.</summary>
public static class HGlobalToCaller
{
    public static IntPtr Zeroed(int size)
    {
        var p = Marshal.AllocHGlobal(size);
        for (var i = 0; i < size; i++)
        {
            Marshal.WriteByte(p, i, 0);
        }

        return p;
    }

    public static void Use()
    {
        var block = Zeroed(64);
        Marshal.WriteInt32(block, 42);
        Marshal.FreeHGlobal(block);
    }
}
