using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyFix = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP004_UnmapAfterLastUseFix>;

namespace Vmap.Analyzers.Tests.Fixes;

public class VMAP004_UnmapAfterLastUseFixTests
{
    [Fact]
    public Task Moves_the_unmap_after_the_last_use_of_the_mapping()
    {
        const string Source = """
            using Vmap;

            class Reader
            {
                void Read(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    space.UnmapRam({|#1:p|}, pages.Length);
                    var span = space.GetSpan({|#0:p|}, 16);
                    span.Clear();
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Reader
            {
                void Read(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    var span = space.GetSpan(p, 16);
                    space.UnmapRam(p, pages.Length);
                    span.Clear();
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Moves_the_free_of_an_hglobal_block_after_the_last_read()
    {
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static int Run()
                {
                    IntPtr p = Marshal.AllocHGlobal(16);
                    Marshal.WriteInt32(p, 7);
                    Marshal.FreeHGlobal({|#1:p|});
                    int value = Marshal.ReadInt32({|#0:p|});
                    return value;
                }
            }
            """;
        const string Fixed = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static int Run()
                {
                    IntPtr p = Marshal.AllocHGlobal(16);
                    Marshal.WriteInt32(p, 7);
                    int value = Marshal.ReadInt32(p);
                    Marshal.FreeHGlobal(p);
                    return value;
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Moves_the_free_of_native_memory_after_the_last_dereference()
    {
        const string Source = """
            using System.Runtime.InteropServices;

            unsafe class Native
            {
                static int Run()
                {
                    int* p = (int*)NativeMemory.Alloc(16);
                    *p = 7;
                    NativeMemory.Free({|#1:p|});
                    int value = {|#0:*p|};
                    return value;
                }
            }
            """;
        const string Fixed = """
            using System.Runtime.InteropServices;

            unsafe class Native
            {
                static int Run()
                {
                    int* p = (int*)NativeMemory.Alloc(16);
                    *p = 7;
                    int value = *p;
                    NativeMemory.Free(p);
                    return value;
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_a_call_in_between_could_throw_past_the_moved_unmap()
    {
        // If Log threw, the unmap moved after it would never run: a leak on a path that is correct today.
        const string Source = """
            using Vmap;

            class Reader
            {
                void Log() { }

                void Read(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    space.UnmapRam({|#1:p|}, pages.Length);
                    Log();
                    space.GetSpan({|#0:p|}, 16).Clear();
                }
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_the_unmap_and_the_use_are_in_different_blocks()
    {
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static int Run(bool done)
                {
                    IntPtr p = {|#2:Marshal.AllocHGlobal(16)|};
                    if (done)
                    {
                        Marshal.FreeHGlobal({|#1:p|});
                    }

                    {|#3:return Marshal.ReadInt32({|#0:p|});|}
                }
            }
            """;
        return VerifyFix.VerifyBuiltInNoFixAsync(
            Source,
            null,
            VerifyFix.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(2).WithLocation(3));
    }

    [Fact]
    public Task Fix_all_moves_every_unmap_after_its_last_use()
    {
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static int A()
                {
                    IntPtr a = Marshal.AllocHGlobal(16);
                    Marshal.FreeHGlobal({|#1:a|});
                    int value = Marshal.ReadInt32({|#0:a|});
                    return value;
                }

                static int B()
                {
                    IntPtr b = Marshal.AllocCoTaskMem(16);
                    Marshal.FreeCoTaskMem({|#3:b|});
                    int value = Marshal.ReadInt32({|#2:b|});
                    return value;
                }
            }
            """;
        const string Fixed = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static int A()
                {
                    IntPtr a = Marshal.AllocHGlobal(16);
                    int value = Marshal.ReadInt32(a);
                    Marshal.FreeHGlobal(a);
                    return value;
                }

                static int B()
                {
                    IntPtr b = Marshal.AllocCoTaskMem(16);
                    int value = Marshal.ReadInt32(b);
                    Marshal.FreeCoTaskMem(b);
                    return value;
                }
            }
            """;
        var test = VerifyFix.CreateBuiltIn(Source, Fixed, null,
            VerifyFix.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP004).WithLocation(2).WithLocation(3));
        FixAll.ExpectOnePassPerScope(test, documents: 1, projects: 1);
        return test.RunAsync(CancellationToken.None);
    }
}
