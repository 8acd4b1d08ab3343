using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyFix = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP002_UnmapBeforeMappingIsLostFix>;

namespace Vmap.Analyzers.Tests.Fixes;

public class VMAP002_UnmapInFinallyFixTests
{
    [Fact]
    public Task Moves_the_closing_unmap_into_a_finally_around_the_early_return()
    {
        const string Source = """
            using Vmap;

            class Reader
            {
                private int _reads;

                void Read(VmapSpace space, Page[] pages, bool valid)
                {
                    nint p = {|#0:space.MapRam(pages)|};
                    if (!valid)
                        return;
                    _reads++;
                    space.GetSpan(p, 16).Clear();
                    space.UnmapRam(p, pages.Length);
                {|#1:}|}
            }
            """;
        const string Fixed = """
            using Vmap;

            class Reader
            {
                private int _reads;

                void Read(VmapSpace space, Page[] pages, bool valid)
                {
                    nint p = space.MapRam(pages);
                    try
                    {
                        if (!valid)
                            return;
                        _reads++;
                        space.GetSpan(p, 16).Clear();
                    }
                    finally
                    {
                        space.UnmapRam(p, pages.Length);
                    }
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_the_mapping_is_returned_on_another_path()
    {
        // A finally would release the mapping the caller receives.
        const string Source = """
            using Vmap;

            class Reader
            {
                nint Read(VmapSpace space, Page[] pages, bool keep)
                {
                    nint p = {|#0:space.MapRam(pages)|};
                    if (keep)
                        return p;
                    {|#1:return 0;|}
                }
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_another_path_hands_the_mapping_to_other_code()
    {
        // Queue may own the mapping from then on; a finally would release it behind its back.
        const string Source = """
            using Vmap;

            class Reader
            {
                static void Queue(nint address)
                {
                }

                void Read(VmapSpace space, Page[] pages, bool handOff, bool valid)
                {
                    nint p = {|#0:space.MapRam(pages)|};
                    if (handOff)
                    {
                        Queue(p);
                        return;
                    }

                    if (!valid)
                        return;
                    space.UnmapRam(p, pages.Length);
                {|#1:}|}
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_the_closing_unmap_reads_a_count_the_block_computes()
    {
        // In a finally, 'count' would be out of scope (and on the early path, not yet computed).
        const string Source = """
            using Vmap;

            class Reader
            {
                void Read(VmapSpace space, Page[] pages, bool valid)
                {
                    nint p = {|#0:space.MapRam(pages)|};
                    if (!valid)
                        return;
                    int count = pages.Length;
                    space.UnmapRam(p, count);
                {|#1:}|}
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Fix_all_wraps_every_leaking_mapping_in_the_solution()
    {
        const string First = """
            using Vmap;

            class First
            {
                void A(VmapSpace space, Page[] pages, bool valid)
                {
                    nint p = {|#0:space.Vmap(pages)|};
                    if (!valid)
                        return;
                    space.Vunmap(p);
                {|#1:}|}

                void B(VmapSpace space, bool valid)
                {
                    nint v = {|#2:space.Vmalloc(4096)|};
                    if (!valid)
                        return;
                    space.Vfree(v);
                {|#3:}|}
            }
            """;
        const string FirstFixed = """
            using Vmap;

            class First
            {
                void A(VmapSpace space, Page[] pages, bool valid)
                {
                    nint p = space.Vmap(pages);
                    try
                    {
                        if (!valid)
                            return;
                    }
                    finally
                    {
                        space.Vunmap(p);
                    }
                }

                void B(VmapSpace space, bool valid)
                {
                    nint v = space.Vmalloc(4096);
                    try
                    {
                        if (!valid)
                            return;
                    }
                    finally
                    {
                        space.Vfree(v);
                    }
                }
            }
            """;
        var test = VerifyFix.Create(First, FirstFixed,
            VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(2).WithLocation(3));
        FixAll.AddSecondProject(test, """
            using Vmap;

            class Third
            {
                void C(VmapSpace space, Page[] pages, bool valid)
                {
                    nint r = {|#4:space.MapRam(pages)|};
                    if (!valid)
                        return;
                    space.UnmapRam(r, pages.Length);
                {|#5:}|}
            }
            """, """
            using Vmap;

            class Third
            {
                void C(VmapSpace space, Page[] pages, bool valid)
                {
                    nint r = space.MapRam(pages);
                    try
                    {
                        if (!valid)
                            return;
                    }
                    finally
                    {
                        space.UnmapRam(r, pages.Length);
                    }
                }
            }
            """, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(4).WithLocation(5));
        FixAll.ExpectOnePassPerScope(test, documents: 2, projects: 2);
        return test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public Task Releases_an_hglobal_block_in_finally_around_an_early_return()
    {
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static int First(int[] values)
                {
                    IntPtr block = {|#0:Marshal.AllocHGlobal(values.Length * 4)|};
                    if (values.Length == 0)
                        {|#1:return 0;|}
                    Marshal.Copy(values, 0, block, values.Length);
                    int first = Marshal.ReadInt32(block);
                    Marshal.FreeHGlobal(block);
                    return first;
                }
            }
            """;
        const string Fixed = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static int First(int[] values)
                {
                    IntPtr block = Marshal.AllocHGlobal(values.Length * 4);
                    try
                    {
                        if (values.Length == 0)
                            return 0;
                        Marshal.Copy(values, 0, block, values.Length);
                        int first = Marshal.ReadInt32(block);
                        return first;
                    }
                    finally
                    {
                        Marshal.FreeHGlobal(block);
                    }
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Releases_a_cotaskmem_block_in_finally_around_a_continue()
    {
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static void Fill(int[] values)
                {
                    foreach (var v in values)
                    {
                        IntPtr p = {|#0:Marshal.AllocCoTaskMem(4)|};
                        if (v < 0)
                            continue;
                        Marshal.WriteInt32(p, v);
                        Marshal.FreeCoTaskMem(p);
                    {|#1:}|}
                }
            }
            """;
        const string Fixed = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static void Fill(int[] values)
                {
                    foreach (var v in values)
                    {
                        IntPtr p = Marshal.AllocCoTaskMem(4);
                        try
                        {
                            if (v < 0)
                                continue;
                            Marshal.WriteInt32(p, v);
                        }
                        finally
                        {
                            Marshal.FreeCoTaskMem(p);
                        }
                    }
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Adds_the_missing_free_of_a_bstr_in_a_finally()
    {
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Automation
            {
                static short Head(string text)
                {
                    IntPtr bstr = {|#0:Marshal.StringToBSTR(text)|};
                    short head = Marshal.ReadInt16(bstr);
                    {|#1:return head;|}
                }
            }
            """;
        const string Fixed = """
            using System;
            using System.Runtime.InteropServices;

            class Automation
            {
                static short Head(string text)
                {
                    IntPtr bstr = Marshal.StringToBSTR(text);
                    try
                    {
                        short head = Marshal.ReadInt16(bstr);
                        return head;
                    }
                    finally
                    {
                        Marshal.FreeBSTR(bstr);
                    }
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Releases_native_memory_in_finally_when_the_block_is_used_through_the_pointer()
    {
        const string Source = """
            using System.Runtime.InteropServices;

            unsafe class Native
            {
                static byte First(int n, bool skip)
                {
                    byte* p = (byte*){|#0:NativeMemory.Alloc((nuint)n)|};
                    if (skip)
                        {|#1:return 0;|}
                    p[0] = 1;
                    byte first = *p;
                    NativeMemory.Free(p);
                    return first;
                }
            }
            """;
        const string Fixed = """
            using System.Runtime.InteropServices;

            unsafe class Native
            {
                static byte First(int n, bool skip)
                {
                    byte* p = (byte*)NativeMemory.Alloc((nuint)n);
                    try
                    {
                        if (skip)
                            return 0;
                        p[0] = 1;
                        byte first = *p;
                        return first;
                    }
                    finally
                    {
                        NativeMemory.Free(p);
                    }
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Releases_aligned_native_memory_in_finally_around_a_break()
    {
        const string Source = """
            using System.Runtime.InteropServices;

            unsafe class Native
            {
                static void Each(int[] values)
                {
                    for (var i = 0; i < values.Length; i++)
                    {
                        void* p = {|#0:NativeMemory.AlignedAlloc(64, 16)|};
                        if (values[i] == 0)
                            break;
                        *(int*)p = values[i];
                        NativeMemory.AlignedFree(p);
                    }
                {|#1:}|}
            }
            """;
        const string Fixed = """
            using System.Runtime.InteropServices;

            unsafe class Native
            {
                static void Each(int[] values)
                {
                    for (var i = 0; i < values.Length; i++)
                    {
                        void* p = NativeMemory.AlignedAlloc(64, 16);
                        try
                        {
                            if (values[i] == 0)
                                break;
                            *(int*)p = values[i];
                        }
                        finally
                        {
                            NativeMemory.AlignedFree(p);
                        }
                    }
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Frees_a_gchandle_in_finally_around_an_early_return()
    {
        const string Source = """
            using System.Runtime.InteropServices;

            class Pinning
            {
                static int First(byte[] buffer, bool fail)
                {
                    GCHandle handle = {|#0:GCHandle.Alloc(buffer, GCHandleType.Pinned)|};
                    if (fail)
                        {|#1:return 0;|}
                    int first = Marshal.ReadByte(handle.AddrOfPinnedObject());
                    handle.Free();
                    return first;
                }
            }
            """;
        const string Fixed = """
            using System.Runtime.InteropServices;

            class Pinning
            {
                static int First(byte[] buffer, bool fail)
                {
                    GCHandle handle = GCHandle.Alloc(buffer, GCHandleType.Pinned);
                    try
                    {
                        if (fail)
                            return 0;
                        int first = Marshal.ReadByte(handle.AddrOfPinnedObject());
                        return first;
                    }
                    finally
                    {
                        handle.Free();
                    }
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Adds_the_release_of_a_configured_pair_with_the_acquired_count()
    {
        const string Source = """
            namespace Native
            {
                public static class Shm
                {
                    public static nint Map(int length) => 4096;
                    public static void Unmap(nint address, int length) { }
                }
            }

            class Client
            {
                static int Probe(int length)
                {
                    var region = {|#0:Native.Shm.Map(length)|};
                    if (region == 0)
                        return -1;
                    {|#1:return length;|}
                }
            }
            """;
        const string Fixed = """
            namespace Native
            {
                public static class Shm
                {
                    public static nint Map(int length) => 4096;
                    public static void Unmap(nint address, int length) { }
                }
            }

            class Client
            {
                static int Probe(int length)
                {
                    var region = Native.Shm.Map(length);
                    try
                    {
                        if (region == 0)
                            return -1;
                        return length;
                    }
                    finally
                    {
                        Native.Shm.Unmap(region, length);
                    }
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, ShmConfig, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_an_hglobal_block_is_handed_to_other_code_on_another_path()
    {
        // Keep may own the block from then on; a finally would free it behind its back.
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static void Keep(IntPtr block) { }

                static void Store(bool keep)
                {
                    IntPtr block = {|#0:Marshal.AllocHGlobal(16)|};
                    if (keep)
                        Keep(block);
                {|#1:}|}
            }
            """;
        return VerifyFix.VerifyBuiltInNoFixAsync(Source, null, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Fix_all_frees_every_leaking_built_in_block_in_the_solution()
    {
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static void A(bool skip)
                {
                    IntPtr a = {|#0:Marshal.AllocHGlobal(8)|};
                    if (skip)
                        {|#1:return;|}
                    Marshal.WriteInt64(a, 1);
                    Marshal.FreeHGlobal(a);
                }

                static void B(bool skip)
                {
                    IntPtr b = {|#2:Marshal.AllocCoTaskMem(8)|};
                    if (skip)
                        {|#3:return;|}
                    Marshal.WriteInt64(b, 2);
                    Marshal.FreeCoTaskMem(b);
                }
            }
            """;
        const string Fixed = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static void A(bool skip)
                {
                    IntPtr a = Marshal.AllocHGlobal(8);
                    try
                    {
                        if (skip)
                            return;
                        Marshal.WriteInt64(a, 1);
                    }
                    finally
                    {
                        Marshal.FreeHGlobal(a);
                    }
                }

                static void B(bool skip)
                {
                    IntPtr b = Marshal.AllocCoTaskMem(8);
                    try
                    {
                        if (skip)
                            return;
                        Marshal.WriteInt64(b, 2);
                    }
                    finally
                    {
                        Marshal.FreeCoTaskMem(b);
                    }
                }
            }
            """;
        var test = VerifyFix.CreateBuiltIn(Source, Fixed, null,
            VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(2).WithLocation(3));
        FixAll.ExpectOnePassPerScope(test, documents: 1, projects: 1);
        return test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public Task Fix_all_wraps_each_of_two_mappings_of_one_method_in_its_own_finally()
    {
        // The two edits overlap (the first wraps the second's declaration): Fix All plans the
        // second on the code the first produced, as fixing them one at a time does.
        const string Source = """
            using Vmap;

            class Copier
            {
                void Copy(VmapSpace space, Page[] from, Page[] to, bool valid)
                {
                    nint src = {|#0:space.MapRam(from)|};
                    nint dst = {|#2:space.MapRam(to)|};
                    if (!valid)
                        return;
                    space.GetSpan(dst, 16).Clear();
                    space.UnmapRam(dst, to.Length);
                    space.UnmapRam(src, from.Length);
                {|#1:}|}
            }
            """;
        const string Fixed = """
            using Vmap;

            class Copier
            {
                void Copy(VmapSpace space, Page[] from, Page[] to, bool valid)
                {
                    nint src = space.MapRam(from);
                    try
                    {
                        nint dst = space.MapRam(to);
                        try
                        {
                            if (!valid)
                                return;
                            space.GetSpan(dst, 16).Clear();
                        }
                        finally
                        {
                            space.UnmapRam(dst, to.Length);
                        }
                    }
                    finally
                    {
                        space.UnmapRam(src, from.Length);
                    }
                }
            }
            """;
        var test = VerifyFix.Create(Source, Fixed,
            VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(2).WithLocation(1));
        FixAll.ExpectOnePassPerScope(test, documents: 1, projects: 1);
        return test.RunAsync(CancellationToken.None);
    }

    private static readonly string ShmConfig = VerifyFix.EditorConfig(("shm", "acquire: Native.Shm.Map | release: Native.Shm.Unmap(address) | count: length"));
}
