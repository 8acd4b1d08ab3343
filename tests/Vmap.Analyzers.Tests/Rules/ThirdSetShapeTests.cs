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

    /// <summary>
    /// H5b: a block allocated for an out-pointer that a native call overwrites through <c>ref</c>
    /// inside a loop the cancellation test may skip: on the path where the loop never runs the
    /// block is still the method's, and it is dropped at the return.
    /// </summary>
    [Fact]
    public Task A_block_for_an_out_pointer_behind_a_loop_that_may_not_run_is_lost_on_that_path() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;
        using System.Threading;

        static class Results
        {
            [DllImport("native")] static extern int result_next(IntPtr session, ref IntPtr message);

            public static int Wait(IntPtr session, CancellationToken token)
            {
                IntPtr message = {|#0:Marshal.AllocHGlobal(IntPtr.Size)|};
                int rc = 0;
                while (rc == 0 && !token.IsCancellationRequested)
                {
                    rc = result_next(session, ref message);
                }

                {|#1:return rc;|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'message' from AllocHGlobal at line 11 is lost: it goes out of scope at line 18 without being freed, returned, stored or passed on"));

    /// <summary>
    /// H2: blocks written into a local array that is only lent, whole, to a P/Invoke and then dies
    /// with the method: nothing can free them any more.
    /// </summary>
    [Fact]
    public Task Blocks_written_into_a_local_array_only_lent_to_native_code_are_lost() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static class Missed
        {
            [DllImport("native")] static extern int set_list(IntPtr[] values, int count);

            public static int SetStrings(string[] items)
            {
                var blocks = new IntPtr[items.Length];
                for (int i = 0; i < items.Length; i++)
                {
                    blocks[i] = {|#0:Marshal.StringToHGlobalAnsi(items[i])|};
                }

                {|#1:return set_list(blocks, items.Length);|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block from StringToHGlobalAnsi at line 13 is lost: it is kept only in the local array 'blocks', which goes out of scope at line 16 without any of its blocks being freed"));

    /// <summary>
    /// Pinned silent, each for the fact the engine lacks:
    /// H1, blocks added to a local list that is then copied out (<c>ToArray</c>): the copy holds
    /// them, and what becomes of a copy's items is not followed (stored, no claim). H2, the same
    /// blocks written into a local array lent whole to native code, is reported (see
    /// <see cref="Blocks_written_into_a_local_array_only_lent_to_native_code_are_lost"/>).
    /// H3, a block put into a struct then copied into native memory by StructureToPtr: a block
    /// written into native memory is stored, and who frees it later is not known.
    /// H5, the loop that always runs at least once: the block is passed by <c>ref</c> to a P/Invoke,
    /// which may free or replace it; what the variable holds after the call is unknown.
    /// H6, pins kept in a local array's elements and freed by a loop after a throw: the array's
    /// elements are stored, not tracked one by one, so the throw that skips the loop loses nothing
    /// the engine can name.
    /// </summary>
    [Theory]
    [InlineData("""
        public static int Configure(string[] keys)
        {
            var names = new List<IntPtr>(keys.Length);
            foreach (var key in keys)
            {
                names.Add(Marshal.StringToBSTR(key));
            }

            var pin = GCHandle.Alloc(names.ToArray(), GCHandleType.Pinned);
            try
            {
                return set_names(pin.AddrOfPinnedObject(), names.Count);
            }
            finally
            {
                pin.Free();
            }
        }
        """)]
    [InlineData("""
        public static int Bind(IntPtr session, string password)
        {
            var blob = new Blob { Length = password.Length, Data = Marshal.StringToHGlobalAnsi(password) };
            IntPtr outer = Marshal.AllocHGlobal(Marshal.SizeOf<Blob>());
            Marshal.StructureToPtr(blob, outer, false);
            int rc = bind(session, outer);
            Marshal.FreeHGlobal(outer);
            return rc;
        }
        """)]
    [InlineData("""
        public static int Wait(IntPtr session)
        {
            IntPtr message = Marshal.AllocHGlobal(IntPtr.Size);
            int rc = 0;
            while (rc == 0)
            {
                rc = next(session, ref message);
            }

            return rc;
        }
        """)]
    [InlineData("""
        public static int Launch(object[] args)
        {
            var pins = new GCHandle[args.Length];
            var addresses = new IntPtr[args.Length];
            for (int i = 0; i < args.Length; i++)
            {
                pins[i] = GCHandle.Alloc(args[i], GCHandleType.Pinned);
                addresses[i] = pins[i].AddrOfPinnedObject();
            }

            if (synchronize() != 0)
            {
                throw new InvalidOperationException("synchronize failed");
            }

            int rc = set_list(addresses, args.Length);
            for (int i = 0; i < args.Length; i++)
            {
                pins[i].Free();
            }

            return rc;
        }
        """)]
    public Task Shapes_whose_facts_the_engine_does_not_have_are_silent(string method) => Verify.BuiltIn(
        $$"""
        using System;
        using System.Collections.Generic;
        using System.Runtime.InteropServices;

        static class Missed
        {
            [StructLayout(LayoutKind.Sequential)]
            public struct Blob
            {
                public int Length;
                public IntPtr Data;
            }

            [DllImport("native")] static extern int set_names(IntPtr names, int count);
            [DllImport("native")] static extern int set_list(IntPtr[] values, int count);
            [DllImport("native")] static extern int bind(IntPtr session, IntPtr credentials);
            [DllImport("native")] static extern int next(IntPtr session, ref IntPtr message);
            [DllImport("native")] static extern int synchronize();

            {{method}}
        }
        """);
}
