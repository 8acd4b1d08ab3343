namespace Vmap.Purge;

/// <summary>
/// Purged ranges that wait, oldest first, before they return to free space (ours, as sanitizers
/// quarantine freed memory; only with TrackProvenance). While a range waits, nobody can get its
/// address, so a stale second unmap of what lived there still finds the record of the first and is
/// refused as a double unmap instead of unmapping the next owner's mapping. Bounded in pages: the
/// oldest range leaves once the quarantine holds more.
/// </summary>
internal sealed class Quarantine
{
    private readonly Queue<(long Start, long End)> _ranges = new();

    public Quarantine(long boundPages) => BoundPages = boundPages;

    /// <summary>The most pages that wait.</summary>
    public long BoundPages { get; }

    /// <summary>Pages waiting.</summary>
    public long Pages { get; private set; }

    public IEnumerable<(long Start, long End)> Ranges => _ranges;

    /// <summary>Quarantines [start, end); hands the oldest ranges to <paramref name="release"/> while more than the bound wait.</summary>
    public void Add(long start, long end, Action<long, long> release)
    {
        _ranges.Enqueue((start, end));
        Pages += end - start;
        while (Pages > BoundPages)
        {
            Release(release);
        }
    }

    /// <summary>Hands every waiting range to <paramref name="release"/>: a map would fail otherwise.</summary>
    public void Drain(Action<long, long> release)
    {
        while (_ranges.Count > 0)
        {
            Release(release);
        }
    }

    private void Release(Action<long, long> release)
    {
        var (start, end) = _ranges.Dequeue();
        Pages -= end - start;
        release(start, end);
    }
}
