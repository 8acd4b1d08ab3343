namespace Vmap.Native;

/// <summary>
/// The VMAs a reservation is cut into, as the kernel cuts it. Each page slot is either reserved
/// (PROT_NONE) or maps a memfd page; two neighbouring slots share a VMA when both are reserved, or
/// when both map pages and the file offset grows with the address (the kernel merges a file
/// mapping into its neighbour only then). Labelling a mapped slot with <c>page - slot</c> turns
/// "share a VMA" into "have the same label", so the VMAs are the maximal runs of equal labels.
/// </summary>
/// <remarks>Used to enforce a map-count limit below the kernel's without consuming the kernel's.</remarks>
internal sealed class VmaLayout
{
    private const long Reserved = long.MinValue;

    private readonly SortedSet<Run> _runs = new(RunStartComparer.Instance);
    private readonly long _slots;

    public VmaLayout(long slots)
    {
        _slots = slots;
        _runs.Add(new Run(0, slots, Reserved));
    }

    /// <summary>How many VMAs the reservation is cut into.</summary>
    public int Count => _runs.Count;

    /// <summary>Slots [slot, slot + count) now map pool pages [page, page + count).</summary>
    public void Map(long slot, long count, long page) => Assign(slot, slot + count, page - slot);

    /// <summary>Slots [slot, slot + count) are reserved again.</summary>
    public void Unmap(long slot, long count) => Assign(slot, slot + count, Reserved);

    /// <summary>How many VMAs there would be after <see cref="Map"/>, leaving the layout as it is.</summary>
    public int CountAfterMap(long slot, long count, long page) => CountAfter(slot, slot + count, page - slot);

    /// <summary>How many VMAs there would be after <see cref="Unmap"/>, leaving the layout as it is.</summary>
    public int CountAfterUnmap(long slot, long count) => CountAfter(slot, slot + count, Reserved);

    private int CountAfter(long start, long end, long label)
    {
        // Only the runs touching [start - 1, end + 1) can change: the ones inside disappear, the
        // ones cut at either end leave a remainder, and the new run may merge with either neighbour.
        var before = RunAt(start);
        var after = RunAt(end - 1);
        int inside = _runs.GetViewBetween(before, after).Count;
        int count = _runs.Count - inside + 1;
        bool mergesLeft;
        if (before.Start < start)
        {
            count++;
            mergesLeft = before.Label == label;
        }
        else
        {
            mergesLeft = start > 0 && RunAt(start - 1).Label == label;
        }

        bool mergesRight;
        if (after.End > end)
        {
            count++;
            mergesRight = after.Label == label;
        }
        else
        {
            mergesRight = end < _slots && RunAt(end).Label == label;
        }

        return count - (mergesLeft ? 1 : 0) - (mergesRight ? 1 : 0);
    }

    private void Assign(long start, long end, long label)
    {
        if (start < 0 || end > _slots || start >= end)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Slots [{start}, {end}) are not inside the reservation's {_slots} slots.");
        }

        var before = RunAt(start);
        var after = RunAt(end - 1);
        foreach (var inside in _runs.GetViewBetween(before, after).ToArray())
        {
            _runs.Remove(inside);
        }

        if (before.Start < start)
        {
            _runs.Add(before with { End = start });
        }

        if (after.End > end)
        {
            _runs.Add(after with { Start = end });
        }

        if (start > 0 && RunAt(start - 1) is var left && left.Label == label)
        {
            _runs.Remove(left);
            start = left.Start;
        }

        if (end < _slots && RunAt(end) is var right && right.Label == label)
        {
            _runs.Remove(right);
            end = right.End;
        }

        _runs.Add(new Run(start, end, label));
    }

    private Run RunAt(long slot) => _runs.GetViewBetween(new Run(0, 0, 0), new Run(slot, 0, 0)).Max;

    private readonly record struct Run(long Start, long End, long Label);

    private sealed class RunStartComparer : IComparer<Run>
    {
        public static readonly RunStartComparer Instance = new();

        public int Compare(Run x, Run y) => x.Start.CompareTo(y.Start);
    }
}
