namespace ValidCode.BuiltIn;

using System;
using System.Buffers;

/// <summary>Too small: return the rental, rent a bigger one, try again.</summary>
public static class RentLargerOnRetry
{
    public static string Format(double value)
    {
        var size = 16;
        var buffer = ArrayPool<char>.Shared.Rent(size);
        int written;
        while (!value.TryFormat(buffer, out written, "R"))
        {
            ArrayPool<char>.Shared.Return(buffer);
            size *= 2;
            buffer = ArrayPool<char>.Shared.Rent(size);
        }

        var result = new string(buffer, 0, written);
        ArrayPool<char>.Shared.Return(buffer);
        return result;
    }
}
