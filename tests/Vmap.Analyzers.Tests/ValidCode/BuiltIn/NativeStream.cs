namespace ValidCode.BuiltIn;

using System.IO;
using System.Runtime.InteropServices;

/// <summary>A native block read through UnmanagedMemoryStream; the stream is done before the free.</summary>
public static unsafe class NativeStream
{
    public static int ReadBack(byte[] data)
    {
        var block = (byte*)NativeMemory.Alloc((nuint)data.Length);
        try
        {
            using var stream = new UnmanagedMemoryStream(block, data.Length, data.Length, FileAccess.ReadWrite);
            stream.Write(data, 0, data.Length);
            stream.Position = 0;
            return stream.ReadByte();
        }
        finally
        {
            NativeMemory.Free(block);
        }
    }
}
