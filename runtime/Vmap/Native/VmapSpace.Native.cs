using System.Runtime.InteropServices;
using Vmap.Backends;
using Vmap.Native;

namespace Vmap;

public sealed partial class VmapSpace
{
    /// <summary>
    /// Creates a space over real memory (Linux): the pool's pages are pages of one memfd, the space
    /// is one PROT_NONE reservation, and a mapping shows the pages at contiguous addresses, one mmap
    /// per run of pages with consecutive pool offsets. Read and write them with <see cref="GetSpan"/>.
    /// </summary>
    /// <param name="geometry">
    /// The shape of the space; its page size must be a multiple of the system's. When null:
    /// <see cref="VmapGeometry.Default64"/> in a 64-bit process (128 GiB of reservation, which costs
    /// address space only, with the simulated default's block constants) and
    /// <see cref="VmapGeometry.X86_32_2011"/> in a 32-bit one. The pool can hold as many pages as the
    /// space has page addresses.
    /// </param>
    /// <param name="options">Behaviour switches; <see cref="VmapOptions.Default"/> when null.</param>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    /// <exception cref="InsufficientMemoryException">The address space for the reservation or the pool's own mapping is not available.</exception>
    public static VmapSpace CreateNative(VmapGeometry? geometry = null, VmapOptions? options = null)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                $"VmapSpace.CreateNative maps real memory through memfd and mmap, which it implements for Linux only; on {RuntimeInformation.OSDescription} only VmapSpace.CreateSimulated is available.");
        }

        geometry ??= Environment.Is64BitProcess ? VmapGeometry.Default64 : VmapGeometry.X86_32_2011;
        var pool = new MemfdPagePool(geometry.PageSize, geometry.TotalPages);
        VmapBackend? backend = null;
        try
        {
            backend = new LinuxBackend(pool, options?.MapCountLimit, options?.MaxMapCount, retainOnDispose: options?.TrackProvenance == true);
            return new VmapSpace(backend, geometry, options);
        }
        catch
        {
            // The backend owns the pool once it exists; before that the pool is ours to release.
            if (backend is null)
            {
                pool.Dispose();
            }
            else
            {
                backend.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Gives back to the process the address space of every native space disposed with
    /// <see cref="VmapOptions.TrackProvenance"/> on. Such a space keeps its whole range reserved
    /// PROT_NONE when disposed, so a stale pointer into it faults instead of silently writing into
    /// the next mapping the process makes at that address; the cost is address space (and one
    /// mapping each) until this call. Call it once no stale pointer can be left, e.g. between test
    /// runs or phases of a long-running process. Spaces still alive are not touched.
    /// </summary>
    /// <returns>The bytes of address space released; 0 on systems without native spaces.</returns>
    public static long ReleaseRetainedAddressSpace() => OperatingSystem.IsLinux() ? RetainedReservations.ReleaseAll() : 0;

    /// <summary>
    /// The bytes at [<paramref name="address"/>, <paramref name="address"/> + <paramref name="length"/>)
    /// of a native space, checked to lie inside one live mapping. The span is valid until that
    /// mapping is unmapped; touching it afterwards faults.
    /// </summary>
    /// <exception cref="VmapMisuseException">
    /// Rule <c>VMAP004</c> (use after unmap): the range is not inside one live mapping, because it
    /// was unmapped, never mapped, or runs past the mapping's end.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    /// <exception cref="NotSupportedException">The space is not native: no memory stands behind its mappings.</exception>
    public unsafe Span<byte> GetSpan(nint address, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_backend is not LinuxBackend)
        {
            throw new NotSupportedException($"This {BackendName} space has no memory behind its mappings; use VmapSpace.CreateNative for real memory.");
        }

        if (!TryGetLiveMapping(address, out nint start, out int pages) || (long)address + length > (long)start + ((long)pages * Geometry.PageSize))
        {
            lock (_lock)
            {
                throw UseAfterUnmap(address, length, start, pages);
            }
        }

        return new Span<byte>((void*)address, length);
    }

    private VmapMisuseException UseAfterUnmap(nint address, int length, nint start, int pages)
    {
        long addr = address;
        long page = Math.Clamp(addr >> _pageShift, _startPage, _endPage - 1);
        string problem;
        if (pages > 0)
        {
            long overrun = addr + length - ((long)start + ((long)pages * Geometry.PageSize));
            problem = $"the range runs {(overrun == 1 ? "1 byte" : $"{overrun} bytes")} past the end of the live mapping at 0x{(long)start:x} ({PagesText(pages)})";
        }
        else if (address >= Start && address < End && FindUnmapped(page) is { } unmapped)
        {
            problem = $"0x{addr:x} was unmapped (a {unmapped.Family} mapping of {PagesText(unmapped.Pages)})";
        }
        else
        {
            problem = $"0x{addr:x} is not inside a live mapping (unmapped, or never mapped)";
        }

        return Misuse(RuleIds.VMAP004, $"GetSpan(0x{addr:x}, {length})", address, problem, page);
    }
}
