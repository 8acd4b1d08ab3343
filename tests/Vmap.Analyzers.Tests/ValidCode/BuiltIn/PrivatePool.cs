namespace ValidCode.BuiltIn;

using System.Buffers;

/// <summary>A component with its own pool rents and returns through that same pool.</summary>
public sealed class PrivatePool
{
    private static readonly ArrayPool<byte> s_pool = ArrayPool<byte>.Create(maxArrayLength: 1 << 20, maxArraysPerBucket: 8);

    public int Fill(int length, byte value)
    {
        var buffer = s_pool.Rent(length);
        for (var i = 0; i < length; i++)
        {
            buffer[i] = value;
        }

        var last = buffer[length - 1];
        s_pool.Return(buffer);
        return last;
    }
}
