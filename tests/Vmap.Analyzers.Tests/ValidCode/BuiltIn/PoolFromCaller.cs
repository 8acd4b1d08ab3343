namespace ValidCode.BuiltIn;

using System;
using System.Buffers;

/// <summary>The caller picks the pool; the callee returns to the pool it rented from.</summary>
public static class PoolFromCaller
{
    public static T[] Snapshot<T>(ArrayPool<T> pool, ReadOnlySpan<T> items)
    {
        var scratch = pool.Rent(items.Length);
        try
        {
            items.CopyTo(scratch);
            Array.Reverse(scratch, 0, items.Length);
            return scratch.AsSpan(0, items.Length).ToArray();
        }
        finally
        {
            pool.Return(scratch);
        }
    }
}
