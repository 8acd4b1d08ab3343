using System;
using BufferCache.Cache;

namespace BufferCache.Log;

/// <summary>
/// The log writer, after fs/xfs/xfs_log.c: records gather in an in-core log buffer (the iclog)
/// and are written to a circular on-disk log. A write that crosses the end of the log is split
/// (xlog_sync): the first part goes out from the iclog, the rest through a second buffer that is
/// pointed into the iclog with <see cref="XfsBufCache.SetPtr"/> and written at the log's start.
/// </summary>
public sealed class Xlog
{
    /// <summary>Size of the on-disk log in pages (32 KiB with 4 KiB pages).</summary>
    public const int LogPages = 8;

    /// <summary>Size of the in-core log buffer in pages; it is mapped, so records may cross its pages.</summary>
    public const int IclogPages = 4;

    /// <summary>Size of the split-write buffer in pages (l_xbuf); mapped like any multi-page buffer.</summary>
    public const int SplitBufferPages = 2;

    private readonly XfsBufCache _cache;
    private int _head;
    private int _used;
    private long _nextLsn = 1;

    /// <summary>Opens the log that occupies <see cref="LogPages"/> pages of the device from <paramref name="logStart"/>.</summary>
    public Xlog(XfsBufCache cache, long logStart)
    {
        _cache = cache;
        LogStart = logStart;
        LogBytes = LogPages * cache.PageSize;
        Iclog = cache.GetUncached(IclogPages);
        SplitBuffer = cache.GetUncached(SplitBufferPages);
    }

    /// <summary>The in-core log buffer (iclog): records gather here before a sync.</summary>
    public XfsBuf Iclog { get; }

    /// <summary>The buffer that carries the wrapped part of a split write (l_xbuf).</summary>
    public XfsBuf SplitBuffer { get; }

    /// <summary>First block of the on-disk log.</summary>
    public long LogStart { get; }

    /// <summary>Size of the on-disk log in bytes.</summary>
    public int LogBytes { get; }

    /// <summary>The largest payload one record may carry: a record fits in one page, so recovery can read a wrapped one contiguously.</summary>
    public int MaxPayload => _cache.PageSize - LogRecord.HeaderSize;

    /// <summary>Records appended so far.</summary>
    public int RecordsWritten { get; private set; }

    /// <summary>Bytes written to the on-disk log so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Writes of the iclog to disk.</summary>
    public int Syncs { get; private set; }

    /// <summary>Writes that crossed the end of the log and went out in two parts.</summary>
    public int SplitWrites { get; private set; }

    /// <summary>Appends a record; returns its LSN. The record reaches disk with the next sync.</summary>
    public long Append(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxPayload)
        {
            throw new ArgumentException($"A log record carries at most {MaxPayload} bytes, not {payload.Length}.", nameof(payload));
        }

        int size = LogRecord.DiskSize(payload.Length);
        if (_used + size > Iclog.Length)
        {
            Sync();
        }

        long lsn = _nextLsn++;
        if (_cache.Memory.HoldsData)
        {
            LogRecord.Encode(lsn, payload, _cache.Data(Iclog).Slice(_used, size));
        }

        _used += size;
        RecordsWritten++;
        return lsn;
    }

    /// <summary>Writes what the iclog holds (xfs_log_force).</summary>
    public void Force()
    {
        if (_used > 0)
        {
            Sync();
        }
    }

    /// <summary>Forces the log and frees its buffers (xfs_log_unmount): the split buffer first, then the iclog.</summary>
    public void Unmount()
    {
        Force();
        _cache.Free(SplitBuffer);
        _cache.Free(Iclog);
    }

    private void Sync()
    {
        int count = _used;
        if (_head + count > LogBytes)
        {
            int split = LogBytes - _head;
            _cache.WriteAt(Iclog, LogStart + (_head / BlockDevice.BlockSize), split);
            _cache.SetPtr(SplitBuffer, Iclog.Addr + split, count - split);
            _cache.WriteAt(SplitBuffer, LogStart, count - split);
            _head = count - split;
            SplitWrites++;
        }
        else
        {
            _cache.WriteAt(Iclog, LogStart + (_head / BlockDevice.BlockSize), count);
            _head = (_head + count) % LogBytes;
        }

        BytesWritten += count;
        _used = 0;
        Syncs++;
    }
}
