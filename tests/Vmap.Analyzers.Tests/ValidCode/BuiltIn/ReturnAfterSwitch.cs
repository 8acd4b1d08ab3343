namespace ValidCode.BuiltIn;

using System.Buffers;

/// <summary>Every case uses the rental; one Return after the switch.</summary>
public static class ReturnAfterSwitch
{
    public static int Encode(int kind, int value)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(8);
        int length;
        switch (kind)
        {
            case 1:
                buffer[0] = (byte)value;
                length = 1;
                break;
            case 2:
                buffer[0] = (byte)value;
                buffer[1] = (byte)(value >> 8);
                length = 2;
                break;
            default:
                length = 0;
                break;
        }

        var first = length > 0 ? buffer[0] : 0;
        ArrayPool<byte>.Shared.Return(buffer);
        return first + length;
    }
}
