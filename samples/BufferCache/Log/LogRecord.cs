using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;

namespace BufferCache.Log;

/// <summary>One record of the log: its sequence number (the log sequence number, LSN) and payload.</summary>
public sealed record LogRecord(long Lsn, byte[] Payload)
{
    /// <summary>Marks the start of a record on disk (XLOG_HEADER_MAGIC_NUM).</summary>
    public const uint Magic = 0xFEEDBABE;

    /// <summary>Bytes of the on-disk header: magic, payload length, LSN, checksum.</summary>
    public const int HeaderSize = 24;

    /// <summary>Bytes the record takes on disk: header and payload, rounded up to whole basic blocks.</summary>
    public static int DiskSize(int payloadLength) => Align(HeaderSize + payloadLength, Cache.BlockDevice.BlockSize);

    /// <summary>Writes header, payload and zero padding into <paramref name="destination"/>, which is <see cref="DiskSize"/> bytes.</summary>
    public static void Encode(long lsn, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], lsn);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], Checksum(lsn, payload));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[20..], 0);
        payload.CopyTo(destination[HeaderSize..]);
        destination[(HeaderSize + payload.Length)..].Clear();
    }

    /// <summary>
    /// Finds the log's records in <paramref name="log"/>: the on-disk log of
    /// <paramref name="logBytes"/> bytes followed by a copy of its start, so a record that wraps
    /// past the end is contiguous. Older records partly overwritten fail their checksum; whole
    /// ones from an earlier lap are dropped by keeping only the run of consecutive LSNs that ends
    /// at the newest.
    /// </summary>
    public static IReadOnlyList<LogRecord> Scan(ReadOnlySpan<byte> log, int logBytes)
    {
        var found = new List<LogRecord>();
        for (int offset = 0; offset < logBytes; offset += Cache.BlockDevice.BlockSize)
        {
            if (TryDecode(log[offset..], out LogRecord? record))
            {
                found.Add(record);
            }
        }

        found.Sort((a, b) => a.Lsn.CompareTo(b.Lsn));
        int first = found.Count - 1;
        while (first > 0 && found[first - 1].Lsn == found[first].Lsn - 1)
        {
            first--;
        }

        return found.Skip(Math.Max(first, 0)).ToList();
    }

    private static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out LogRecord? record)
    {
        record = null;
        if (bytes.Length < HeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (length < 0 || length > bytes.Length - HeaderSize)
        {
            return false;
        }

        long lsn = BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]);
        ReadOnlySpan<byte> payload = bytes.Slice(HeaderSize, length);
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]) != Checksum(lsn, payload))
        {
            return false;
        }

        record = new LogRecord(lsn, payload.ToArray());
        return true;
    }

    // FNV-1a over the LSN and payload: enough to tell a whole record from a torn or stale one.
    private static uint Checksum(long lsn, ReadOnlySpan<byte> payload)
    {
        uint hash = 2166136261;
        Span<byte> lsnBytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(lsnBytes, lsn);
        foreach (byte b in lsnBytes)
        {
            hash = (hash ^ b) * 16777619;
        }

        foreach (byte b in payload)
        {
            hash = (hash ^ b) * 16777619;
        }

        return hash;
    }

    private static int Align(int value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
