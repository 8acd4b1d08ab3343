using System;

namespace BufferCache.Cache;

/// <summary>An in-memory disk addressed in 512-byte basic blocks (BBSIZE), like xfs_daddr_t.</summary>
public sealed class BlockDevice(long blocks)
{
    /// <summary>Bytes per basic block.</summary>
    public const int BlockSize = 512;

    private readonly byte[] _bytes = new byte[checked(blocks * BlockSize)];

    /// <summary>Size of the device in basic blocks.</summary>
    public long Blocks => blocks;

    /// <summary>Copies <paramref name="destination"/>.Length bytes starting at <paramref name="block"/> into <paramref name="destination"/>.</summary>
    public void Read(long block, Span<byte> destination) => Range(block, destination.Length).CopyTo(destination);

    /// <summary>Writes <paramref name="source"/> starting at <paramref name="block"/>.</summary>
    public void Write(long block, ReadOnlySpan<byte> source) => source.CopyTo(Range(block, source.Length));

    private Span<byte> Range(long block, int length)
    {
        if (block < 0 || length % BlockSize != 0 || block + (length / BlockSize) > blocks)
        {
            throw new ArgumentOutOfRangeException(nameof(block), block, $"I/O of {length} bytes at block {block} is not whole blocks inside the {blocks}-block device.");
        }

        return _bytes.AsSpan((int)(block * BlockSize), length);
    }
}
