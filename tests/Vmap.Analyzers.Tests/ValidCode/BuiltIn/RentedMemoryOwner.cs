namespace ValidCode.BuiltIn;

using System;
using System.Buffers;

/// <summary>An IMemoryOwner over a rental: the rental is handed to the owner, which returns it on Dispose.</summary>
public sealed class RentedMemoryOwner : IMemoryOwner<byte>
{
    private byte[]? _array;
    private readonly int _length;

    private RentedMemoryOwner(byte[] array, int length)
    {
        _array = array;
        _length = length;
    }

    public Memory<byte> Memory => _array is null ? throw new ObjectDisposedException(nameof(RentedMemoryOwner)) : _array.AsMemory(0, _length);

    public static RentedMemoryOwner Rent(int length) => new(ArrayPool<byte>.Shared.Rent(length), length);

    public void Dispose()
    {
        var array = _array;
        if (array is not null)
        {
            _array = null;
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
