namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>Doubling a CoTaskMem block with ReAllocCoTaskMem, then one free.</summary>
public static class CoTaskMemGrowth
{
    public static int Collect(int count)
    {
        var capacity = 4;
        var block = Marshal.AllocCoTaskMem(capacity * sizeof(int));
        for (var i = 0; i < count; i++)
        {
            if (i == capacity)
            {
                capacity *= 2;
                block = Marshal.ReAllocCoTaskMem(block, capacity * sizeof(int));
            }

            Marshal.WriteInt32(block, i * sizeof(int), i);
        }

        var last = count > 0 ? Marshal.ReadInt32(block, (count - 1) * sizeof(int)) : 0;
        Marshal.FreeCoTaskMem(block);
        return last;
    }
}
