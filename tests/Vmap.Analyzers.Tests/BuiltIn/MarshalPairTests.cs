namespace Vmap.Analyzers.Tests.BuiltIn;

/// <summary>Marshal's HGlobal, CoTaskMem and BSTR families, known without annotations.</summary>
public class MarshalPairTests
{
    [Fact]
    public Task AllocHGlobal_never_freed_is_lost() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            void M(byte[] data)
            {
                var p = {|#0:Marshal.AllocHGlobal(data.Length)|};
                Marshal.Copy(data, 0, p, data.Length);
            {|#1:}|}
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'p' from AllocHGlobal at line 7 is lost: it goes out of scope at line 9 without being freed, returned, stored or passed on"));

    [Fact]
    public Task Freeing_an_offset_of_an_HGlobal_block_is_reported() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            void M()
            {
                var p = Marshal.AllocHGlobal(64);
                {|#1:p += 8|};
                Marshal.FreeHGlobal({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is freed here but holds memory that was never allocated: it became an offset of the block at line 8 after AllocHGlobal allocated it at line 7"));

    [Fact]
    public Task FreeHGlobal_twice_is_reported() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            void M(string s)
            {
                var p = Marshal.StringToHGlobalUni(s);
                Marshal.FreeHGlobal({|#1:p|});
                Marshal.FreeHGlobal({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is freed again here; it was already freed at line 8"));

    [Fact]
    public Task Reading_an_HGlobal_block_after_FreeHGlobal_is_reported() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            byte M()
            {
                var p = Marshal.AllocHGlobal(16);
                Marshal.FreeHGlobal({|#1:p|});
                return Marshal.ReadByte({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is passed to 'ReadByte' after it was freed at line 8"));

    [Fact]
    public Task HGlobal_released_as_CoTaskMem_is_the_wrong_family() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            void M()
            {
                var p = {|#1:Marshal.AllocHGlobal(16)|};
                Marshal.FreeCoTaskMem({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1)
            .WithMessage("'p' was allocated by AllocHGlobal (family 'hglobal') at line 7 but is released by FreeCoTaskMem (family 'cotaskmem'); release it with FreeHGlobal"));

    [Fact]
    public Task Freeing_the_old_block_after_ReAllocCoTaskMem_is_a_double_free() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            nint M()
            {
                var p = Marshal.AllocCoTaskMem(16);
                var q = Marshal.ReAllocCoTaskMem({|#1:p|}, 64);
                Marshal.FreeCoTaskMem({|#0:p|});
                return q;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is freed again here; it was already freed at line 8"));

    [Fact]
    public Task BSTR_never_freed_is_lost() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            int M(string s)
            {
                var b = {|#0:Marshal.StringToBSTR(s)|};
                {|#1:return Marshal.ReadInt32(b, -4);|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The string in 'b' from StringToBSTR at line 7 is lost: it goes out of scope at line 8 without being freed, returned, stored or passed on"));

    [Fact]
    public Task Correct_interop_marshalling_is_clean() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static class Native
        {
            [DllImport("native")] public static extern int Fill(IntPtr buffer, int length);
        }

        class C
        {
            byte[] Read(int length)
            {
                var p = Marshal.AllocHGlobal(length);
                try
                {
                    Native.Fill(p, length);
                    var result = new byte[length];
                    Marshal.Copy(p, result, 0, length);
                    return result;
                }
                finally
                {
                    Marshal.FreeHGlobal(p);
                }
            }

            IntPtr Grow(IntPtr p, int size)
            {
                p = Marshal.ReAllocHGlobal(p, (IntPtr)size);
                return p;
            }

            void Loop(string[] names)
            {
                foreach (var name in names)
                {
                    var s = Marshal.StringToCoTaskMemUTF8(name);
                    Marshal.WriteByte(s, 0, 0);
                    Marshal.FreeCoTaskMem(s);
                }
            }

            IntPtr HandOff(string s) => Marshal.StringToHGlobalAnsi(s);
        }
        """);
}
