using System.Runtime.Versioning;
using static Vmap.Tests.Native.NativeSpace;

namespace Vmap.Tests.Native;

/// <summary>
/// Every misuse the core refuses, on real memory: the typed error, and afterwards the kernel's
/// mappings, the pool's bytes and what each live mapping shows are exactly as before.
/// </summary>
[Collection(NativeCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class NativeMisuseTests : IDisposable
{
    private readonly VmapSpace _space = Create();
    private readonly Page[] _pages;
    private readonly nint _ram;
    private readonly nint _vmap;
    private readonly nint _vmalloc;
    private readonly nint _unmapped;

    public NativeMisuseTests()
    {
        _pages = Allocate(_space, 6);
        for (int i = 0; i < _pages.Length; i++)
        {
            _space.Pool.GetSpan(_pages[i]).Fill((byte)(i + 1));
        }

        // A block at the start of the space holds the MapRam calls; the vmap and vmalloc areas follow it.
        _ram = _space.MapRam(_pages.AsSpan(0, 3));
        _unmapped = _space.MapRam([_pages[5]]);
        _space.UnmapRam(_unmapped, 1);
        _vmap = _space.Vmap([_pages[4], _pages[3]]);
        _vmalloc = _space.Vmalloc(2 * PageSize);
        Assert.Equal(
            (_space.Start, _space.Start + (3 * PageSize), _space.Start + (1024 * PageSize), _space.Start + (1027 * PageSize)),
            (_ram, _unmapped, _vmap, _vmalloc));
    }

    public static TheoryData<string> Cases => new(Misuses.Keys);

    private static Dictionary<string, (Action<NativeMisuseTests> Call, string Rule, Func<NativeMisuseTests, string> Message)> Misuses { get; } = new()
    {
        ["outside the space"] = (
            t => t._space.UnmapRam(t._space.End, 3),
            RuleIds.VMAP001,
            t => $"VMAP001: UnmapRam(0x{t._space.End:x}, 3): 0x{t._space.End:x} is outside the space [0x{t._space.Start:x}, 0x{t._space.End:x}). {t.Nearest(t._vmalloc, 2, "vmalloc")}"),
        ["not page-aligned"] = (
            t => t._space.UnmapRam(t._ram + 1, 3),
            RuleIds.VMAP001,
            t => $"VMAP001: UnmapRam(0x{t._ram + 1:x}, 3): 0x{t._ram + 1:x} is not page-aligned (page size 4096): it points 0x1 bytes into a live mapping, not at its start. {t.Nearest(t._ram, 3, "vmap-ram")}"),
        ["inside a live mapping"] = (
            t => t._space.UnmapRam(t._ram + PageSize, 2),
            RuleIds.VMAP001,
            t => $"VMAP001: UnmapRam(0x{t._ram + PageSize:x}, 2): 0x{t._ram + PageSize:x} is inside a live mapping, 0x1000 bytes past its start. {t.Nearest(t._ram, 3, "vmap-ram")}"),
        ["never mapped"] = (
            t => t._space.Vunmap(t._ram + (512 * PageSize)),
            RuleIds.VMAP001,
            t => $"VMAP001: Vunmap(0x{t._ram + (512 * PageSize):x}): 0x{t._ram + (512 * PageSize):x} is not the start of a live mapping (reassigned, offset or foreign pointer). {t.Nearest(t._ram, 3, "vmap-ram")}"),
        ["already unmapped"] = (
            t => t._space.UnmapRam(t._unmapped, 1),
            RuleIds.VMAP003,
            t => $"VMAP003: UnmapRam(0x{t._unmapped:x}, 1): 0x{t._unmapped:x} was already unmapped (a vmap-ram mapping of 1 page). {t.Nearest(t._ram, 3, "vmap-ram")}"),
        ["wrong count"] = (
            t => t._space.UnmapRam(t._ram, 2),
            RuleIds.VMAP005,
            t => $"VMAP005: UnmapRam(0x{t._ram:x}, 2): the mapping at 0x{t._ram:x} has 3 pages, not 2. {t.Nearest(t._ram, 3, "vmap-ram")}"),
        ["count not positive"] = (
            t => t._space.UnmapRam(t._ram, 0),
            RuleIds.VMAP005,
            t => $"VMAP005: UnmapRam(0x{t._ram:x}, 0): the page count must be positive, not 0. {t.Nearest(t._ram, 3, "vmap-ram")}"),
        ["empty page list"] = (
            t => t._space.MapRam([]),
            RuleIds.VMAP005,
            _ => "VMAP005: MapRam([]): the page list is empty; a mapping needs at least one page."),
        ["Vunmap of a MapRam mapping"] = (
            t => t._space.Vunmap(t._ram),
            RuleIds.VMAP006,
            t => $"VMAP006: Vunmap(0x{t._ram:x}): 0x{t._ram:x} is a vmap-ram mapping; release it with UnmapRam. {t.Nearest(t._ram, 3, "vmap-ram")}"),
        ["Vfree of a Vmap mapping"] = (
            t => t._space.Vfree(t._vmap),
            RuleIds.VMAP006,
            t => $"VMAP006: Vfree(0x{t._vmap:x}): 0x{t._vmap:x} is a vmap mapping; release it with Vunmap. {t.Nearest(t._vmap, 2, "vmap")}"),
        ["UnmapRam of a Vmalloc allocation"] = (
            t => t._space.UnmapRam(t._vmalloc, 2),
            RuleIds.VMAP006,
            t => $"VMAP006: UnmapRam(0x{t._vmalloc:x}, 2): 0x{t._vmalloc:x} is a vmalloc mapping; release it with Vfree. {t.Nearest(t._vmalloc, 2, "vmalloc")}"),
        ["GetSpan after unmap"] = (
            t => t._space.GetSpan(t._unmapped, 1),
            RuleIds.VMAP004,
            t => $"VMAP004: GetSpan(0x{t._unmapped:x}, 1): 0x{t._unmapped:x} was unmapped (a vmap-ram mapping of 1 page). {t.Nearest(t._ram, 3, "vmap-ram")}"),
        ["GetSpan past the end of a mapping"] = (
            t => t._space.GetSpan(t._vmap + PageSize, PageSize + 1),
            RuleIds.VMAP004,
            t => $"VMAP004: GetSpan(0x{t._vmap + PageSize:x}, 4097): the range runs 1 byte past the end of the live mapping at 0x{t._vmap:x} (2 pages). {t.Nearest(t._vmap, 2, "vmap")}"),
        ["GetSpan a page past the end of a mapping"] = (
            t => t._space.GetSpan(t._ram, 4 * PageSize),
            RuleIds.VMAP004,
            t => $"VMAP004: GetSpan(0x{t._ram:x}, 16384): the range runs 4096 bytes past the end of the live mapping at 0x{t._ram:x} (3 pages). {t.Nearest(t._ram, 3, "vmap-ram")}"),
        ["GetSpan into a guard page"] = (
            t => t._space.GetSpan(t._vmap + (2 * PageSize), 8),
            RuleIds.VMAP004,
            t => $"VMAP004: GetSpan(0x{t._vmap + (2 * PageSize):x}, 8): 0x{t._vmap + (2 * PageSize):x} is not inside a live mapping (unmapped, or never mapped). {t.Nearest(t._vmap, 2, "vmap")}"),
        ["GetSpan outside the space"] = (
            t => t._space.GetSpan(t._space.Start - PageSize, 8),
            RuleIds.VMAP004,
            t => $"VMAP004: GetSpan(0x{t._space.Start - PageSize:x}, 8): 0x{t._space.Start - PageSize:x} is not inside a live mapping (unmapped, or never mapped). {t.Nearest(t._ram, 3, "vmap-ram")}"),
    };

    [LinuxTheory]
    [MemberData(nameof(Cases))]
    public void A_misuse_throws_its_rule_and_changes_no_mapping_and_no_page(string misuse)
    {
        var (call, rule, message) = Misuses[misuse];
        var vmas = Vmas(_space);
        var pool = _pages.Select(p => _space.Pool.GetSpan(p).ToArray()).ToArray();
        var views = Views();

        var e = Assert.Throws<VmapMisuseException>(() => call(this));

        Assert.Equal((rule, message(this)), (e.Rule, e.Message));
        Assert.Equal(vmas, Vmas(_space));
        Assert.Equal(pool, _pages.Select(p => _space.Pool.GetSpan(p).ToArray()));
        Assert.Equal(views, Views());
    }

    [LinuxFact]
    public void A_freed_or_foreign_page_is_refused_before_anything_is_mapped()
    {
        using var other = Create();
        var foreign = other.Pool.Allocate();
        var freed = _space.Pool.Allocate();
        _space.Pool.Free(freed);
        var vmas = Vmas(_space);

        var e1 = Assert.Throws<ArgumentException>(() => _space.MapRam([_pages[0], freed]));
        var e2 = Assert.Throws<ArgumentException>(() => _space.Vmap([foreign]));

        Assert.Equal($"{freed} was freed (or never allocated) and cannot be used. (Parameter 'pages')", e1.Message);
        Assert.Equal($"{foreign} belongs to another pool (pool {other.Pool.Id}), not to this space's pool {_space.Pool.Id}. (Parameter 'pages')", e2.Message);
        Assert.Equal(vmas, Vmas(_space));
    }

    [LinuxFact]
    public void GetSpan_of_a_simulated_space_says_there_is_no_memory()
    {
        using var simulated = VmapSpace.CreateSimulated(Geometry);
        nint address = simulated.MapRam([simulated.Pool.Allocate()]);

        var e = Assert.Throws<NotSupportedException>(() => simulated.GetSpan(address, 1));

        Assert.Equal("This simulated space has no memory behind its mappings; use VmapSpace.CreateNative for real memory.", e.Message);
    }

    public void Dispose() => _space.Dispose();

    private string Nearest(nint start, int pages, string family) =>
        $"Nearest live mapping: 0x{start:x}, {pages} pages ({pages * PageSize} bytes, {family}).";

    /// <summary>What each live mapping shows, page by page.</summary>
    private byte[][] Views() =>
    [
        _space.GetSpan(_ram, 3 * PageSize).ToArray(),
        _space.GetSpan(_vmap, 2 * PageSize).ToArray(),
        _space.GetSpan(_vmalloc, 2 * PageSize).ToArray(),
    ];
}
