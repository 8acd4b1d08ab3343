using System.Runtime.Versioning;

namespace Vmap.Native;

/// <summary>
/// Pages that are pages of one memfd: page <c>n</c> is the file's bytes at <c>n * PageSize</c>.
/// The file grows on demand (ftruncate) and a freed page goes back to the kernel at once (a
/// punched hole), so the pool holds only the memory of its live, touched pages.
/// </summary>
/// <remarks>
/// The pool keeps one shared mapping of the whole file, its linear map, for the same reason the
/// kernel keeps a direct map of physical memory: a page has bytes of its own, reachable without
/// any vmap, and every vmap of the page is an alias of them.
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed unsafe class MemfdPagePool : PagePool
{
    private readonly long _maxPages;
    private readonly nint _linearMap;
    private int _fd;

    /// <summary>Creates an empty memfd that may grow to <paramref name="maxPages"/> pages.</summary>
    public MemfdPagePool(int pageSize, long maxPages)
        : base(pageSize)
    {
        if (pageSize % Environment.SystemPageSize != 0)
        {
            throw new ArgumentException(
                $"A native page of {pageSize} bytes is not a multiple of the system page size ({Environment.SystemPageSize} bytes); mmap offsets and addresses must be page-aligned.",
                nameof(pageSize));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPages);
        _maxPages = maxPages;

        _fd = Libc.memfd_create(MemfdName, Libc.MFD_CLOEXEC);
        if (_fd < 0)
        {
            throw new IOException($"memfd_create failed: {Libc.LastError(out _)}.");
        }

        // Mapping past the end of the file is allowed (only touching it faults), so the linear map
        // is made once at its final size and growing the pool is a bare ftruncate. A shared memfd
        // mapping is not charged to the commit limit; its pages are, when they are first touched.
        _linearMap = Libc.mmap(0, (nuint)(maxPages * pageSize), Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_NORESERVE, _fd, 0);
        if (_linearMap == Libc.MAP_FAILED)
        {
            var error = Libc.LastError(out _);
            Libc.close(_fd);
            throw new InsufficientMemoryException($"Could not map the page pool's {maxPages} pages ({maxPages * pageSize} bytes of address space): {error}.");
        }
    }

    /// <summary>The memfd's name, unique in the process, as /proc shows it after "/memfd:".</summary>
    public string MemfdName => $"vmap-pool-{Id}";

    /// <summary>The memfd's descriptor, for mapping its pages elsewhere.</summary>
    public int Fd => _fd;

    /// <summary>The most pages the pool can hold.</summary>
    public long MaxPages => _maxPages;

    /// <summary>Where the pool's own view of page 0 lies; page n is at <c>LinearMap + n * PageSize</c>.</summary>
    public nint LinearMap => _linearMap;

    protected override void OnGrow(long pageCount)
    {
        if (pageCount > _maxPages)
        {
            throw new InsufficientMemoryException($"The page pool is full: it holds at most {_maxPages} pages of {PageSize} bytes.");
        }

        if (Libc.ftruncate(_fd, pageCount * PageSize) != 0)
        {
            throw new IOException($"Growing the page pool's memfd to {pageCount} pages failed: {Libc.LastError(out _)}.");
        }
    }

    /// <summary>
    /// Punches the hole of a freed page (offset, length; 0 on success, as fallocate). A seam: tests
    /// stand in a kernel that refuses, which no file system does on demand.
    /// </summary>
    internal Func<int, long, long, int> PunchHole { get; set; } = static (fd, offset, length) =>
        Libc.fallocate(fd, Libc.FALLOC_FL_PUNCH_HOLE | Libc.FALLOC_FL_KEEP_SIZE, offset, length);

    protected override void OnFree(long index)
    {
        // A free must not fail half-way through a Vfree: when the kernel will not take the memory
        // back, the page keeps it, zeroed, as a punched page would read, until it is reused.
        if (PunchHole(_fd, index * PageSize, PageSize) != 0)
        {
            GetPageBytes(index).Clear();
        }
    }

    protected override Span<byte> GetPageBytes(long index) => new((void*)(_linearMap + (nint)(index * PageSize)), PageSize);

    protected override void Dispose(bool disposing)
    {
        // Other mappings of the file (a space's vmaps) keep its pages alive on their own, so the
        // order against the backend's munmap does not matter.
        Libc.munmap(_linearMap, (nuint)(_maxPages * PageSize));
        Libc.close(_fd);
        _fd = -1;
    }
}
