namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// The flagship shape in a loop: the pointer that holds the mapping is advanced while the loop
/// fills the block, and what is released afterwards is wherever the walk stopped. After the loop
/// the variable is the start on the path that never entered it and an offset on the others, so
/// the release is VMAP001 on some path, and the advance itself loses nothing (no VMAP002).
/// </summary>
public class VMAP001LoopTests
{
    [Fact]
    public Task HGlobal_table_walked_with_WriteIntPtr_then_freed_is_reported_at_the_release() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        class C
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
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'block' is freed here but on some path holds memory that was never allocated: on every path through line 12 it became an offset of the block, not the start AllocHGlobal allocated at line 8"));

    [Fact]
    public Task Mapped_pages_walked_a_page_at_a_time_then_unmapped_is_reported_at_the_release() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void Zero(VmapSpace space, Page[] pages)
            {
                nint p = space.MapRam(pages);
                for (var i = 0; i < pages.Length; i++)
                {
                    space.GetSpan(p, 4096).Clear();
                    {|#1:p += 4096|};
                }

                space.UnmapRam({|#0:p|}, pages.Length);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped here but on some path holds memory that was never mapped: on every path through line 11 it became an offset of the mapping, not the start MapRam mapped at line 7"));

    [Fact]
    public Task A_while_loop_that_advances_with_p_equals_p_plus_is_the_same_defect() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        unsafe class C
        {
            void Fill(int count)
            {
                byte* p = (byte*)NativeMemory.Alloc((nuint)count);
                int left = count;
                while (left-- > 0)
                {
                    *p = 0;
                    {|#1:p = p + 1|};
                }

                NativeMemory.Free({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is freed here but on some path holds memory that was never allocated: on every path through line 12 it became an offset of the block, not the start Alloc allocated at line 7"));

    [Fact]
    public Task A_cursor_walked_beside_the_start_is_clean() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        class C
        {
            void Fill(IntPtr[] entries)
            {
                IntPtr block = Marshal.AllocHGlobal(entries.Length * IntPtr.Size);
                IntPtr cursor = block;
                for (int i = 0; i < entries.Length; i++)
                {
                    Marshal.WriteIntPtr(cursor, entries[i]);
                    cursor += IntPtr.Size;
                }

                Marshal.FreeHGlobal(block);
            }
        }
        """);

    [Fact]
    public Task A_walked_pointer_never_released_is_lost_where_it_goes_out_of_scope() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        class C
        {
            void Fill(IntPtr[] entries)
            {
                IntPtr block = {|#0:Marshal.AllocHGlobal(entries.Length * IntPtr.Size)|};
                for (int i = 0; i < entries.Length; i++)
                {
                    Marshal.WriteIntPtr(block, entries[i]);
                    block += IntPtr.Size;
                }
            {|#1:}|}
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'block' from AllocHGlobal at line 8 is lost: it goes out of scope at line 14 without being freed, returned, stored or passed on"));

    [Fact]
    public Task IntPtr_Add_in_a_loop_is_an_offset_like_plus_equals() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        class C
        {
            void Fill(IntPtr[] entries)
            {
                IntPtr block = Marshal.AllocHGlobal(entries.Length * IntPtr.Size);
                foreach (var entry in entries)
                {
                    Marshal.WriteIntPtr(block, entry);
                    {|#1:block = IntPtr.Add(block, IntPtr.Size)|};
                }

                Marshal.FreeHGlobal({|#0:block|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'block' is freed here but on some path holds memory that was never allocated: on every path through line 12 it became an offset of the block, not the start AllocHGlobal allocated at line 8"));
}
