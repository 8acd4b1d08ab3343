namespace Vmap.Analyzers.Tests.Fixes;

/// <summary>
/// The annotations and a small allocator with the runtime's signatures, compiled into every fix
/// test; the analyzers match the attributes by metadata name, so this copy is enough.
/// </summary>
internal static class FakeVmapApi
{
    public const string Path = "/0/VmapApi.cs";

    public const string Source = """
        #nullable enable
        using System;
        using Vmap.Annotations;

        namespace Vmap.Annotations
        {
            [AttributeUsage(AttributeTargets.ReturnValue | AttributeTargets.Parameter)]
            internal sealed class MapsMemoryAttribute : Attribute
            {
                public MapsMemoryAttribute(string family) => Family = family;
                public string Family { get; }
                public string? CountParameter { get; set; }
            }

            [AttributeUsage(AttributeTargets.Parameter)]
            internal sealed class UnmapsMemoryAttribute : Attribute
            {
                public UnmapsMemoryAttribute(string family) => Family = family;
                public string Family { get; }
                public string? CountParameter { get; set; }
            }
        }

        namespace Vmap
        {
            public readonly struct Page
            {
            }

            public sealed class VmapSpace
            {
                [return: MapsMemory("vmap-ram", CountParameter = "pages")]
                public nint MapRam(ReadOnlySpan<Page> pages) => 4096;

                public bool TryMapRam(ReadOnlySpan<Page> pages, [MapsMemory("vmap-ram", CountParameter = "pages")] out nint address)
                {
                    address = 4096;
                    return true;
                }

                public void UnmapRam([UnmapsMemory("vmap-ram", CountParameter = "pageCount")] nint address, int pageCount)
                {
                }

                [return: MapsMemory("vmap", CountParameter = "pages")]
                public nint Vmap(ReadOnlySpan<Page> pages) => 4096;

                public void Vunmap([UnmapsMemory("vmap")] nint address)
                {
                }

                [return: MapsMemory("vmalloc")]
                public nint Vmalloc(nuint size) => 4096;

                public void Vfree([UnmapsMemory("vmalloc")] nint address)
                {
                }

                public Span<byte> GetSpan(nint address, int length) => default;
            }
        }
        """;
}
