using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BufferCache.Cache;
using BufferCache.Log;

namespace BufferCache;

/// <summary>
/// What a small filesystem does to its buffer cache: metadata buffers of one, two and four pages
/// written and logged, the log written until a write crosses its end (a split write), everything
/// read back, the log unmounted, the log recovered and checked, the cache torn down. The same
/// steps run on either cache; on the hazardous one, the log's unmount is where the runtime steps in.
/// </summary>
public sealed class Workload
{
    /// <summary>Metadata buffers written by the workload.</summary>
    public const int MetadataBuffers = 24;

    /// <summary>Unused buffers the cache keeps before it frees the coldest.</summary>
    public const int LruLimit = 8;

    private static readonly int[] s_pageCounts = [1, 2, 4];

    private readonly TextWriter _output;
    private readonly Random _random = new(2011);
    private readonly List<(LogRecord Record, long StreamOffset)> _appended = new();
    private long _streamBytes;

    /// <summary>Prepares the workload on <paramref name="cache"/>; nothing runs until <see cref="Run"/>.</summary>
    public Workload(XfsBufCache cache, TextWriter output)
    {
        Cache = cache;
        _output = output;
        LogStart = MetadataBuffers * BlocksPerSlot(cache.PageSize);
    }

    /// <summary>The cache the workload runs on.</summary>
    public XfsBufCache Cache { get; }

    /// <summary>The log, once the workload has opened it.</summary>
    public Xlog? Log { get; private set; }

    /// <summary>First block of the log on the device, after the metadata.</summary>
    public long LogStart { get; }

    /// <summary>Every record appended to the log, in order.</summary>
    public IReadOnlyList<LogRecord> Appended => _appended.Select(a => a.Record).ToList();

    /// <summary>Log records that recovery found (empty on a space without bytes).</summary>
    public IReadOnlyList<LogRecord> Recovered { get; private set; } = [];

    /// <summary>How many pages the workload's metadata buffer <paramref name="index"/> spans.</summary>
    public static int PageCountOf(int index) => s_pageCounts[index % s_pageCounts.Length];

    /// <summary>First block of metadata buffer <paramref name="index"/>; every buffer gets room for four pages.</summary>
    public long BlockOf(int index) => index * BlocksPerSlot(Cache.PageSize);

    /// <summary>Blocks a device needs for the workload with pages of <paramref name="pageSize"/> bytes.</summary>
    public static long DeviceBlocks(int pageSize) =>
        (MetadataBuffers * BlocksPerSlot(pageSize)) + (Xlog.LogPages * (pageSize / BlockDevice.BlockSize));

    /// <summary>The byte metadata buffer <paramref name="index"/> holds at <paramref name="offset"/>.</summary>
    public static byte ExpectedByte(int index, int offset) => (byte)((index * 37) + (offset * 11) + (offset >> 8));

    /// <summary>Runs every step; throws what the cache or the runtime throws.</summary>
    public void Run()
    {
        WriteMetadata();
        WriteLogUntilSplit();
        ReadBackMetadata();
        UnmountLog();
        RecoverLog();
        Cache.Unmount();
        _output.WriteLine($"cache unmounted: {Cache.BuffersAllocated} buffers allocated, {Cache.BuffersFreed} freed");
    }

    private void WriteMetadata()
    {
        Log = new Xlog(Cache, LogStart);
        for (int i = 0; i < MetadataBuffers; i++)
        {
            XfsBuf bp = Cache.Get(BlockOf(i), PageCountOf(i));
            if (Cache.Memory.HoldsData)
            {
                Span<byte> data = Cache.Data(bp);
                for (int offset = 0; offset < data.Length; offset++)
                {
                    data[offset] = ExpectedByte(i, offset);
                }
            }

            Cache.Write(bp);
            AppendRecord(Log.MaxPayload / 8);
            Cache.Release(bp);
        }

        _output.WriteLine($"wrote {MetadataBuffers} metadata buffers of 1, 2 and 4 pages ({Cache.Maps} mapped with MapRam, {Cache.LruEvictions} freed from the LRU)");
    }

