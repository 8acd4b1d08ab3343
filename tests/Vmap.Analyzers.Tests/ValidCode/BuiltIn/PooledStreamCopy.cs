namespace ValidCode.BuiltIn;

using System.Buffers;
using System.IO;

/// <summary>The canonical pooled copy loop: rent once, return in finally.</summary>
public static class PooledStreamCopy
{
    public static long Copy(Stream source, Stream destination)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long total = 0;
            int read;
            while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                destination.Write(buffer, 0, read);
                total += read;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
