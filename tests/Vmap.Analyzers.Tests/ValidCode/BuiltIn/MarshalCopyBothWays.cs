namespace ValidCode.BuiltIn;

using System.Runtime.InteropServices;

/// <summary>Marshal.Copy uses the block without taking it over; the free still follows.</summary>
public static class MarshalCopyBothWays
{
    public static short[] Swap(short[] values)
    {
        var block = Marshal.AllocHGlobal(values.Length * sizeof(short));
        Marshal.Copy(values, 0, block, values.Length);
        var result = new short[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var v = Marshal.ReadInt16(block, i * sizeof(short));
            result[values.Length - 1 - i] = v;
        }

        Marshal.FreeHGlobal(block);
        return result;
    }
}
