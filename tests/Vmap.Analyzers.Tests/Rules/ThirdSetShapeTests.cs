namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// In-model bugs read by hand in the third held-out set (issue 20), in our own words: what the
/// engine can tell precisely is reported; the rest is pinned silent with the fact it lacks.
/// </summary>
public class ThirdSetShapeTests
{
    /// <summary>
    /// H4: a block stored into a field of a struct passed by value. The parameter is the method's
    /// own copy, used only field by field, so the block is held by nothing once the method returns.
    /// </summary>
    [Fact]
    public Task A_block_stored_in_a_by_value_struct_parameter_is_lost_at_the_return() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        struct Prompt
        {
            public string Text;
            public IntPtr Answer;
            public uint Length;
        }

        static class Dialog
        {
            public static int Reply(Prompt prompt)
            {
                prompt.Answer = {|#0:Marshal.StringToHGlobalAnsi(prompt.Text)|};
                prompt.Length = (uint)prompt.Text.Length;
                {|#1:return 0;|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'prompt.Answer' from StringToHGlobalAnsi at line 15 is lost: it goes out of scope at line 17 without being freed, returned, stored or passed on"));

    /// <summary>
    /// H4's look-alikes: the copy goes back to the caller (returned), is passed on whole, has a
    /// method called on it, or the parameter is the caller's own (ref): the block may be held.
    /// </summary>
    [Theory]
    [InlineData("public static Prompt Reply(Prompt prompt)", "prompt.Answer = Marshal.StringToHGlobalAnsi(prompt.Text);\n        return prompt;")]
    [InlineData("public static void Reply(Prompt prompt)", "prompt.Answer = Marshal.StringToHGlobalAnsi(prompt.Text);\n        Keep(prompt);")]
    [InlineData("public static string Reply(Prompt prompt)", "prompt.Answer = Marshal.StringToHGlobalAnsi(prompt.Text);\n        return prompt.ToString();")]
    [InlineData("public static void Reply(ref Prompt prompt)", "prompt.Answer = Marshal.StringToHGlobalAnsi(prompt.Text);")]
    [InlineData("public static void Reply(Prompt prompt)", "prompt.Answer = Marshal.StringToHGlobalAnsi(prompt.Text);\n        s_last = () => prompt.Answer;")]
    public Task A_block_in_a_struct_copy_that_goes_on_is_not_claimed(string signature, string body) => Verify.BuiltIn(
        $$"""
        using System;
        using System.Runtime.InteropServices;

        struct Prompt
        {
            public string Text;
            public IntPtr Answer;
        }

        static class Dialog
        {
            private static Prompt s_kept;
            private static Func<IntPtr>? s_last;

            private static void Keep(Prompt prompt) => s_kept = prompt;

            {{signature}}
            {
                {{body}}
            }
        }
        """);
}
