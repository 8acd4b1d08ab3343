namespace Vmap.Analyzers.Tests.BuiltIn;

/// <summary>
/// False shapes from this session's tuning set (issue 20), in our own words: each one reduced to
/// the general fact that was wrongly claimed, with the true control next to it.
/// </summary>
public class TuningShapeTests
{
    /// <summary>
    /// A record mirrored by a class: the blocks it is given are written into a native table (the
    /// objects are dropped), and a loader fills fresh objects back from the table, whose pointers
    /// are then freed. The member's blocks have a second holder, memory; a pointer read back from
    /// memory may be one of them, and the object it is loaded into may never have held a block:
    /// neither VMAP001 ("never allocated") nor VMAP002 ("lost") can be told.
    /// </summary>
    [Theory]
    [InlineData("Marshal.WriteIntPtr(at, cell.Payload);")]
    [InlineData("*(IntPtr*)at = cell.Payload;")]
    [InlineData("Marshal.StructureToPtr(cell, at, false);")]
    public Task A_member_written_into_memory_and_loaded_back_into_a_fresh_object_is_not_claimed(string write) => Verify.BuiltIn(
        $$"""
        using System;
        using System.IO;
        using System.Runtime.InteropServices;

        sealed class Cell
        {
            public IntPtr Payload;
        }

        static class Words
        {
            public static IntPtr ReadAddress(this BinaryReader reader) => new IntPtr(reader.ReadInt64());
        }

        static unsafe class Table
        {
            public static IntPtr Build(int size)
            {
                var cell = new Cell();
                cell.Payload = Marshal.AllocHGlobal(size);
                IntPtr at = Marshal.AllocHGlobal(IntPtr.Size);
                {{write}}
                return at;
            }

            public static void Release(IntPtr at)
            {
                var cell = new Cell();
                Load(at, cell);
                Marshal.FreeHGlobal(cell.Payload);
                cell.Payload = IntPtr.Zero;
                Marshal.FreeHGlobal(at);
            }

            private static void Load(IntPtr at, Cell cell)
            {
                using var reader = new BinaryReader(new UnmanagedMemoryStream((byte*)at, IntPtr.Size));
                cell.Payload = reader.ReadAddress();
            }
        }
        """);

    /// <summary>
    /// The control: the same member, never written into memory, re-pointed at a pointer from
    /// elsewhere: the XFS shape, still reported.
    /// </summary>
    [Fact]
    public Task A_member_never_written_into_memory_re_pointed_at_memory_from_elsewhere_is_reported() => Verify.BuiltIn(
        """
        using System;
        using System.IO;
        using System.Runtime.InteropServices;

        sealed class Cell
        {
            public IntPtr Payload;
        }

        static class Words
        {
            public static IntPtr ReadAddress(this BinaryReader reader) => new IntPtr(reader.ReadInt64());
        }

        static unsafe class Table
        {
            public static Cell Build(int size)
            {
                var cell = new Cell();
                cell.Payload = {|#2:Marshal.AllocHGlobal(size)|};
                return cell;
            }

            public static void Release(Cell cell)
            {
                Marshal.FreeHGlobal({|#1:cell.Payload|});
                cell.Payload = IntPtr.Zero;
            }

            public static void Load(IntPtr at, Cell cell)
            {
                using var reader = new BinaryReader(new UnmanagedMemoryStream((byte*)at, IntPtr.Size));
                {|#0:cell.Payload = reader.ReadAddress()|};
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'cell.Payload' is freed holding memory that was never allocated: it is re-pointed at memory from elsewhere ('reader.ReadAddress()') at line 33 while it is freed by Release at line 26"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(2)
            .WithMessage("The block in 'cell.Payload' from AllocHGlobal at line 20 is lost: it is re-pointed at line 33 without being freed first"));

    /// <summary>
    /// Callbacks handed to native code, each rooted by a handle whose result is dropped on purpose
    /// so the delegate is never collected while native code may call it. GCHandle.Alloc acts on
    /// its argument: a discarded handle whose object the same method hands to native code (a
    /// P/Invoke, or GetFunctionPointerForDelegate) is that root, not a value the program lost.
    /// The controls: a handle discarded in a constructor with nothing handed to native code (one
    /// more object rooted forever per instance), a handle kept in a variable and dropped, and a
    /// discarded block (a block allocator does nothing but return it) are still lost.
    /// </summary>
    [Fact]
    public Task A_discarded_handle_rooting_what_native_code_is_given_is_not_claimed() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        sealed class Hooks
        {
            public delegate void Callback(int code);

            [DllImport("engine")] static extern void hooks_install(Callback onEvent, IntPtr onError);

            public Hooks()
            {
                {|#0:GCHandle.Alloc(this)|};
            {|#1:}|}

            public static void Install()
            {
                Callback onEvent = OnEvent;
                Callback onError = OnEvent;
                GCHandle.Alloc(onEvent);
                _ = GCHandle.Alloc(onError, GCHandleType.Normal);
                hooks_install(onEvent, Marshal.GetFunctionPointerForDelegate(onError));
            }

            public static void Kept(object value)
            {
                var root = {|#2:GCHandle.Alloc(value)|};
            {|#3:}|}

            public static void Scratch()
            {
                {|#4:Marshal.AllocHGlobal(16)|};
            {|#5:}|}

            private static void OnEvent(int code)
            {
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The handle in 'GCHandle.Alloc(this)' from Alloc at line 12 is lost: it goes out of scope at line 13 without being freed, returned, stored or passed on"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(2).WithLocation(3)
            .WithMessage("The handle in 'root' from Alloc at line 26 is lost: it goes out of scope at line 27 without being freed, returned, stored or passed on"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(4).WithLocation(5)
            .WithMessage("The block in 'Marshal.AllocHGlobal(16)' from AllocHGlobal at line 31 is lost: it goes out of scope at line 32 without being freed, returned, stored or passed on"));
}
