namespace ValidCode.BuiltIn;

using System;
using System.Buffers;

/// <summary>Small inputs on the stack, large ones from the pool; only the rental is returned.</summary>
public static class StackallocOrRent
{
    public static int Checksum(ReadOnlySpan<byte> input)
    {
        byte[]? rented = null;
        Span<byte> scratch = input.Length <= 512
            ? stackalloc byte[512]
            : (rented = ArrayPool<byte>.Shared.Rent(input.Length));
        try
        {
            input.CopyTo(scratch);
            var sum = 0;
            foreach (var b in scratch.Slice(0, input.Length))
            {
                sum = (sum * 31) + b;
            }

            return sum;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
