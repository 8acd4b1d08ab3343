namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>A block allocated only when needed; a local flag says whether to free it.</summary>
public static unsafe class FlaggedNativeBlock
{
    public static int Sum(ReadOnlySpan<int> values)
    {
        var onHeap = values.Length > 64;
        int* scratch = stackalloc int[64];
        if (onHeap)
        {
            scratch = (int*)NativeMemory.Alloc((nuint)values.Length, sizeof(int));
        }

        var sum = 0;
        for (var i = 0; i < values.Length; i++)
        {
            scratch[i] = values[i];
            sum += scratch[i];
        }

        if (onHeap)
        {
            NativeMemory.Free(scratch);
        }

        return sum;
    }
}
