namespace ValidCode.BuiltIn;

using System.Buffers;
using System.IO;

/// <summary>The error path returns before rethrowing; the success path returns after use.</summary>
public static class ReturnInCatchThenRethrow
{
    public static int ReadHeader(Stream stream)
    {
        var header = ArrayPool<byte>.Shared.Rent(16);
        int read;
        try
        {
            read = stream.Read(header, 0, 16);
        }
        catch (IOException)
        {
            ArrayPool<byte>.Shared.Return(header);
            throw;
        }

        var magic = read >= 4 ? header[0] | (header[1] << 8) : -1;
        ArrayPool<byte>.Shared.Return(header);
        return magic;
    }
}
