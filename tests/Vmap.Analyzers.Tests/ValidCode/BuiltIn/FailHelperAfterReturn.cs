namespace ValidCode.BuiltIn;

using System;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;

/// <summary>
/// A pack that gives the rental back and fails through a [DoesNotReturn] throw helper: the owner
/// is only built on the path where packing succeeded, so the rental is not used after its return.
/// </summary>
public static class FailHelperAfterReturn
{
    public static PackedOwner Pack(ReadOnlySpan<byte> input)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(input.Length + 16);
        if (!TryPack(input, buffer, out int length))
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
            PackFailure.Invalid();
        }

        return new PackedOwner(buffer, length);
    }

    public static PackedOwner PackChecked(ReadOnlySpan<byte> input)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(input.Length + 16);
        bool packed = TryPack(input, buffer, out int length);
        if (!packed)
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
            PackFailure.InvalidIf(true);
        }

        return new PackedOwner(buffer, length);
    }

    private static bool TryPack(ReadOnlySpan<byte> input, byte[] output, out int written)
    {
        if (input.Length > output.Length)
        {
            written = 0;
            return false;
        }

        input.CopyTo(output);
        written = input.Length;
        return true;
    }
}

public static class PackFailure
{
    [DoesNotReturn]
    public static void Invalid() => throw new InvalidOperationException("The input does not pack.");

    public static void InvalidIf([DoesNotReturnIf(true)] bool failed)
    {
        if (failed)
        {
            throw new InvalidOperationException("The input does not pack.");
        }
    }
}

/// <summary>Owns a pooled array from here on and gives it back when disposed.</summary>
public sealed class PackedOwner : IDisposable
{
    private byte[]? _buffer;

    public PackedOwner(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
