using System.Runtime.Versioning;
using Vmap.Native;

namespace Vmap.Tests.Native;

[Collection(NativeCollection.Name)]
[SupportedOSPlatform("linux")]
public unsafe class LinuxBackendTests
{
    private const int PageSize = 4096;
    private const long Alignment = 64 * PageSize;

    // A start whose remainder modulo the alignment is neither zero nor a power of two.
    private static readonly VmapGeometry Geometry = VmapGeometry.X86_32_2011 with { Start = 0x1234_5000, Size = 256 * PageSize };

    [LinuxFact]
    public void The_reservation_keeps_the_geometry_remainder_and_is_one_inaccessible_vma()
    {
        using var backend = NewBackend(out _);
        nint start = backend.Reserve(Geometry, Alignment);

        Assert.Equal(0x1234_5000 % Alignment, start % Alignment);
        Assert.Equal([new Vma(start, start + Geometry.Size, "---p", 0, "")], ProcMaps.Within(start, Geometry.Size));
    }

    [LinuxFact]
    public void Pages_with_consecutive_pool_offsets_map_as_one_vma_and_shuffled_pages_as_one_each()
    {
        using var backend = NewBackend(out var pool);
        nint start = backend.Reserve(Geometry, Alignment);
        var pages = Enumerable.Range(0, 8).Select(_ => pool.Allocate()).ToArray();
        string file = $"/memfd:{pool.MemfdName} (deleted)";

        Assert.True(backend.Map(start, pages.AsSpan(0, 4)));
        Assert.Equal(1, backend.MapCalls);
        Assert.True(backend.Map(start + (8 * PageSize), [pages[7], pages[5], pages[6]]));
        Assert.Equal(3, backend.MapCalls);

        Assert.Equal(
            [
                new Vma(start, start + (4 * PageSize), "rw-s", 0, file),
                new Vma(start + (4 * PageSize), start + (8 * PageSize), "---p", 0, ""),
                new Vma(start + (8 * PageSize), start + (9 * PageSize), "rw-s", 7 * PageSize, file),
                new Vma(start + (9 * PageSize), start + (11 * PageSize), "rw-s", 5 * PageSize, file),
                new Vma(start + (11 * PageSize), start + Geometry.Size, "---p", 0, ""),
            ],
            ProcMaps.Within(start, Geometry.Size).Select(v => v.Perms == "---p" ? v with { Offset = 0 } : v));
    }

    [LinuxFact]
    public void Unmap_leaves_the_slot_inaccessible_inside_the_reservation()
    {
        using var backend = NewBackend(out var pool);
        nint start = backend.Reserve(Geometry, Alignment);
        var pages = Enumerable.Range(0, 3).Select(_ => pool.Allocate()).ToArray();
        nint slot = start + (16 * PageSize);
        Assert.True(backend.Map(slot, pages));

        backend.Unmap(slot, pages.Length);

        Assert.Equal([new Vma(start, start + Geometry.Size, "---p", 0, "")], ProcMaps.Within(start, Geometry.Size).Select(v => v with { Offset = 0 }));
    }

    [LinuxFact]
    public void Bytes_written_through_a_mapping_are_the_page_bytes_and_show_through_a_second_mapping()
    {
        using var backend = NewBackend(out var pool);
        nint start = backend.Reserve(Geometry, Alignment);
        var pages = Enumerable.Range(0, 4).Select(_ => pool.Allocate()).ToArray();
        Page[] order = [pages[2], pages[0], pages[3]];
        nint first = start;
        nint second = start + (32 * PageSize);
        Assert.True(backend.Map(first, order));
        Assert.True(backend.Map(second, order));

        var through = new Span<byte>((void*)first, order.Length * PageSize);
        Random.Shared.NextBytes(through);

        for (int i = 0; i < order.Length; i++)
        {
            Assert.True(through.Slice(i * PageSize, PageSize).SequenceEqual(pool.GetSpan(order[i])), $"page {i} differs from its pool bytes");
        }

        Assert.True(through.SequenceEqual(new Span<byte>((void*)second, order.Length * PageSize)));
    }

