namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>Native scratch memory viewed as a span, freed in finally.</summary>
public static unsafe class NativeSpanScratch
{
    public static int CountZeros(int length)
    {
        void* p = NativeMemory.AllocZeroed((nuint)length);
        try
        {
            var span = new Span<byte>(p, length);
            span.Slice(length / 2).Fill(1);
            return span.Count((byte)0);
        }
        finally
        {
            NativeMemory.Free(p);
        }
    }
}
