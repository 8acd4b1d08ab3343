namespace Vmap.Purge;

/// <summary>
/// Purged ranges that wait, oldest first, before they return to free space (ours, as sanitizers
/// quarantine freed memory; only with TrackProvenance). While a range waits, nobody can get its
/// address, so a stale second unmap of what lived there still finds the record of the first and is
/// refused as a double unmap instead of unmapping the next owner's mapping. Bounded twice: in pages
/// (the address space it holds back) and in bytes (the stack traces the records in its ranges
/// keep); the oldest range leaves once either bound is passed.
/// </summary>
internal sealed class Quarantine
{
    private readonly LinkedList<Range> _ranges = new();

    public Quarantine(long boundPages, long boundBytes)
    {
        BoundPages = boundPages;
        BoundBytes = boundBytes;
    }

    /// <summary>The most pages that wait.</summary>
    public long BoundPages { get; }

    /// <summary>The most bytes of stack traces the waiting ranges' records may keep.</summary>
    public long BoundBytes { get; }

    /// <summary>Pages waiting.</summary>
    public long Pages { get; private set; }

    /// <summary>Bytes of stack traces kept by the records of the waiting ranges.</summary>
    public long Bytes { get; private set; }

    public IEnumerable<(long Start, long End)> Ranges => _ranges.Select(r => (r.Start, r.End));

    /// <summary>Quarantines [start, end), whose records keep <paramref name="bytes"/> bytes of traces; hands the oldest ranges to <paramref name="release"/> while a bound is passed.</summary>
    public void Add(long start, long end, long bytes, Action<long, long> release)
    {
        _ranges.AddLast(new Range(start, end, bytes));
        Pages += end - start;
        Bytes += bytes;
        while (Pages > BoundPages || Bytes > BoundBytes)
        {
            Release(release);
        }
    }

    /// <summary>
    /// Hands the oldest ranges to <paramref name="release"/> one at a time until <paramref name="fits"/>
    /// says the map that needs room now fits. When even the whole quarantine would not make it fit,
    /// every range is taken back (<paramref name="takeBack"/>) and waits as before, in the same
    /// order: a map that fails anyway must not hand out the addresses the quarantine protects.
    /// </summary>
    /// <returns>True when the map fits now.</returns>
    public bool DrainUntil(Func<bool> fits, Action<long, long> release, Action<long, long> takeBack)
    {
        if (fits())
        {
            return true;
        }

        var released = new List<Range>();
        while (_ranges.First is { } oldest)
        {
            _ranges.RemoveFirst();
            released.Add(oldest.Value);
            Pages -= oldest.Value.End - oldest.Value.Start;
            Bytes -= oldest.Value.Bytes;
            release(oldest.Value.Start, oldest.Value.End);
            if (fits())
            {
                return true;
            }
        }

        for (int i = released.Count - 1; i >= 0; i--)
        {
            var r = released[i];
            takeBack(r.Start, r.End);
            _ranges.AddFirst(r);
            Pages += r.End - r.Start;
            Bytes += r.Bytes;
        }

        return false;
    }

    private void Release(Action<long, long> release)
    {
        var oldest = _ranges.First!.Value;
        _ranges.RemoveFirst();
        Pages -= oldest.End - oldest.Start;
        Bytes -= oldest.Bytes;
        release(oldest.Start, oldest.End);
    }

    private readonly record struct Range(long Start, long End, long Bytes);
}
