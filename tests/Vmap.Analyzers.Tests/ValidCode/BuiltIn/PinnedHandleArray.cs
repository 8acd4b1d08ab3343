namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>Several arrays pinned at once: the handles are kept in an array and freed in a loop.</summary>
public static class PinnedHandleArray
{
    public static long SumAddresses(byte[][] buffers)
    {
        var handles = new GCHandle[buffers.Length];
        try
        {
            long sum = 0;
            for (var i = 0; i < buffers.Length; i++)
            {
                handles[i] = GCHandle.Alloc(buffers[i], GCHandleType.Pinned);
                sum += (long)handles[i].AddrOfPinnedObject() & 0xF;
            }

            return sum;
        }
        finally
        {
            foreach (var handle in handles)
            {
                if (handle.IsAllocated)
                {
                    handle.Free();
                }
            }
        }
    }
}
