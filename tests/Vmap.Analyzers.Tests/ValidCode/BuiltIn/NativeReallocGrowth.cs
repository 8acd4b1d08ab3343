namespace ValidCode.BuiltIn;

using System.Runtime.InteropServices;

/// <summary>p = Realloc(p, n): the old block is released by the call that returns the new one.</summary>
public static unsafe class NativeReallocGrowth
{
    public static long Squares(int count)
    {
        nuint capacity = 8;
        long* values = (long*)NativeMemory.Alloc(capacity, sizeof(long));
        for (var i = 0; i < count; i++)
        {
            if ((nuint)i == capacity)
            {
                capacity *= 2;
                values = (long*)NativeMemory.Realloc(values, capacity * sizeof(long));
            }

            values[i] = (long)i * i;
        }

        long sum = 0;
        for (var i = 0; i < count; i++)
        {
            sum += values[i];
        }

        NativeMemory.Free(values);
        return sum;
    }
}
