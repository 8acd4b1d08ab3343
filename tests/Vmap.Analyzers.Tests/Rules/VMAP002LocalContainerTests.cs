namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// A block kept only in a local list or array that never leaves the method dies with it (fourth
/// set, part A, M1 and M1b): reported at the method's exit, naming the container. Any use of the
/// container the engine cannot classify, and any element read back to be freed, kept or handed
/// on, leaves the blocks' fate unknown: silent.
/// </summary>
public class VMAP002LocalContainerTests
{
    private const string Native = """

        static class Native
        {
            [System.Runtime.InteropServices.DllImport("opts")] public static extern int put_pair(System.IntPtr key, System.IntPtr value);
            [System.Runtime.InteropServices.DllImport("opts")] public static extern int put_all(System.IntPtr[] names, int count);
        }
        """;

    [Fact]
    public Task Blocks_added_to_a_local_list_and_only_lent_are_lost_at_the_exit() => Verify.BuiltIn(
        """
        using System;
        using System.Collections.Generic;
        using System.Runtime.InteropServices;

        static class Options
        {
            public static void Apply(Dictionary<string, string> settings)
            {
                var copies = new List<IntPtr>();
                foreach (var entry in settings)
                {
                    copies.Add({|#0:Marshal.StringToHGlobalAnsi(entry.Key)|});
                    copies.Add({|#2:Marshal.StringToHGlobalAnsi(entry.Value)|});
                }

                for (int i = 0; i + 1 < copies.Count; i += 2)
                    Native.put_pair(copies[i], copies[i + 1]);
            {|#1:}|}
        }
        """ + Native,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block from StringToHGlobalAnsi at line 12 is lost: it is kept only in the local list 'copies', which goes out of scope at line 18 without any of its blocks being freed"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(2).WithLocation(1)
            .WithMessage("The block from StringToHGlobalAnsi at line 13 is lost: it is kept only in the local list 'copies', which goes out of scope at line 18 without any of its blocks being freed"));

    [Fact]
    public Task Blocks_written_into_a_local_array_lent_whole_to_native_code_are_lost_at_the_return() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static class Names
        {
            public static int Publish(string[] names)
            {
                IntPtr[] raw = new IntPtr[names.Length];
                for (int i = 0; i < names.Length; i++)
                {
                    IntPtr text = {|#0:Marshal.StringToCoTaskMemUTF8(names[i])|};
                    raw[i] = text;
                }

                {|#1:return Native.put_all(raw, raw.Length);|}
            }
        }
        """ + Native,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block from StringToCoTaskMemUTF8 at line 11 is lost: it is kept only in the local array 'raw', which goes out of scope at line 15 without any of its blocks being freed"));

    /// <summary>
    /// Fourth set, part B, M2: each label copied to native memory into a field of an element of a
    /// local struct array, the array pinned by <c>fixed</c> for one native call. The look-alike
    /// keeps the pinned pointer in a field: the array (and its blocks) may outlive the method.
    /// </summary>
    [Fact]
    public Task Blocks_in_fields_of_a_local_struct_array_pinned_for_a_native_call_are_lost() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static unsafe class Menu
        {
            public struct Item { public int Id; public IntPtr Caption; }

            [DllImport("menu")] static extern int menu_show(Item* items, int count);

            static Item* s_last;

            public static int Show(string[] captions)
            {
                var items = new Item[captions.Length];
                for (int i = 0; i < captions.Length; i++)
                {
                    IntPtr caption = {|#0:Marshal.StringToHGlobalUni(captions[i])|};
                    items[i].Id = i;
                    items[i].Caption = caption;
                }

                fixed (Item* first = items)
                {
                    {|#1:return menu_show(first, items.Length);|}
                }
            }

            public static int ShowKept(string[] captions)
            {
                var items = new Item[captions.Length];
                for (int i = 0; i < captions.Length; i++)
                {
                    items[i].Caption = Marshal.StringToHGlobalUni(captions[i]);
                }

                fixed (Item* first = items)
                {
                    s_last = first;
                    return menu_show(first, items.Length);
                }
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block from StringToHGlobalUni at line 17 is lost: it is kept only in the local array 'items', which goes out of scope at line 24 without any of its blocks being freed"));

    /// <summary>
    /// Silent: the blocks are freed through the container, or the container (or one of its blocks)
    /// goes somewhere the engine does not follow: returned, stored in a field, copied out, given to
    /// a method that is not native, captured by a lambda, read into a variable.
    /// </summary>
    [Theory]
    [InlineData("var copies = new List<IntPtr>();\n        foreach (var n in names) copies.Add(Marshal.StringToHGlobalAnsi(n));\n        foreach (var c in copies) Native.put_pair(c, c);\n        for (int i = 0; i < copies.Count; i++) Marshal.FreeHGlobal(copies[i]);")]
    [InlineData("var copies = new IntPtr[names.Length];\n        for (int i = 0; i < names.Length; i++) copies[i] = Marshal.StringToHGlobalAnsi(names[i]);\n        Native.put_all(copies, copies.Length);\n        for (int i = 0; i < copies.Length; i++) Marshal.FreeHGlobal(copies[i]);")]
    [InlineData("var copies = new IntPtr[names.Length];\n        for (int i = 0; i < names.Length; i++) copies[i] = Marshal.StringToHGlobalAnsi(names[i]);\n        s_kept = copies;")]
    [InlineData("var copies = new List<IntPtr>();\n        foreach (var n in names) copies.Add(Marshal.StringToHGlobalAnsi(n));\n        Native.put_all(copies.ToArray(), copies.Count);")]
    [InlineData("var copies = new List<IntPtr>();\n        foreach (var n in names) copies.Add(Marshal.StringToHGlobalAnsi(n));\n        Keep(copies);")]
    [InlineData("var copies = new List<IntPtr>();\n        foreach (var n in names) copies.Add(Marshal.StringToHGlobalAnsi(n));\n        Action later = () => copies.Clear();\n        later();")]
    [InlineData("var copies = new IntPtr[names.Length];\n        for (int i = 0; i < names.Length; i++) copies[i] = Marshal.StringToHGlobalAnsi(names[i]);\n        IntPtr first = copies[0];\n        Native.put_pair(first, first);")]
    [InlineData("var copies = new IntPtr[names.Length];\n        for (int i = 0; i < names.Length; i++) copies[i] = Marshal.StringToHGlobalAnsi(names[i]);\n        copies = s_kept;")]
    public Task Containers_whose_blocks_may_be_accounted_for_are_silent(string body) => Verify.BuiltIn(
        $$"""
        using System;
        using System.Collections.Generic;
        using System.Runtime.InteropServices;

        static class Options
        {
            static IntPtr[] s_kept = new IntPtr[0];

            static void Keep(List<IntPtr> blocks) => s_kept = blocks.ToArray();

            public static void Apply(string[] names)
            {
                {{body}}
            }
        }
        """ + Native);
}
