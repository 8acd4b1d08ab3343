namespace Vmap.Native;

/// <summary>
/// Counts the VMAs a reservation is cut into, as the kernel cuts it, in O(1) per map and unmap.
/// Reserved (PROT_NONE) slots next to each other share a VMA; so do mapped slots whose file offset
/// grows with the address. Labelling a mapped slot with <c>page - slot</c> makes "share a VMA"
/// "have the same label", and a mapping can only merge with what ends where it starts or starts
/// where it ends, so only its two neighbours matter.
/// </summary>
/// <remarks>
/// Relies on the allocator's contract with its backend: a map covers reserved slots only, and an
/// unmap removes exactly one earlier map. Then a slot next to a mapping is either reserved or the
/// edge of a neighbouring mapping, found by its start or end.
/// </remarks>
internal sealed class VmaLayout
{
    private readonly Dictionary<long, Mapping> _byStart = new();
    private readonly Dictionary<long, long> _lastLabelByEnd = new();
    private readonly long _slots;

    public VmaLayout(long slots) => _slots = slots;

    /// <summary>How many VMAs the reservation is cut into; one while nothing is mapped.</summary>
    public int Count { get; private set; } = 1;

    /// <summary>
    /// Places where two live maps share a VMA (the offsets of one continue the other's). Only there
    /// can an unmap raise the count: a slot boundary is a VMA boundary unless both sides are
    /// reserved or both continue one file range, and unmapping turns slots reserved, so the only
    /// boundaries that can turn into VMA boundaries are these. Unmaps alone can therefore never
    /// take the reservation past <see cref="WorstCount"/>.
    /// </summary>
    public int Joints { get; private set; }

    /// <summary>The most VMAs unmaps alone could cut the reservation into from here: <see cref="Count"/> + <see cref="Joints"/>.</summary>
    public int WorstCount => Count + Joints;

    /// <summary>The <see cref="Joints"/> a map of <paramref name="runs"/> at <paramref name="slot"/> would make (before <see cref="Map"/>).</summary>
    public int JointsOfMap(long slot, in Runs runs) => Merges(slot, runs.Pages, runs.FirstPage - slot, runs.LastPage - (slot + runs.Pages - 1));

    /// <summary>The <see cref="Joints"/> the live map at <paramref name="slot"/> takes with it when unmapped.</summary>
    public int JointsOfUnmap(long slot)
    {
        var m = _byStart[slot];
        return Merges(slot, m.Pages, m.FirstLabel, m.LastLabel);
    }

    /// <summary>How many VMAs there would be after <see cref="Map"/>, leaving the layout as it is.</summary>
    public int CountAfterMap(long slot, in Runs runs)
    {
        if (slot < 0 || slot + runs.Pages > _slots)
        {
            throw new ArgumentOutOfRangeException(nameof(slot), $"Slots [{slot}, {slot + runs.Pages}) are not inside the reservation's {_slots} slots.");
        }

        if (_byStart.ContainsKey(slot))
        {
            throw new InvalidOperationException($"Slot {slot} is mapped already; a map must cover reserved slots only.");
        }

        return Count + Split(slot, runs.Pages, runs.Count, runs.FirstPage - slot, runs.LastPage - (slot + runs.Pages - 1));
    }

    /// <summary>Slots [slot, slot + runs.Pages) now map the pages described by <paramref name="runs"/>; <paramref name="count"/> is what <see cref="CountAfterMap"/> said.</summary>
    public void Map(long slot, in Runs runs, int count)
    {
        Joints += JointsOfMap(slot, runs);
        Count = count;
        _byStart.Add(slot, new Mapping(runs.Pages, runs.Count, runs.FirstPage - slot, runs.LastPage - (slot + runs.Pages - 1)));
        _lastLabelByEnd.Add(slot + runs.Pages, runs.LastPage - (slot + runs.Pages - 1));
    }

    /// <summary>How many VMAs there would be after <see cref="Unmap"/>, leaving the layout as it is.</summary>
    public int CountAfterUnmap(long slot, long pages)
    {
        if (!_byStart.TryGetValue(slot, out var mapping) || mapping.Pages != pages)
        {
            throw new InvalidOperationException($"No map of {pages} page(s) starts at slot {slot}; an unmap must remove exactly one earlier map.");
        }

        // Unmapping undoes what mapping did, and what mapping did depends on the neighbours only.
        return Count - Split(slot, pages, mapping.Runs, mapping.FirstLabel, mapping.LastLabel);
    }

    /// <summary>Slots [slot, slot + pages), mapped by one earlier <see cref="Map"/>, are reserved again; <paramref name="count"/> is what <see cref="CountAfterUnmap"/> said.</summary>
    public void Unmap(long slot, long pages, int count)
    {
        Joints -= JointsOfUnmap(slot);
        Count = count;
        _byStart.Remove(slot);
        _lastLabelByEnd.Remove(slot + pages);
    }

    /// <summary>How many live neighbours a map at [slot, slot + pages) shares a VMA with (0-2).</summary>
    private int Merges(long slot, long pages, long firstLabel, long lastLabel)
    {
        int merges = _lastLabelByEnd.TryGetValue(slot, out long left) && left == firstLabel ? 1 : 0;
        return merges + (_byStart.TryGetValue(slot + pages, out var right) && right.FirstLabel == lastLabel ? 1 : 0);
    }

    /// <summary>How many VMAs mapping <paramref name="runs"/> runs into reserved slots [slot, slot + pages) adds.</summary>
    private int Split(long slot, long pages, int runs, long firstLabel, long lastLabel)
    {
        long end = slot + pages;
        bool hasLeft = _lastLabelByEnd.TryGetValue(slot, out long leftLastLabel);
        bool hasRight = _byStart.TryGetValue(end, out var right);

        // The reserved VMA around the slots gives way to the runs and to what is left of it on
        // either side; a run merges with a neighbouring mapping whose offsets it continues.
        int delta = runs - 1;
        delta += !hasLeft && slot > 0 ? 1 : 0;
        delta += !hasRight && end < _slots ? 1 : 0;
        delta -= hasLeft && leftLastLabel == firstLabel ? 1 : 0;
        delta -= hasRight && right.FirstLabel == lastLabel ? 1 : 0;
        return delta;
    }

    /// <summary>The runs of consecutive pool pages in one map: one mmap, and at most one VMA, each.</summary>
    public readonly record struct Runs(long Pages, int Count, long FirstPage, long LastPage)
    {
        /// <summary>Splits <paramref name="pages"/> into runs whose indices go up by one.</summary>
        public static Runs Of(ReadOnlySpan<Page> pages)
        {
            int count = 1;
            for (int i = 1; i < pages.Length; i++)
            {
                if (pages[i].Index != pages[i - 1].Index + 1)
                {
                    count++;
                }
            }

            return new Runs(pages.Length, count, pages[0].Index, pages[^1].Index);
        }
    }

    private readonly record struct Mapping(long Pages, int Runs, long FirstLabel, long LastLabel);
}
