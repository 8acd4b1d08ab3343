using System.Globalization;
using System.Runtime.Versioning;
using Vmap.Backends;

namespace Vmap.Native;

/// <summary>
/// Real mappings on Linux: the space is one PROT_NONE reservation, a vmap replaces part of it with
/// shared mappings of the pool's memfd, and an unmap puts PROT_NONE back. Nothing inside the
/// reservation is ever munmapped (that would hand the range to the next mmap in the process), and
/// nothing outside it is touched.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class LinuxBackend : VmapBackend
{
    private const string MaxMapCountPath = "/proc/sys/vm/max_map_count";

    /// <summary>
    /// Mappings kept free for the runtime itself: a .NET process that meets vm.max_map_count cannot
    /// grow its heap, start a thread or even print, and dies with "Out of memory".
    /// </summary>
    internal const int RuntimeHeadroom = 1024;

    private readonly MemfdPagePool _pool;
    private readonly int? _mapCountLimit;
    private readonly int? _maxMapCountOverride;
    private readonly bool _retainOnDispose;
    private VmaLayout _layout = null!;
    private int _maxMapCount;
    private nint _start;
    private long _size;
    // Why the last Map on this thread returned false: maps run on several threads at once, and the
    // caller reads the reason right after its own refusal.
    [ThreadStatic]
    private static string? t_exhaustionReason;

    // The VMA layout and the budget are shared by every thread that maps into the reservation; the
    // syscalls themselves run outside this lock, each on a range the space gave to that call alone.
    private readonly object _layoutLock = new();
    private long _mapCalls;
    private volatile bool _disposed;

    /// <summary>
    /// A backend over <paramref name="pool"/>. Without <paramref name="mapCountLimit"/>, a map fails
    /// once the reservation would hold more VMAs than vm.max_map_count leaves after the process's
    /// other mappings and <see cref="RuntimeHeadroom"/>. With it, a map or unmap fails once the
    /// reservation would hold more than that many, as if it were the kernel's limit.
    /// </summary>
    public LinuxBackend(MemfdPagePool pool, int? mapCountLimit = null, int? maxMapCount = null, bool retainOnDispose = false)
    {
        _retainOnDispose = retainOnDispose;
        _maxMapCountOverride = maxMapCount;
        if (mapCountLimit is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(mapCountLimit), mapCountLimit, "A map-count limit must allow at least the reservation itself (1).");
        }

        _pool = pool;
        _mapCountLimit = mapCountLimit;
    }

    public override PagePool Pool => _pool;

    public override string Name => "linux-memfd";

    public override string? ExhaustionReason => t_exhaustionReason;

    /// <summary>How many mmap calls <see cref="Map"/> has made: one per run of consecutive pool pages.</summary>
    public long MapCalls => Interlocked.Read(ref _mapCalls);

    /// <summary>How many VMAs this backend has cut its reservation into.</summary>
    public int VmaCount => _layout.Count;

    /// <summary>The kernel's per-process limit on memory mappings, from /proc/sys/vm/max_map_count.</summary>
    public static int ReadMaxMapCount() =>
        int.Parse(File.ReadAllText(MaxMapCountPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);

    public override nint Reserve(VmapGeometry geometry, long alignment)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_start != 0)
        {
            throw new InvalidOperationException("The reservation was already made; a backend serves one space.");
        }

        if (geometry.PageSize != _pool.PageSize || geometry.Size <= 0 || geometry.Size % geometry.PageSize != 0)
        {
            throw new ArgumentException($"The space must be a positive whole number of the pool's {_pool.PageSize}-byte pages; got {geometry.Size} bytes of {geometry.PageSize}-byte pages.", nameof(geometry));
        }

        if (alignment < _pool.PageSize || alignment % _pool.PageSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, $"The alignment must be a whole number of {_pool.PageSize}-byte pages.");
        }

        // Over-reserve by one alignment so that an address with the simulated start's remainder
        // lies inside, then give back the unused head and tail (they are ours, and outside the space).
        long remainder = ((geometry.Start % alignment) + alignment) % alignment;
        long total = geometry.Size + alignment;
        nint raw = Libc.MapNone(0, (nuint)total, fixedAddress: false);
        if (raw == Libc.MAP_FAILED)
        {
            throw new InsufficientMemoryException($"Could not reserve {total} bytes of address space for the vmap space: {Libc.LastError(out _)}.");
        }

        long head = (((remainder - raw) % alignment) + alignment) % alignment;
        nint start = raw + (nint)head;
        long tail = total - head - geometry.Size;
        if (head > 0)
        {
            Libc.munmap(raw, (nuint)head);
        }

        if (tail > 0)
        {
            Libc.munmap(start + (nint)geometry.Size, (nuint)tail);
        }

        _start = start;
        _size = geometry.Size;
        _layout = new VmaLayout(geometry.Size / _pool.PageSize);
        _maxMapCount = _maxMapCountOverride ?? ReadMaxMapCount();
        ProcessMapCount.Add(_layout.Count);
        return start;
    }

    public override bool Map(nint address, ReadOnlySpan<Page> pages)
    {
        long slot = SlotOf(address, pages.Length);
        var runs = VmaLayout.Runs.Of(pages);

        // The VMAs are counted (and reserved against the budget) before the syscalls: a thread
        // mapping next to this range meanwhile then sees it mapped, as the kernel soon will.
        // The process budget counts what unmaps could still cut the reservation into too (the
        // joints: places where two maps share a VMA), so an unmap never needs a mapping the
        // process does not have to spare (issue 22: unmapping every other of 140,000 merged
        // one-page maps took the process past vm.max_map_count, and .NET aborted).
        lock (_layoutLock)
        {
            int count = _layout.CountAfterMap(slot, runs);
            int delta = count - _layout.Count;
            int joints = _layout.JointsOfMap(slot, runs);
            if (delta + joints > 0 && !WithinBudget(count, delta, joints, out string? overBudget))
            {
                int worst = count + _layout.Joints + joints;
                t_exhaustionReason = $"{overBudget}: mapping {pages.Length} page(s) at 0x{address:x} would cut this space's reservation into {count} mappings; it holds {_layout.Count}." +
                    (worst == count ? string.Empty : $" Unmaps alone could split what merged into {worst}, and the budget keeps room for that.");
                return false;
            }

            if (delta + joints <= 0)
            {
                ProcessMapCount.Add(delta);
                ProcessMapCount.AddJoints(joints);
            }

            _layout.Map(slot, runs, count);
        }

        int pageSize = _pool.PageSize;
        int mapped = 0;
        while (mapped < pages.Length)
        {
            // One mmap per run of pages with consecutive pool offsets: the kernel keeps such a run
            // as one VMA, so both the syscalls and the map count scale with runs, not pages.
            long first = pages[mapped].Index;
            int run = 1;
            while (mapped + run < pages.Length && pages[mapped + run].Index == first + run)
            {
                run++;
            }

            nint at = address + (nint)((long)mapped * pageSize);
            Interlocked.Increment(ref _mapCalls);
            if (Libc.MapShared(at, (nuint)((long)run * pageSize), _pool.Fd, first * pageSize) == Libc.MAP_FAILED)
            {
                string error = Libc.LastError(out int errno);
                RollBack(address, mapped);
                lock (_layoutLock)
                {
                    // Counted as mapped above: counted back, against the neighbours as they are now.
                    int back = _layout.CountAfterUnmap(slot, pages.Length);
                    ProcessMapCount.Add(back - _layout.Count);
                    ProcessMapCount.AddJoints(-_layout.JointsOfUnmap(slot));
                    _layout.Unmap(slot, pages.Length, back);
                }

                if (errno != Libc.ENOMEM)
                {
                    throw new IOException($"mmap of {run} pool page(s) at 0x{at:x} failed: {error}.");
                }

                // ENOMEM from a fixed mapping of a file into address space we own has one cause left:
                // the process has as many VMAs as vm.max_map_count allows (other code took our headroom).
                t_exhaustionReason = $"vm.max_map_count = {_maxMapCount} was reached: mmap of {run} page(s) at 0x{at:x} failed with ENOMEM while the process held {DescribeMappings()}.";
                return false;
            }

            mapped += run;
        }

        return true;
    }

    public override void Unmap(nint address, int pageCount)
    {
        long slot = SlotOf(address, pageCount);
        lock (_layoutLock)
        {
            int count = _layout.CountAfterUnmap(slot, pageCount);

            // Only a limit that stands in for the kernel's applies here: against the real one the
            // map that made the joint this unmap splits already counted the split (Joints).
            if (count > _layout.Count && count > _mapCountLimit)
            {
                throw new InsufficientMemoryException(
                    $"Unmapping {pageCount} page(s) at 0x{address:x} would cut this space's reservation into {count} mappings, past the map-count limit VmapOptions.MapCountLimit = {_mapCountLimit}; the mapping stays as it was.");
            }
        }

        // PROT_NONE over the slot, not munmap: the range stays ours, and any access faults at once.
        if (Libc.MapNone(address, (nuint)((long)pageCount * _pool.PageSize), fixedAddress: true) == Libc.MAP_FAILED)
        {
            string error = Libc.LastError(out int errno);
            throw errno == Libc.ENOMEM
                ? new InsufficientMemoryException($"Unmapping {pageCount} page(s) at 0x{address:x} splits a mapping, and vm.max_map_count = {_maxMapCount} allows no more pieces ({DescribeMappings()}); the mapping stays as it was.")
                : new IOException($"Re-reserving {pageCount} page(s) at 0x{address:x} failed: {error}.");
        }

        // Counted after the syscall, against the neighbours as they are now (a refused syscall
        // leaves the count alone); the layout's count depends on which ranges are mapped, not on the order.
        lock (_layoutLock)
        {
            int after = _layout.CountAfterUnmap(slot, pageCount);
            ProcessMapCount.Add(after - _layout.Count);
            ProcessMapCount.AddJoints(-_layout.JointsOfUnmap(slot));
            _layout.Unmap(slot, pageCount, after);
        }
    }

    public override void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_start != 0)
        {
            // Retained: one PROT_NONE mapping over the whole range replaces every mapping in it, so
            // a stale pointer into the dead space faults instead of writing into whatever the next
            // mmap of the process would have put at the same address.
            if (_retainOnDispose && Libc.MapNone(_start, (nuint)_size, fixedAddress: true) == _start)
            {
                RetainedReservations.Add(_start, _size);
                ProcessMapCount.Add(1 - _layout.Count);
            }
            else
            {
                Libc.munmap(_start, (nuint)_size);
                ProcessMapCount.Add(-_layout.Count);
            }

            ProcessMapCount.AddJoints(-_layout.Joints);
        }

        _pool.Dispose();
    }

    private long SlotOf(nint address, int pageCount)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long offset = (long)address - _start;
        long length = (long)pageCount * _pool.PageSize;
        if (_start == 0 || pageCount <= 0 || offset < 0 || offset % _pool.PageSize != 0 || offset + length > _size)
        {
            throw new ArgumentOutOfRangeException(nameof(address), $"[0x{address:x}, +{pageCount} pages) is not a page-aligned range inside the reservation [0x{_start:x}, 0x{_start + (nint)_size:x}).");
        }

        return offset / _pool.PageSize;
    }

    /// <summary>Puts PROT_NONE back over the first <paramref name="pages"/> pages a failed map had already mapped.</summary>
    private void RollBack(nint address, int pages)
    {
        // Rolling back removes mappings this call made, so it needs no VMA the call did not already
        // get; should the kernel still refuse, the slot stays mapped to a page the space holds no
        // mapping for, and the next map of the slot replaces it.
        if (pages > 0)
        {
            Libc.MapNone(address, (nuint)((long)pages * _pool.PageSize), fixedAddress: true);
        }
    }

    /// <summary>
    /// True when the reservation may hold <paramref name="count"/> VMAs, and then the new ones are
    /// counted against the process; otherwise says why not. Both limits apply: the space's own
    /// (MapCountLimit) and what vm.max_map_count leaves the whole process after the runtime's headroom.
    /// </summary>
    private bool WithinBudget(int count, int delta, int joints, out string? why)
    {
        why = null;
        if (_mapCountLimit is { } limit && count > limit)
        {
            why = $"the map-count limit VmapOptions.MapCountLimit = {limit} (standing in for vm.max_map_count = {_maxMapCount}) was reached";
            return false;
        }

        if (ProcessMapCount.TryReserve(delta, joints, _layout.WorstCount, _maxMapCount, RuntimeHeadroom, out long others))
        {
            return true;
        }

        long budget = Math.Max(0, _maxMapCount - others - RuntimeHeadroom);
        why = $"vm.max_map_count = {_maxMapCount} was reached: the process holds {others} mappings outside this space and keeps {RuntimeHeadroom} free for the runtime, which leaves {budget} for this space";
        return false;
    }

    /// <summary>"N memory mappings, M of them inside this space's reservation", from /proc/self/maps.</summary>
    private string DescribeMappings()
    {
        CountMappings(out int inside, out int total);
        return $"{total} memory mappings, {inside} of them inside this space's reservation";
    }

    private void CountMappings(out int inside, out int total)
    {
        inside = 0;
        total = 0;
        ulong start = (ulong)_start;
        ulong end = start + (ulong)_size;
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            total++;
            int dash = line.IndexOf('-');
            int space = line.IndexOf(' ');
            ulong from = ulong.Parse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong to = ulong.Parse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (from < end && to > start)
            {
                inside++;
            }
        }
    }
}
