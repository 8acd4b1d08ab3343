using System.Runtime.Versioning;
using static Vmap.Tests.Native.NativeSpace;

namespace Vmap.Tests.Native;

[Collection(NativeCollection.Name)]
[SupportedOSPlatform("linux")]
public class NativeSpaceTests
{
    [LinuxFact]
    public void Without_a_geometry_the_space_is_Default64_reserved_at_once_and_inaccessible()
    {
        using var space = VmapSpace.CreateNative();

        Assert.Equal((VmapGeometry.Default64, "linux-memfd"), (space.Geometry, space.BackendName));
        Assert.Equal(VmapGeometry.Default64.Size, space.End - space.Start);
        Assert.Equal(0, space.Start % (VmapGeometry.Default64.BlockPages * PageSize));
        Assert.Equal([new Vma(space.Start, space.End, "---p", 0, "")], Vmas(space).Select(v => v with { Offset = 0 }));
    }

    [LinuxFact]
    public void Bytes_written_through_a_mapping_read_back_through_the_pool_and_a_second_mapping()
    {
        using var space = Create();
        var pages = Allocate(space, 5);
        Page[] order = [pages[3], pages[0], pages[4], pages[1]];
        nint ram = space.MapRam(order);
        nint alias = space.Vmap(order);

        var through = space.GetSpan(ram, order.Length * PageSize);
        new Random(27492).NextBytes(through);

        for (int i = 0; i < order.Length; i++)
        {
            Assert.True(through.Slice(i * PageSize, PageSize).SequenceEqual(space.Pool.GetSpan(order[i])), $"page {i} differs from its pool bytes");
        }

        Assert.True(through.SequenceEqual(space.GetSpan(alias, order.Length * PageSize)));
    }

    [LinuxFact]
    public void Random_data_stays_intact_over_many_maps_writes_and_unmaps()
    {
        using var space = Create();
        var pages = Allocate(space, 24);
        var expected = pages.Select(_ => new byte[PageSize]).ToArray();
        var live = new List<(nint Address, int[] Pages, bool Ram)>();
        var random = new Random(27002);
        for (int step = 0; step < 600; step++)
        {
            int op = random.Next(4);
            if (op == 0 && live.Count > 0)
            {
                var victim = live[random.Next(live.Count)];
                if (victim.Ram)
                {
                    space.UnmapRam(victim.Address, victim.Pages.Length);
                }
                else
                {
                    space.Vunmap(victim.Address);
                }

                live.Remove(victim);
            }
            else if (op == 1 && live.Count > 0)
            {
                // Write a random stretch through one mapping; every other view must see it.
                var (address, mapped, _) = live[random.Next(live.Count)];
                int index = random.Next(mapped.Length);
                int offset = random.Next(PageSize);
                var bytes = new byte[random.Next(1, PageSize - offset + 1)];
                random.NextBytes(bytes);
                bytes.CopyTo(space.GetSpan(address + (index * PageSize) + offset, bytes.Length));
                bytes.CopyTo(expected[mapped[index]], offset);
            }
            else
            {
                int first = random.Next(pages.Length);
                int[] chosen = Enumerable.Range(0, random.Next(1, 70))
                    .Select(i => random.Next(3) == 0 ? random.Next(pages.Length) : (first + i) % pages.Length)
                    .ToArray();
                bool ram = random.Next(2) == 0;
                var run = chosen.Select(i => pages[i]).ToArray();
                live.Add((ram ? space.MapRam(run) : space.Vmap(run), chosen, ram));
            }

            foreach (var (address, mapped, _) in live)
            {
                var view = space.GetSpan(address, mapped.Length * PageSize);
                for (int i = 0; i < mapped.Length; i++)
                {
                    Assert.True(view.Slice(i * PageSize, PageSize).SequenceEqual(expected[mapped[i]]), $"step {step}: page {mapped[i]} seen at 0x{address + (i * PageSize):x}");
                }
            }

            for (int i = 0; i < pages.Length; i++)
            {
                Assert.True(space.Pool.GetSpan(pages[i]).SequenceEqual(expected[i]), $"step {step}: pool page {i}");
            }
        }
    }

