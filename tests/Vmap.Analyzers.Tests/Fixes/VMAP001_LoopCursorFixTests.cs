using System.Threading;
using System.Threading.Tasks;
using Xunit;
using VerifyFix = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP001_UnmapOfReassignedPointerFix>;

namespace Vmap.Analyzers.Tests.Fixes;

/// <summary>
/// The flagship shape reported as VMAP001 on some path (a pointer advanced in a loop, then
/// released): the fix keeps the start in the variable and walks a cursor through the loop.
/// </summary>
public class VMAP001_LoopCursorFixTests
{
    [Fact]
    public Task A_pointer_advanced_in_a_loop_keeps_its_start_and_a_cursor_walks()
    {
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Table
            {
                void Fill(IntPtr[] entries)
                {
                    IntPtr block = Marshal.AllocHGlobal(entries.Length * IntPtr.Size);
                    for (int i = 0; i < entries.Length; i++)
                    {
                        Marshal.WriteIntPtr(block, entries[i]);
                        {|#1:block += IntPtr.Size|};
                    }

                    Marshal.FreeHGlobal({|#0:block|});
                }
            }
            """;
        const string Fixed = """
            using System;
            using System.Runtime.InteropServices;

            class Table
            {
                void Fill(IntPtr[] entries)
                {
                    IntPtr block = Marshal.AllocHGlobal(entries.Length * IntPtr.Size);
                    var cursor = block;
                    for (int i = 0; i < entries.Length; i++)
                    {
                        Marshal.WriteIntPtr(cursor, entries[i]);
                        cursor += IntPtr.Size;
                    }

                    Marshal.FreeHGlobal(block);
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'block' is freed here but on some path holds memory that was never allocated: on every path through line 12 it became an offset of the block, not the start AllocHGlobal allocated at line 8"));
    }

    [Fact]
    public Task Walks_a_cursor_through_an_hglobal_block_written_in_a_foreach_and_frees_the_start()
    {
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Argv
            {
                static void Fill(string[] args)
                {
                    IntPtr block = Marshal.AllocHGlobal(args.Length * IntPtr.Size);
                    foreach (var arg in args)
                    {
                        Marshal.WriteIntPtr(block, IntPtr.Zero);
                        {|#1:block += IntPtr.Size|};
                    }

                    Marshal.FreeHGlobal({|#0:block|});
                }
            }
            """;
        const string Fixed = """
            using System;
            using System.Runtime.InteropServices;

            class Argv
            {
                static void Fill(string[] args)
                {
                    IntPtr block = Marshal.AllocHGlobal(args.Length * IntPtr.Size);
                    var cursor = block;
                    foreach (var arg in args)
                    {
                        Marshal.WriteIntPtr(cursor, IntPtr.Zero);
                        cursor += IntPtr.Size;
                    }

                    Marshal.FreeHGlobal(block);
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Walks_a_cursor_through_native_memory_and_frees_the_start()
    {
        const string Source = """
            using System.Runtime.InteropServices;

            unsafe class Native
            {
                static void Zero(int n)
                {
                    byte* p = (byte*)NativeMemory.Alloc((nuint)n);
                    for (var i = 0; i < n; i++)
                    {
                        *p = 0;
                        {|#1:p++|};
                    }

                    NativeMemory.Free({|#0:p|});
                }
            }
            """;
        const string Fixed = """
            using System.Runtime.InteropServices;

            unsafe class Native
            {
                static void Zero(int n)
                {
                    byte* p = (byte*)NativeMemory.Alloc((nuint)n);
                    var cursor = p;
                    for (var i = 0; i < n; i++)
                    {
                        *cursor = 0;
                        cursor++;
                    }

                    NativeMemory.Free(p);
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_no_cursor_when_the_walked_hglobal_block_is_read_after_the_free()
    {
        // The code after the free reads where the walk ended; a cursor would change what it sees.
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Argv
            {
                static IntPtr Fill(int count)
                {
                    IntPtr block = Marshal.AllocHGlobal(count * IntPtr.Size);
                    for (var i = 0; i < count; i++)
                        {|#1:block += IntPtr.Size|};
                    Marshal.FreeHGlobal({|#0:block|});
                    return block;
                }
            }
            """;
        return VerifyFix.VerifyBuiltInNoFixAsync(Source, null, VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Fix_all_walks_a_cursor_through_every_walked_block()
    {
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class Argv
            {
                static void A(int count)
                {
                    IntPtr a = Marshal.AllocHGlobal(count * 8);
                    for (var i = 0; i < count; i++)
                        {|#1:a += 8|};
                    Marshal.FreeHGlobal({|#0:a|});
                }

                static void B(int count)
                {
                    IntPtr b = Marshal.AllocCoTaskMem(count * 8);
                    while (count-- > 0)
                        {|#3:b = b + 8|};
                    Marshal.FreeCoTaskMem({|#2:b|});
                }
            }
            """;
        const string Fixed = """
            using System;
            using System.Runtime.InteropServices;

            class Argv
            {
                static void A(int count)
                {
                    IntPtr a = Marshal.AllocHGlobal(count * 8);
                    var cursor = a;
                    for (var i = 0; i < count; i++)
                        cursor += 8;
                    Marshal.FreeHGlobal(a);
                }

                static void B(int count)
                {
                    IntPtr b = Marshal.AllocCoTaskMem(count * 8);
                    var cursor = b;
                    while (count-- > 0)
                        cursor = cursor + 8;
                    Marshal.FreeCoTaskMem(b);
                }
            }
            """;
        var test = VerifyFix.CreateBuiltIn(Source, Fixed, null,
            VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(2).WithLocation(3));
        FixAll.ExpectOnePassPerScope(test, documents: 1, projects: 1);
        return test.RunAsync(CancellationToken.None);
    }
}
