namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// A test whose outcome the language fixes is not a branch: a struct compared with null (lifted to
/// T?, always a value; CS0472) never takes its '==' arm, so a leak on that arm is not claimed, and
/// the '!=' arm is the only one. The same code with a test that may go either way is reported.
/// </summary>
public class KnownOutcomeTests
{
    private const string Lookup = """
        using System;
        using System.Runtime.InteropServices;

        static class Remote
        {
            [DllImport("native")] static extern UIntPtr Lookup();

            public static bool Run(int size)
            {
                IntPtr block = Marshal.AllocHGlobal(size);
                UIntPtr entry = Lookup();
        #pragma warning disable CS0472
                if (TEST)
                    return false;
        #pragma warning restore CS0472
                Marshal.FreeHGlobal(block);
                return true;
            }
        }
        """;

    [Theory]
    [InlineData("entry == null")]
    [InlineData("null == entry")]
    [InlineData("!(entry != null)")]
    public Task A_struct_compared_with_null_never_takes_the_equal_arm(string test) =>
        Verify.BuiltIn(Lookup.Replace("TEST", test));

    [Fact]
    public Task A_struct_unequal_to_null_always_takes_that_arm() => Verify.BuiltIn(
        Lookup.Replace("if (TEST)\n            return false;", "if (entry != null)\n            Marshal.FreeHGlobal(block);\n        else\n            return false;").Replace("        Marshal.FreeHGlobal(block);\n        return true;", "        return true;"));

    [Fact]
    public Task A_test_that_may_go_either_way_still_loses_the_block() => Verify.BuiltIn(
        Lookup.Replace("TEST", "entry == UIntPtr.Zero").Replace("Marshal.AllocHGlobal(size)", "{|#0:Marshal.AllocHGlobal(size)|}").Replace("return false;", "{|#1:return false;|}"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'block' from AllocHGlobal at line 10 is lost: it goes out of scope at line 14 without being freed, returned, stored or passed on"));
}