    [LinuxFact]
    public void Consecutive_pool_pages_map_as_one_vma_shuffled_ones_as_one_each_and_an_unmap_leaves_the_slot_inaccessible()
    {
        using var space = Create();
        var pages = Allocate(space, 20);
        string file = MemfdPath(space);

        nint run = space.MapRam(pages.AsSpan(0, 16));
        nint shuffled = space.MapRam([pages[17], pages[16], pages[19]]);

        Assert.Equal(new Vma(run, run + (16 * PageSize), "rw-s", 0, file), ProcMaps.At(run));
        Assert.Equal(new Vma(shuffled, shuffled + PageSize, "rw-s", 17 * PageSize, file), ProcMaps.At(shuffled));
        Assert.Equal(new Vma(shuffled + PageSize, shuffled + (2 * PageSize), "rw-s", 16 * PageSize, file), ProcMaps.At(shuffled + PageSize));
        Assert.Equal(new Vma(shuffled + (2 * PageSize), shuffled + (3 * PageSize), "rw-s", 19 * PageSize, file), ProcMaps.At(shuffled + (2 * PageSize)));

        space.UnmapRam(run, 16);

        var slot = ProcMaps.At(run);
        Assert.NotNull(slot);
        Assert.Equal("---p", slot.Value.Perms);
        Assert.True(slot.Value.Start >= space.Start && slot.Value.End <= shuffled, "the inaccessible slot lies inside the reservation, before the next mapping");
        Assert.Equal(5, Vmas(space).Count);
    }

    [LinuxFact]
    public void Vmalloc_maps_fresh_pool_pages_with_a_guard_and_Vfree_returns_them_to_the_kernel()
    {
        using var space = Create();
        nint address = space.Vmalloc(3 * PageSize);
        var memfd = new MemfdView(space);
        space.GetSpan(address, 3 * PageSize).Fill(0x42);

        Assert.Equal(3, space.Pool.AllocatedCount);
        Assert.Equal(new Vma(address, address + (3 * PageSize), "rw-s", 0, MemfdPath(space)), ProcMaps.At(address));
        Assert.Equal("---p", ProcMaps.At(address + (3 * PageSize))?.Perms);
        Assert.Equal(3L * PageSize, memfd.DataBytes());

        space.Vfree(address);

        Assert.Equal(0, space.Pool.AllocatedCount);
        Assert.Equal(0L, memfd.DataBytes());
        Assert.Equal([new Vma(space.Start, space.End, "---p", 0, "")], Vmas(space).Select(v => v with { Offset = 0 }));
    }

    [LinuxFact]
    public void Dispose_leaves_nothing_of_the_reservation_and_closes_the_memfd()
    {
        var space = Create();
        space.MapRam(Allocate(space, 3));
        nint start = space.Start;
        long size = space.End - space.Start;
        string name = $"vmap-pool-{space.Pool.Id}";
        Assert.True(ProcMaps.HasMemfd(name));

        space.Dispose();

        Assert.Empty(ProcMaps.Within(start, size));
        Assert.False(ProcMaps.HasMemfd(name));
        Assert.DoesNotContain(ProcMaps.Read(), v => v.Path == $"/memfd:{name} (deleted)");
    }

    [LinuxFact]
    public void A_space_that_cannot_be_made_leaves_no_memfd_and_no_reservation_behind()
    {
        // Neither failure gets as far as the reservation; what could leak is the pool's memfd and its own mapping.
        var pools = PoolMemfds();

        var limit = Assert.Throws<ArgumentOutOfRangeException>(() => VmapSpace.CreateNative(Geometry, Options with { MapCountLimit = 0 }));
        var geometry = Assert.Throws<ArgumentException>(() => VmapSpace.CreateNative(Geometry with { BlockPages = 1000 }));

        Assert.Equal("A map-count limit must allow at least the reservation itself (1). (Parameter 'mapCountLimit')\nActual value was 0.", limit.Message.ReplaceLineEndings("\n"));
        Assert.Equal("Invalid geometry: BlockPages must be a positive power of two (blocks are aligned to their size). (Parameter 'geometry')", geometry.Message);
        Assert.Equal(pools, PoolMemfds());
    }

    private static (int Descriptors, int Mappings) PoolMemfds() =>
        (ProcMaps.MemfdNames().Count(IsPool), ProcMaps.Read().Count(v => v.Path.StartsWith("/memfd:", StringComparison.Ordinal) && IsPool(v.Path["/memfd:".Length..])));

    private static bool IsPool(string memfd) => memfd.StartsWith("vmap-pool-", StringComparison.Ordinal);

    /// <summary>What the memfd holds, read through its own descriptor.</summary>
    private sealed class MemfdView(VmapSpace space)
    {
        private readonly int _fd = ((Vmap.Native.MemfdPagePool)space.Pool).Fd;

        /// <summary>Bytes of the file that are data, not holes: the pages the kernel holds for the pool.</summary>
        public long DataBytes()
        {
            long size = Vmap.Native.Libc.lseek(_fd, 0, 2);
            long data = 0;
            for (long at = 0; at < size;)
            {
                long start = Vmap.Native.Libc.lseek(_fd, at, Vmap.Native.Libc.SEEK_DATA);
                if (start < 0)
                {
                    break;
                }

                long end = Vmap.Native.Libc.lseek(_fd, start, Vmap.Native.Libc.SEEK_HOLE);
                data += end - start;
                at = end;
            }

            return data;
        }
    }
}
