namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>Aligned blocks stay aligned: AlignedRealloc, then AlignedFree.</summary>
public static unsafe class AlignedRealloc
{
    public static int Grow(int from, int to)
    {
        void* block = NativeMemory.AlignedAlloc((nuint)from, 32);
        new Span<byte>(block, from).Fill(7);
        block = NativeMemory.AlignedRealloc(block, (nuint)to, 32);
        var first = ((byte*)block)[0];
        NativeMemory.AlignedFree(block);
        return first;
    }
}
