namespace Vmap.Analyzers.Tests.BuiltIn;

/// <summary>
/// Native code is a callee the engine cannot see: a P/Invoke borrows a block only while nothing in
/// the program says native code may keep it (issue 20). A callback beside the block, a release
/// handed to native code as a value, or a release of what native code returned is that evidence.
/// </summary>
public class NativeKeepsTests
{
    [Fact]
    public Task A_block_given_to_a_PInvoke_together_with_a_callback_is_kept_by_native_code() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static unsafe class Values
        {
            public delegate void Dispose(IntPtr data, IntPtr context);

            [DllImport("native")] static extern IntPtr value_wrap(IntPtr data, nuint length, Dispose dispose, IntPtr context);

            static readonly Dispose Free = (data, context) => Marshal.FreeHGlobal(data);

            public static IntPtr Wrap(long number)
            {
                var block = (long*)Marshal.AllocHGlobal(sizeof(long));
                *block = number;
                return value_wrap((IntPtr)block, (nuint)sizeof(long), Free, IntPtr.Zero);
            }
        }
        """);

    [Fact]
    public Task A_block_given_to_a_PInvoke_that_receives_a_function_pointer_is_kept_by_native_code() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static unsafe class Values
        {
            [DllImport("native")] static extern void queue_push(IntPtr item, delegate* unmanaged<IntPtr, void> done);

            public static void Push(string text, delegate* unmanaged<IntPtr, void> done)
            {
                IntPtr item = Marshal.StringToHGlobalUni(text);
                queue_push(item, done);
            }
        }
        """);

    [Fact]
    public Task Blocks_of_a_family_whose_release_is_handed_to_native_code_are_kept_by_PInvokes() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static class Dictionary
        {
            public delegate void Destroy(IntPtr item);

            [DllImport("native")] static extern IntPtr dict_create(Destroy keys, Destroy values);
            [DllImport("native")] static extern void dict_put(IntPtr dict, IntPtr key, IntPtr value);
            [DllImport("native")] static extern void dict_free(IntPtr dict);

            public static void Put(string key, string value)
            {
                IntPtr dict = dict_create(Marshal.FreeHGlobal, Marshal.FreeHGlobal);
                try
                {
                    IntPtr k = Marshal.StringToHGlobalAnsi(key);
                    IntPtr v = Marshal.StringToHGlobalAnsi(value);
                    dict_put(dict, k, v);
                }
                finally
                {
                    dict_free(dict);
                }
            }
        }
        """);

    [Fact]
    public Task A_release_handed_to_native_code_in_another_type_is_evidence_for_the_whole_compilation() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static unsafe class Library
        {
            [DllImport("native")] static extern void lib_set_free(delegate*<IntPtr, void> free);

            static Library() => lib_set_free(&Marshal.FreeHGlobal);
        }

        static class Documents
        {
            [DllImport("native")] static extern void doc_set_title(IntPtr doc, IntPtr title);

            public static void Title(IntPtr doc, string title) => doc_set_title(doc, Marshal.StringToHGlobalAnsi(title));
        }
        """);

    [Fact]
    public Task Blocks_of_a_family_the_program_frees_after_a_PInvoke_returned_them_are_kept_by_PInvokes() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        sealed class Curve : IDisposable
        {
            [DllImport("native")] static extern IntPtr curve_get_knots(IntPtr curve);
            [DllImport("native")] static extern void curve_set_knots(IntPtr curve, IntPtr knots);

            readonly IntPtr _curve;

            public Curve(IntPtr curve) => _curve = curve;

            public void SetKnots(float[] knots)
            {
                Dispose();
                IntPtr block = Marshal.AllocHGlobal(sizeof(float) * knots.Length);
                Marshal.Copy(knots, 0, block, knots.Length);
                curve_set_knots(_curve, block);
            }

            public void Dispose()
            {
                IntPtr previous = curve_get_knots(_curve);
                if (previous != IntPtr.Zero)
                {
                    Marshal.FreeHGlobal(previous);
                }

                curve_set_knots(_curve, IntPtr.Zero);
            }
        }
        """);

    [Fact]
    public Task A_block_given_to_a_PInvoke_with_no_evidence_that_native_code_keeps_it_is_still_lost() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static class Log
        {
            [DllImport("native")] static extern void log_write(IntPtr text);

            public static void Write(string text)
            {
                IntPtr native = {|#0:Marshal.StringToHGlobalAnsi(text)|};
                log_write(native);
            {|#1:}|}
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'native' from StringToHGlobalAnsi at line 10 is lost: it goes out of scope at line 12 without being freed, returned, stored or passed on"));

    [Fact]
    public Task Evidence_about_another_family_does_not_make_native_code_keep_this_one() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static class Log
        {
            public delegate void Release(IntPtr p);

            [DllImport("native")] static extern void log_open(Release release);
            [DllImport("native")] static extern IntPtr log_last();
            [DllImport("native")] static extern void log_write(IntPtr text);

            public static void Open() => log_open(Marshal.FreeCoTaskMem);

            public static void Last() => Marshal.FreeBSTR(log_last());

            public static string Name => nameof(Marshal.FreeHGlobal);

            public static void Write(string text)
            {
                IntPtr native = {|#0:Marshal.StringToHGlobalAnsi(text)|};
                log_write(native);
            {|#1:}|}
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'native' from StringToHGlobalAnsi at line 20 is lost: it goes out of scope at line 22 without being freed, returned, stored or passed on"));
}
