using System.Reflection;
using App;
using Vmap;

// What a user's first program does with the package: one map/unmap round trip, then the SET_PTR
// shape that the analyzer flags at build time, caught again at run time by the checked unmap.
var runtime = typeof(VmapSpace).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
Console.WriteLine($"runtime {runtime.Split('+')[0]}");

using var space = VmapSpace.CreateSimulated(VmapGeometry.X86_32_2011);
Page[] pages = [space.Pool.Allocate(), space.Pool.Allocate(), space.Pool.Allocate(), space.Pool.Allocate()];
nint address = space.MapRam(pages);
Console.WriteLine($"mapped {pages.Length} pages, page aligned: {address % space.Pool.PageSize == 0}");
space.UnmapRam(address, pages.Length);
Console.WriteLine("unmapped");

var buf = new LogBuffer();
LogBufferCache.Map(space, buf, [space.Pool.Allocate(), space.Pool.Allocate()]);
LogBufferCache.SetPtr(buf, buf.Addr + space.Pool.PageSize);
try
{
    LogBufferCache.Free(space, buf);
    Console.WriteLine("set_ptr: unmapped a pointer that was never mapped");
}
catch (VmapMisuseException misuse)
{
    Console.WriteLine($"set_ptr: {misuse.GetType().Name} {misuse.Rule}");
}