    private void WriteLogUntilSplit()
    {
        Xlog log = Log!;
        while (log.SplitWrites == 0)
        {
            AppendRecord(log.MaxPayload);
        }

        log.Force();
        _output.WriteLine($"log: {log.RecordsWritten} records, {log.Syncs} writes, {log.SplitWrites} split write(s) across the end of the {log.LogBytes / 1024} KiB log");
    }

    /// <summary>Whether metadata buffer <paramref name="bp"/> holds, through its Addr, the bytes the workload wrote to it.</summary>
    public bool ReadsAsWritten(XfsBuf bp)
    {
        int index = (int)(bp.BlockNumber / BlocksPerSlot(Cache.PageSize));
        Span<byte> data = Cache.Data(bp);
        for (int offset = 0; offset < data.Length; offset++)
        {
            if (data[offset] != ExpectedByte(index, offset))
            {
                return false;
            }
        }

        return true;
    }

    private void ReadBackMetadata()
    {
        int checkedBytes = 0;
        for (int i = 0; i < MetadataBuffers; i++)
        {
            XfsBuf bp = Cache.Read(BlockOf(i), PageCountOf(i));
            if (Cache.Memory.HoldsData)
            {
                if (!ReadsAsWritten(bp))
                {
                    throw new InvalidDataException($"Metadata buffer {i} (block {bp.BlockNumber}) does not read back as written.");
                }

                checkedBytes += bp.Length;
            }

            Cache.Release(bp);
        }

        _output.WriteLine(Cache.Memory.HoldsData
            ? $"read back {MetadataBuffers} metadata buffers: {checkedBytes} bytes as written"
            : $"read back {MetadataBuffers} metadata buffers (no bytes to compare on this space)");
    }

    private void UnmountLog()
    {
        _output.WriteLine("unmounting the log: the split-write buffer is freed first, then the in-core log buffer");
        Log!.Unmount();
        _streamBytes = Log.BytesWritten;
    }

    private void RecoverLog()
    {
        Recovered = Cache.ReadLog(LogStart);
        if (!Cache.Memory.HoldsData)
        {
            _output.WriteLine("log recovery: mapped and unmapped the log (no bytes to scan on this space)");
            return;
        }

        // Records whose first byte is older than one log's worth of writes have been overwritten.
        LogRecord[] intact = _appended
            .Where(a => a.StreamOffset >= _streamBytes - Log!.LogBytes)
            .Select(a => a.Record)
            .ToArray();
        bool same = intact.Length == Recovered.Count
            && intact.Zip(Recovered).All(p => p.First.Lsn == p.Second.Lsn && p.First.Payload.AsSpan().SequenceEqual(p.Second.Payload));
        if (!same)
        {
            throw new InvalidDataException($"Log recovery found {Recovered.Count} records (LSN {Describe(Recovered)}), expected {intact.Length} (LSN {Describe(intact)}).");
        }

        int wrapped = _appended.Count(a => a.StreamOffset >= _streamBytes - Log!.LogBytes
            && (a.StreamOffset % Log.LogBytes) + LogRecord.DiskSize(a.Record.Payload.Length) > Log.LogBytes);
        _output.WriteLine($"log recovery: {Recovered.Count} records (LSN {Describe(Recovered)}) read back as written, {wrapped} of them across the end of the log");
    }

    private void AppendRecord(int maxPayload)
    {
        byte[] payload = new byte[_random.Next(maxPayload / 2, maxPayload + 1)];
        _random.NextBytes(payload);
        long offset = _appended.Count == 0 ? 0 : _appended[^1].StreamOffset + LogRecord.DiskSize(_appended[^1].Record.Payload.Length);
        long lsn = Log!.Append(payload);
        _appended.Add((new LogRecord(lsn, payload), offset));
    }

    private static string Describe(IReadOnlyList<LogRecord> records) =>
        records.Count == 0 ? "none" : $"{records[0].Lsn}-{records[^1].Lsn}";

    private static long BlocksPerSlot(int pageSize) => 4L * pageSize / BlockDevice.BlockSize;
}
