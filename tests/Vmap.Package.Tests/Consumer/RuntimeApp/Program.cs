using System.Runtime.InteropServices;
using Vmap;
using Vmap.Annotations;

// A .NET app on the Vmap runtime: the rules come with the package, over the runtime's own pairs,
// .NET's built-in ones and the app's API annotated with the runtime's public attributes.
using var space = VmapSpace.CreateSimulated(VmapGeometry.X86_32_2011);
Page[] pages = [space.Pool.Allocate(), space.Pool.Allocate(), space.Pool.Allocate(), space.Pool.Allocate()];
nint address = space.MapRam(pages);
space.UnmapRam(address, 1);

nint block = Marshal.AllocHGlobal(64);
Marshal.FreeHGlobal(block);
Marshal.FreeHGlobal(block);

var frames = new Frames();
nint frame = frames.Take();
Frames.Release(frame);
Frames.Release(frame);

nint scratch = Marshal.AllocHGlobal(16);
Scratch.Drop(scratch);
Scratch.Drop(scratch);

public sealed class Frames
{
    [return: MapsMemory("frame")]
    public nint Take() => Marshal.AllocHGlobal(256);

    public static void Release([UnmapsMemory("frame")] nint frame) => Marshal.FreeHGlobal(frame);
}

public static class Scratch
{
    // Frees its argument on every path: the rules follow the release into it.
    public static void Drop(nint block) => Marshal.FreeHGlobal(block);
}
