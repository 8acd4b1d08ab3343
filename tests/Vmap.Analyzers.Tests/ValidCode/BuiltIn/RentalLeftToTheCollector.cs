namespace ValidCode.BuiltIn;

using System;
using System.Buffers;

/// <summary>
/// On the failure path the rental is simply dropped: the GC collects it and the pool rents a new
/// one later. Legal for ArrayPool, so not a VMAP002.
/// </summary>
public static class RentalLeftToTheCollector
{
    public static int Parse(ReadOnlySpan<char> text)
    {
        var digits = ArrayPool<int>.Shared.Rent(text.Length);
        var count = 0;
        foreach (var c in text)
        {
            if (!char.IsDigit(c))
            {
                throw new FormatException("not a number: " + text.ToString());
            }

            digits[count++] = c - '0';
        }

        var value = 0;
        for (var i = 0; i < count; i++)
        {
            value = (value * 10) + digits[i];
        }

        ArrayPool<int>.Shared.Return(digits);
        return value;
    }
}
