namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// A call to a method that does not return ([DoesNotReturn], or [DoesNotReturnIf(b)] given the
/// constant b) ends the path the way an explicit throw does: nothing after it is reached from
/// there, finally regions on the way out run, and what is still live there is lost at the call.
/// </summary>
public class DoesNotReturnTests
{
    private const string Packer = """
        using System;
        using System.Buffers;
        using System.Diagnostics.CodeAnalysis;

        static class Fail
        {
            [DoesNotReturn] public static void Invalid() => throw new InvalidOperationException();
            public static void If([DoesNotReturnIf(true)] bool failed) { if (failed) throw new InvalidOperationException(); }
            public static void Log() { }
        }

        sealed class Owner { public Owner(byte[] a, int n) { } }

        static class Packer
        {
            static bool TryPack(ReadOnlySpan<byte> input, byte[] output, out int written) { written = 0; return true; }

            public static Owner Pack(ReadOnlySpan<byte> input)
            {
                byte[] buffer = ArrayPool<byte>.Shared.Rent(input.Length + 16);
                if (!TryPack(input, buffer, out int length))
                {
                    ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
                    FAIL;
                }

                return new Owner(BUFFER, length);
            }
        }
        """;

    private static string Pack(string fail, string use = "buffer") => Packer.Replace("FAIL", fail).Replace("BUFFER", use);

    [Theory]
    [InlineData("Fail.Invalid()")]
    [InlineData("Fail.If(true)")]
    public Task A_return_then_a_call_that_does_not_return_leaves_no_use_after_return(string fail) => Verify.BuiltIn(Pack(fail));

    [Fact]
    public Task A_use_after_return_on_a_path_that_continues_past_an_ordinary_call_is_still_reported() => Verify.BuiltIn(
        Pack("Fail.Log()", "{|#0:buffer|}"),
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(23, 43)
            .WithMessage("'buffer' is passed to a new 'Owner' after it was returned at line 23 on some path"));

    [Fact]
    public Task DoesNotReturnIf_given_the_other_constant_returns() => Verify.BuiltIn(
        Pack("Fail.If(false)", "{|#0:buffer|}"),
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(23, 43)
            .WithMessage("'buffer' is passed to a new 'Owner' after it was returned at line 23 on some path"));

    [Fact]
    public Task A_block_live_at_a_call_that_does_not_return_is_lost_at_the_call() => Verify.BuiltIn(
        """
        using System;
        using System.Diagnostics.CodeAnalysis;
        using System.Runtime.InteropServices;

        static class Fail { [DoesNotReturn] public static void Invalid(string what) => throw new ArgumentException(what); }

        static class Copier
        {
            public static int Copy(byte[] input, string? name)
            {
                IntPtr block = {|#0:Marshal.AllocHGlobal(input.Length)|};
                if (name == null)
                {
                    {|#1:Fail.Invalid(nameof(name));|}
                }

                Marshal.Copy(input, 0, block, input.Length);
                Marshal.FreeHGlobal(block);
                return input.Length;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'block' from AllocHGlobal at line 11 is lost: it goes out of scope at line 14 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_finally_the_call_leaves_through_runs_first() => Verify.BuiltIn(
        """
        using System;
        using System.Buffers;
        using System.Diagnostics.CodeAnalysis;

        static class Fail { [DoesNotReturn] public static void Invalid(string what) => throw new ArgumentException(what); }

        static class Copier
        {
            public static int Copy(ReadOnlySpan<byte> input)
            {
                byte[] buffer = ArrayPool<byte>.Shared.Rent(input.Length);
                try
                {
                    if (input.IsEmpty)
                    {
                        Fail.Invalid(nameof(input));
                    }

                    input.CopyTo(buffer);
                    return input.Length;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        """);

    [Theory]
    [InlineData("Environment.Exit(1);")]
    [InlineData("Environment.FailFast(nameof(input));")]
    public Task A_call_that_ends_the_process_ends_the_path_without_a_leak_claim(string end) => Verify.BuiltIn(
        $$"""
        using System;
        using System.Buffers;

        static class Copier
        {
            public static int Copy(ReadOnlySpan<byte> input)
            {
                byte[] buffer = ArrayPool<byte>.Shared.Rent(input.Length);
                if (input.IsEmpty)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    {{end}}
                }

                input.CopyTo(buffer);
                ArrayPool<byte>.Shared.Return(buffer);
                return input.Length;
            }
        }
        """);

    [Fact]
    public Task A_conditional_callee_may_be_compiled_out_so_the_path_goes_on() => Verify.BuiltIn(
        """
        using System;
        using System.Buffers;
        using System.Diagnostics;

        static class Copier
        {
            public static int Copy(ReadOnlySpan<byte> input)
            {
                byte[] buffer = ArrayPool<byte>.Shared.Rent(input.Length);
                if (input.IsEmpty)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    Debug.Fail("empty input");
                }

                input.CopyTo({|#0:buffer|});
                ArrayPool<byte>.Shared.Return(buffer);
                return input.Length;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(12, 43)
            .WithMessage("'buffer' is passed to 'CopyTo' after it was returned at line 12 on some path"),
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(17, 39).WithLocation(12, 43)
            .WithMessage("'buffer' is returned again here; it was already returned at line 12 on some path"));

    [Fact]
    public Task A_helper_that_frees_then_fails_through_a_call_that_does_not_return_only_borrows() => Verify.BuiltIn(
        """
        using System;
        using System.Diagnostics.CodeAnalysis;
        using System.Runtime.InteropServices;

        static class Fail { [DoesNotReturn] public static void Invalid() => throw new InvalidOperationException(); }

        static class Checker
        {
            static void Check(IntPtr block, int length)
            {
                if (length > 4096)
                {
                    Marshal.FreeHGlobal(block);
                    Fail.Invalid();
                }
            }

            public static void Use(int length)
            {
                IntPtr block = {|#0:Marshal.AllocHGlobal(length)|};
                Check(block, length);
                Marshal.WriteByte(block, 1);
            {|#1:}|}
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'block' from AllocHGlobal at line 20 is lost: it goes out of scope at line 23 without being freed, returned, stored or passed on"));
}
