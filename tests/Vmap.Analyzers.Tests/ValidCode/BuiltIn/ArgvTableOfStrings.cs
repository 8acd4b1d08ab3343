namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>
/// An argv table for a native entry point: each string is written into the table, which owns it
/// from then on; freeing the table frees every string read back from it. A cursor walks the
/// table while the table's own variable keeps its start.
/// </summary>
public static class ArgvTableOfStrings
{
    public static IntPtr Build(string[] args)
    {
        IntPtr table = Marshal.AllocHGlobal((args.Length + 1) * IntPtr.Size);
        IntPtr cursor = table;
        foreach (var arg in args)
        {
            Marshal.WriteIntPtr(cursor, Marshal.StringToHGlobalAnsi(arg));
            cursor += IntPtr.Size;
        }

        Marshal.WriteIntPtr(cursor, IntPtr.Zero);
        return table;
    }

    public static void Free(IntPtr table, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Marshal.FreeHGlobal(Marshal.ReadIntPtr(table, i * IntPtr.Size));
        }

        Marshal.FreeHGlobal(table);
    }
}
