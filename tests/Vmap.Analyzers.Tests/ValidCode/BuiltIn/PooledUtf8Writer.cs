namespace ValidCode.BuiltIn;

using System.Buffers;
using System.IO;
using System.Text;

/// <summary>Encode into a rented buffer sized by GetMaxByteCount, write, return.</summary>
public static class PooledUtf8Writer
{
    public static void WriteLine(Stream stream, string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length + 1);
        var bytes = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var length = Encoding.UTF8.GetBytes(text, 0, text.Length, bytes, 0);
            bytes[length++] = (byte)'\n';
            stream.Write(bytes, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