    [LinuxFact]
    public void A_map_past_the_map_count_limit_fails_and_changes_nothing()
    {
        using var backend = NewBackend(out var pool, mapCountLimit: 9);
        nint start = backend.Reserve(Geometry, Alignment);
        var pages = Enumerable.Range(0, 40).Select(_ => pool.Allocate()).ToArray();

        // Every other pool page at neighbouring slots: no two offsets continue, so each is a VMA,
        // and the reserved tail is one more.
        int mapped = 0;
        while (backend.Map(start + (mapped * PageSize), [pages[2 * mapped]]))
        {
            mapped++;
        }

        Assert.Equal(8, mapped);
        Assert.Equal(9, backend.VmaCount);
        Assert.Equal(
            $"the map-count limit VmapOptions.MapCountLimit = 9 (standing in for vm.max_map_count = {LinuxBackend.ReadMaxMapCount()}) was reached: mapping 1 page(s) at 0x{start + (8 * PageSize):x} would cut this space's reservation into 10 mappings; it holds 9.",
            backend.ExhaustionReason);
        Assert.Equal(9, ProcMaps.Within(start, Geometry.Size).Count);

        // A page whose offset continues the last mapping merges with it and needs no new VMA.
        Assert.True(backend.Map(start + (8 * PageSize), [pages[15]]));
        Assert.Equal(9, ProcMaps.Within(start, Geometry.Size).Count);
    }

    [LinuxFact]
    public void A_map_over_the_limit_is_refused_before_any_of_its_runs_is_mapped()
    {
        using var backend = NewBackend(out var pool, mapCountLimit: 4);
        nint start = backend.Reserve(Geometry, Alignment);
        var pages = Enumerable.Range(0, 8).Select(_ => pool.Allocate()).ToArray();
        var before = ProcMaps.Within(start, Geometry.Size);

        // Three runs (0-1, 4, 6) in the middle of the reservation need five VMAs.
        Assert.False(backend.Map(start + (8 * PageSize), [pages[0], pages[1], pages[4], pages[6]]));

        Assert.Equal(before, ProcMaps.Within(start, Geometry.Size));
        Assert.Equal(1, backend.VmaCount);
    }

    [LinuxFact]
    public void An_unmap_that_would_split_past_the_limit_is_refused_and_the_mapping_stays()
    {
        using var backend = NewBackend(out var pool, mapCountLimit: 3);
        nint start = backend.Reserve(Geometry, Alignment);

        // Three maps of consecutive pages at neighbouring slots merge into one VMA.
        for (int i = 0; i < 3; i++)
        {
            Assert.True(backend.Map(start + (i * PageSize), [pool.Allocate()]));
        }

        var before = ProcMaps.Within(start, Geometry.Size);
        Assert.Equal(2, before.Count);

        var e = Assert.Throws<InsufficientMemoryException>(() => backend.Unmap(start + PageSize, 1));

        Assert.Equal(
            $"Unmapping 1 page(s) at 0x{start + PageSize:x} would cut this space's reservation into 4 mappings, past the map-count limit VmapOptions.MapCountLimit = 3; the mapping stays as it was.",
            e.Message);
        Assert.Equal(before, ProcMaps.Within(start, Geometry.Size));
        backend.Unmap(start, 1);
        backend.Unmap(start + PageSize, 1);
        backend.Unmap(start + (2 * PageSize), 1);
        Assert.Single(ProcMaps.Within(start, Geometry.Size));
    }

