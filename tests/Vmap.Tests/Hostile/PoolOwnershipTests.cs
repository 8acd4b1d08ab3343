using static Vmap.Tests.TestSpaces;

namespace Vmap.Tests.Hostile;

/// <summary>Issue 13, break 4: the space owns its pool; disposing the pool on its own cannot leave a space that maps pages that are gone.</summary>
public class PoolOwnershipTests
{
    [Fact]
    public void Disposing_the_pool_of_a_simulated_space_disposes_the_space()
    {
        var space = Create();
        var pages = Pages(space, 2);
        nint a = space.MapRam(pages.AsSpan(0, 1));
        nint v = space.Vmalloc(PageSize);

        space.Pool.Dispose();

        Assert.Throws<ObjectDisposedException>(() => space.MapRam(pages.AsSpan(1, 1)));
        Assert.Throws<ObjectDisposedException>(() => space.Vmalloc(PageSize));
        Assert.Throws<ObjectDisposedException>(() => space.UnmapRam(a, 1));
        Assert.Throws<ObjectDisposedException>(() => space.Vfree(v));
        Assert.Throws<ObjectDisposedException>(() => space.Stats);
        Assert.Throws<ObjectDisposedException>(() => space.SnapshotAreas());
        Assert.Throws<ObjectDisposedException>(() => space.UnmapAliases());
        Assert.Throws<ObjectDisposedException>(() => space.Pool.Allocate());
        Assert.Throws<ObjectDisposedException>(() => space.Pool.Free(pages[1]));
        space.Pool.Dispose();
        space.Dispose();
    }

    [Fact]
    public void Disposing_the_space_disposes_its_pool()
    {
        var backend = new RecordingBackend();
        var space = new VmapSpace(backend, Small, null);
        var pool = space.Pool;
        space.Dispose();
        Assert.True(backend.Disposed);
        Assert.Throws<ObjectDisposedException>(() => pool.Allocate());
        pool.Dispose();
    }
}
