using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyFix = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP006_ReleaseWithOwnFamilyFix>;

namespace Vmap.Analyzers.Tests.Fixes;

public class VMAP006_ReleaseWithOwnFamilyFixTests
{
    [Fact]
    public Task Replaces_vfree_of_a_ram_mapping_with_unmap_ram_and_the_mapped_count()
    {
        const string Source = """
            using Vmap;

            class Buffers
            {
                void Release(VmapSpace space, Page[] pages)
                {
                    nint p = {|#1:space.MapRam(pages)|};
                    space.Vfree({|#0:p|});
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Buffers
            {
                void Release(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    space.UnmapRam(p, pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Replaces_unmap_ram_of_a_vmalloc_area_with_vfree()
    {
        const string Source = """
            using Vmap;

            class Buffers
            {
                void Release(VmapSpace space)
                {
                    nint v = {|#1:space.Vmalloc(8192)|};
                    space.UnmapRam({|#0:v|}, 2);
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Buffers
            {
                void Release(VmapSpace space)
                {
                    nint v = space.Vmalloc(8192);
                    space.Vfree(v);
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Takes_the_count_from_a_try_mapping_through_an_out_argument()
    {
        const string Source = """
            using Vmap;

            class Buffers
            {
                void Release(VmapSpace space, Page[] pages)
                {
                    {|#1:space.TryMapRam(pages, out nint p)|};
                    space.Vfree({|#0:p|});
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Buffers
            {
                void Release(VmapSpace space, Page[] pages)
                {
                    space.TryMapRam(pages, out nint p);
                    space.UnmapRam(p, pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_the_mapped_count_cannot_be_written_again_at_the_release()
    {
        // UnmapRam needs the count, and calling Fetch() again could return other pages.
        const string Source = """
            using Vmap;

            class Buffers
            {
                Page[] Fetch() => new Page[3];

                void Release(VmapSpace space)
                {
                    nint p = {|#1:space.MapRam(Fetch())|};
                    space.Vunmap({|#0:p|});
                }
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Fix_all_releases_every_mapping_with_its_own_family()
    {
        const string First = """
            using Vmap;

            class First
            {
                void A(VmapSpace space, Page[] pages)
                {
                    nint p = {|#1:space.MapRam(pages)|};
                    space.Vunmap({|#0:p|});
                }

                void B(VmapSpace space, Page[] pages)
                {
                    nint q = {|#3:space.Vmap(pages)|};
                    space.Vfree({|#2:q|});
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

                void B(VmapSpace space, Page[] pages)
                {
                    nint q = space.Vmap(pages);
                    space.Vunmap(q);
                }
            }
            """;
        var test = VerifyFix.Create(First, FirstFixed,
            VerifyFix.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP006).WithLocation(2).WithLocation(3));
        FixAll.AddSecondProject(test, """
            using Vmap;

            class Third
            {
                void C(VmapSpace space)
                {
                    nint v = {|#5:space.Vmalloc(4096)|};
                    space.Vunmap({|#4:v|});
                }
            }
            """, """
            using Vmap;

            class Third
            {
                void C(VmapSpace space)
                {
                    nint v = space.Vmalloc(4096);
                    space.Vfree(v);
                }
            }
            """, VerifyFix.Diagnostic(RuleIds.VMAP006).WithLocation(4).WithLocation(5));
        FixAll.ExpectOnePassPerScope(test, documents: 2, projects: 2);
        return test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public Task Frees_an_hglobal_block_with_free_hglobal_instead_of_free_co_task_mem()
    {
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static void Run()
                {
                    IntPtr p = {|#1:Marshal.AllocHGlobal(16)|};
                    Marshal.FreeCoTaskMem({|#0:p|});
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
                    Marshal.FreeHGlobal(p);
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Frees_a_cotaskmem_block_with_free_co_task_mem_instead_of_free_hglobal()
    {
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static void Run(string text)
                {
                    IntPtr p = {|#1:Marshal.StringToCoTaskMemUni(text)|};
                    Marshal.FreeHGlobal({|#0:p|});
                }
            }
            """;
        const string Fixed = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static void Run(string text)
                {
                    IntPtr p = Marshal.StringToCoTaskMemUni(text);
                    Marshal.FreeCoTaskMem(p);
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Fix_all_frees_native_memory_with_free_or_aligned_free_as_it_was_allocated()
    {
        const string Source = """
            using System.Runtime.InteropServices;

            unsafe class Native
            {
                static void A()
                {
                    void* p = {|#1:NativeMemory.AlignedAlloc(64, 16)|};
                    NativeMemory.Free({|#0:p|});
                }

                static void B()
                {
                    void* q = {|#3:NativeMemory.Alloc(64)|};
                    NativeMemory.AlignedFree({|#2:q|});
                }
            }
            """;
        const string Fixed = """
            using System.Runtime.InteropServices;

            unsafe class Native
            {
                static void A()
                {
                    void* p = NativeMemory.AlignedAlloc(64, 16);
                    NativeMemory.AlignedFree(p);
                }

                static void B()
                {
                    void* q = NativeMemory.Alloc(64);
                    NativeMemory.Free(q);
                }
            }
            """;
        var test = VerifyFix.CreateBuiltIn(Source, Fixed, null,
            VerifyFix.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP006).WithLocation(2).WithLocation(3));
        FixAll.ExpectOnePassPerScope(test, documents: 1, projects: 1);
        return test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public Task Offers_nothing_when_the_block_changed_hands_between_the_alloc_and_the_free()
    {
        // 'p' is written between the allocation the analyzer names and the release.
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static void Run(bool swap)
                {
                    IntPtr p = {|#1:Marshal.AllocHGlobal(16)|};
                    if (swap)
                        {|#2:p = Marshal.AllocHGlobal(32)|};
                    Marshal.FreeCoTaskMem({|#0:p|});
                }
            }
            """;
        return VerifyFix.VerifyBuiltInNoFixAsync(
            Source,
            null,
            VerifyFix.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(2).WithLocation(1));
    }
}
