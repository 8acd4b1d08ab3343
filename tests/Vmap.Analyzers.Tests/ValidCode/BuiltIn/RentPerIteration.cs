namespace ValidCode.BuiltIn;

using System.Buffers;
using System.Collections.Generic;
using System.Text;

/// <summary>One rental per loop iteration, returned before the next.</summary>
public static class RentPerIteration
{
    public static int TotalBytes(IEnumerable<string> lines)
    {
        var total = 0;
        foreach (var line in lines)
        {
            var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(line.Length));
            total += Encoding.UTF8.GetBytes(line, 0, line.Length, bytes, 0);
            ArrayPool<byte>.Shared.Return(bytes);
        }

        return total;
    }
}
