namespace ValidCode.BuiltIn;

using System.Runtime.InteropServices;

/// <summary>A result slot on the native heap passed to a P/Invoke, read, freed.</summary>
public static unsafe class NativeSum
{
    public static long Sum(byte[] data)
    {
        var result = (long*)NativeMemory.Alloc((nuint)sizeof(long));
        try
        {
            fixed (byte* p = data)
            {
                InteropNative.Sum(p, data.Length, result);
            }

            return *result;
        }
        finally
        {
            NativeMemory.Free(result);
        }
    }
}