    [LinuxFact]
    public void An_unmap_of_anything_but_one_earlier_map_is_refused()
    {
        using var backend = NewBackend(out var pool);
        nint start = backend.Reserve(Geometry, Alignment);
        Assert.True(backend.Map(start, [pool.Allocate(), pool.Allocate()]));
        var before = ProcMaps.Within(start, Geometry.Size);

        var e = Assert.Throws<InvalidOperationException>(() => backend.Unmap(start, 1));

        Assert.Equal("No map of 1 page(s) starts at slot 0; an unmap must remove exactly one earlier map.", e.Message);
        Assert.Equal(before, ProcMaps.Within(start, Geometry.Size));
    }

    [LinuxFact]
    public void The_vma_count_kept_for_the_limit_matches_the_kernel_over_random_maps_and_unmaps()
    {
        using var backend = NewBackend(out var pool);
        nint start = backend.Reserve(Geometry, Alignment);
        var pages = Enumerable.Range(0, 24).Select(_ => pool.Allocate()).ToArray();
        var live = new List<(int Slot, int Count)>();
        var pageAt = new int[64];
        Array.Fill(pageAt, -1);
        var random = new Random(2011);
        for (int step = 0; step < 400; step++)
        {
            if (live.Count > 0 && random.Next(3) == 0)
            {
                var (slot, count) = live[random.Next(live.Count)];
                backend.Unmap(start + (slot * PageSize), count);
                live.Remove((slot, count));
                Array.Fill(pageAt, -1, slot, count);
            }
            else
            {
                int slot = random.Next(1, 58);
                int count = random.Next(1, 5);
                if (pageAt.AsSpan(slot, count).ContainsAnyExcept(-1))
                {
                    continue;
                }

                // Often the offsets continue the left or the right neighbour (so the kernel merges),
                // sometimes not; inside, mostly one run, sometimes a jump.
                int page = random.Next(4) switch
                {
                    0 when pageAt[slot - 1] >= 0 => pageAt[slot - 1] + 1,
                    1 when pageAt[slot + count] >= 0 => pageAt[slot + count] - count,
                    _ => random.Next(pages.Length),
                };
                page = Math.Clamp(page, 0, pages.Length - count);
                var run = Enumerable.Range(0, count).Select(i => random.Next(5) == 0 ? random.Next(pages.Length) : page + i).ToArray();
                Assert.True(backend.Map(start + (slot * PageSize), run.Select(i => pages[i]).ToArray()));
                live.Add((slot, count));
                run.CopyTo(pageAt, slot);
            }

            Assert.Equal(ProcMaps.Within(start, Geometry.Size).Count, backend.VmaCount);
        }
    }

    [LinuxFact]
    public void Dispose_releases_the_whole_reservation_and_closes_the_memfd()
    {
        var backend = NewBackend(out var pool);
        nint start = backend.Reserve(Geometry, Alignment);
        Assert.True(backend.Map(start, [pool.Allocate(), pool.Allocate()]));
        string name = pool.MemfdName;

        backend.Dispose();

        Assert.Empty(ProcMaps.Within(start, Geometry.Size));
        Assert.False(ProcMaps.HasMemfd(name));
        Assert.Throws<ObjectDisposedException>(() => pool.Allocate());
    }

    [LinuxFact]
    public void Ranges_outside_the_reservation_are_refused_before_any_syscall()
    {
        using var backend = NewBackend(out var pool);
        nint start = backend.Reserve(Geometry, Alignment);
        var page = pool.Allocate();

        nint last = start + (nint)Geometry.Size - PageSize;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => backend.Map(last, [page, page]));

        Assert.Equal(
            $"[0x{last:x}, +2 pages) is not a page-aligned range inside the reservation [0x{start:x}, 0x{start + Geometry.Size:x}). (Parameter 'address')",
            e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.Unmap(start + 1, 1));
        Assert.Equal([new Vma(start, start + Geometry.Size, "---p", 0, "")], ProcMaps.Within(start, Geometry.Size));
    }

    private static LinuxBackend NewBackend(out MemfdPagePool pool, int? mapCountLimit = null)
    {
        pool = new MemfdPagePool(PageSize, maxPages: 64);
        return new LinuxBackend(pool, mapCountLimit);
    }
}
