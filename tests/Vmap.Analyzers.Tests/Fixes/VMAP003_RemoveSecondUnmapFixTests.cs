using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Vmap.CodeFixes;
using Xunit;
using VerifyFix = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP003_RemoveSecondUnmapFix>;

namespace Vmap.Analyzers.Tests.Fixes;

public class VMAP003_RemoveSecondUnmapFixTests
{
    [Fact]
    public Task Removes_an_unmap_that_always_follows_the_same_unmap()
    {
        const string Source = """
            using Vmap;

            class Cache
            {
                void Drop(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    space.UnmapRam({|#1:p|}, pages.Length);
                    space.UnmapRam({|#0:p|}, pages.Length);
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Cache
            {
                void Drop(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    space.UnmapRam(p, pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Removes_a_second_unmap_of_the_same_field()
    {
        const string Source = """
            using Vmap;

            class Buffer
            {
                private readonly VmapSpace _space;
                private nint _addr;
                private Page[] _pages = new Page[0];

                public Buffer(VmapSpace space) => _space = space;

                public void Cycle(Page[] pages)
                {
                    _pages = pages;
                    _addr = _space.MapRam(pages);
                    _space.UnmapRam({|#1:_addr|}, _pages.Length);
                    _space.GetSpan(0, 0).Clear();
                    _space.UnmapRam({|#0:_addr|}, _pages.Length);
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Buffer
            {
                private readonly VmapSpace _space;
                private nint _addr;
                private Page[] _pages = new Page[0];

                public Buffer(VmapSpace space) => _space = space;

                public void Cycle(Page[] pages)
                {
                    _pages = pages;
                    _addr = _space.MapRam(pages);
                    _space.UnmapRam(_addr, _pages.Length);
                    _space.GetSpan(0, 0).Clear();
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_a_call_between_may_have_mapped_the_field_again()
    {
        // Refill may store a fresh mapping in _addr; the second unmap would then be the right one.
        const string Source = """
            using Vmap;

            class Buffer
            {
                private readonly VmapSpace _space;
                private nint _addr;
                private Page[] _pages = new Page[0];

                public Buffer(VmapSpace space) => _space = space;

                private static void Refill()
                {
                }

                public void Cycle(Page[] pages)
                {
                    _pages = pages;
                    _addr = _space.MapRam(pages);
                    _space.UnmapRam({|#1:_addr|}, _pages.Length);
                    Refill();
                    _space.UnmapRam({|#0:_addr|}, _pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_the_first_unmap_runs_on_some_paths_only()
    {
        // Removing either release would leak the mapping on the other path.
        const string Source = """
            using Vmap;

            class Cache
            {
                void Drop(VmapSpace space, Page[] pages, bool failed)
                {
                    nint p = space.MapRam(pages);
                    if (failed)
                        space.UnmapRam({|#1:p|}, pages.Length);
                    space.UnmapRam({|#0:p|}, pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Fix_all_removes_every_redundant_unmap_in_the_solution()
    {
        const string First = """
            using Vmap;

            class First
            {
                void A(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    space.UnmapRam({|#1:p|}, pages.Length);
                    space.UnmapRam({|#0:p|}, pages.Length);
                }

                void B(VmapSpace space)
                {
                    nint v = space.Vmalloc(4096);
                    space.Vfree({|#3:v|});
                    space.Vfree({|#2:v|});
                }
            }
            """;
        const string FirstFixed = """
            using Vmap;

            class First
            {
                void A(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    space.UnmapRam(p, pages.Length);
                }

                void B(VmapSpace space)
                {
                    nint v = space.Vmalloc(4096);
                    space.Vfree(v);
                }
            }
            """;
        const string Second = """
            using Vmap;

            class Second
            {
                void C(VmapSpace space, Page[] pages)
                {
                    nint q = space.Vmap(pages);
                    space.Vunmap({|#5:q|});
                    space.Vunmap({|#4:q|});
                }
            }
            """;
        const string SecondFixed = """
            using Vmap;

            class Second
            {
                void C(VmapSpace space, Page[] pages)
                {
                    nint q = space.Vmap(pages);
                    space.Vunmap(q);
                }
            }
            """;
        var test = VerifyFix.Create(First, FirstFixed,
            VerifyFix.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP003).WithLocation(2).WithLocation(3),
            VerifyFix.Diagnostic(RuleIds.VMAP003).WithLocation(4).WithLocation(5));
        test.TestState.Sources.Add(("/0/Test1.cs", Second));
        test.FixedState.Sources.Add(("/0/Test1.cs", SecondFixed));
        FixAll.AddSecondProject(test, """
            using Vmap;

            class Third
            {
                void D(VmapSpace space, Page[] pages)
                {
                    nint r = space.MapRam(pages);
                    space.UnmapRam({|#7:r|}, pages.Length);
                    space.UnmapRam({|#6:r|}, pages.Length);
                }
            }
            """, """
            using Vmap;

            class Third
            {
                void D(VmapSpace space, Page[] pages)
                {
                    nint r = space.MapRam(pages);
                    space.UnmapRam(r, pages.Length);
                }
            }
            """, VerifyFix.Diagnostic(RuleIds.VMAP003).WithLocation(6).WithLocation(7));
        FixAll.ExpectOnePassPerScope(test, documents: 3, projects: 2);
        return test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public Task Removes_a_second_free_of_an_hglobal_block()
    {
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static void Run()
                {
                    IntPtr p = Marshal.AllocHGlobal(16);
                    Marshal.WriteInt32(p, 1);
                    Marshal.FreeHGlobal({|#1:p|});
                    Marshal.FreeHGlobal({|#0:p|});
                }
            }
            """;
        const string Fixed = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static void Run()
                {
                    IntPtr p = Marshal.AllocHGlobal(16);
                    Marshal.WriteInt32(p, 1);
                    Marshal.FreeHGlobal(p);
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Removes_a_second_free_of_a_gchandle()
    {
        const string Source = """
            using System.Runtime.InteropServices;

            class Pinning
            {
                static void Run(byte[] buffer)
                {
                    var handle = GCHandle.Alloc(buffer, GCHandleType.Pinned);
                    {|#1:handle|}.Free();
                    {|#0:handle|}.Free();
                }
            }
            """;
        const string Fixed = """
            using System.Runtime.InteropServices;

            class Pinning
            {
                static void Run(byte[] buffer)
                {
                    var handle = GCHandle.Alloc(buffer, GCHandleType.Pinned);
                    handle.Free();
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_the_first_free_of_a_native_block_runs_on_some_paths_only()
    {
        const string Source = """
            using System.Runtime.InteropServices;

            unsafe class Native
            {
                static void Run(bool early)
                {
                    void* p = NativeMemory.Alloc(16);
                    if (early)
                        NativeMemory.Free({|#1:p|});
                    NativeMemory.Free({|#0:p|});
                }
            }
            """;
        return VerifyFix.VerifyBuiltInNoFixAsync(Source, null, VerifyFix.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Fix_all_removes_every_second_release_of_built_in_and_configured_pairs()
    {
        const string Source = """
            using System.Runtime.InteropServices;

            namespace Native
            {
                public static class Shm
                {
                    public static nint Map(int length) => 4096;
                    public static void Unmap(nint address, int length) { }
                }
            }

            unsafe class Client
            {
                static void A()
                {
                    void* p = NativeMemory.AlignedAlloc(64, 16);
                    NativeMemory.AlignedFree({|#1:p|});
                    NativeMemory.AlignedFree({|#0:p|});
                }

                static void B()
                {
                    var region = Native.Shm.Map(64);
                    Native.Shm.Unmap({|#3:region|}, 64);
                    Native.Shm.Unmap({|#2:region|}, 64);
                }
            }
            """;
        const string Fixed = """
            using System.Runtime.InteropServices;

            namespace Native
            {
                public static class Shm
                {
                    public static nint Map(int length) => 4096;
                    public static void Unmap(nint address, int length) { }
                }
            }

            unsafe class Client
            {
                static void A()
                {
                    void* p = NativeMemory.AlignedAlloc(64, 16);
                    NativeMemory.AlignedFree(p);
                }

                static void B()
                {
                    var region = Native.Shm.Map(64);
                    Native.Shm.Unmap(region, 64);
                }
            }
            """;
        var test = VerifyFix.CreateBuiltIn(Source, Fixed, VerifyFix.EditorConfig(("shm", "acquire: Native.Shm.Map | release: Native.Shm.Unmap(address) | count: length")),
            VerifyFix.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP003).WithLocation(2).WithLocation(3));
        FixAll.ExpectOnePassPerScope(test, documents: 1, projects: 1);
        return test.RunAsync(CancellationToken.None);
    }
}
