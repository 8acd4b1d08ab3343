namespace Vmap.Analyzers.Tests.BuiltIn;

/// <summary>
/// A block written into native memory is stored there, as a store into a field is: the program
/// frees it later through the memory that holds it. The address written to is only borrowed.
/// </summary>
public class NativeStoreTests
{
    [Fact]
    public Task Strings_written_into_an_argv_table_with_WriteIntPtr_are_stored() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        class Argv
        {
            public static IntPtr Build(string[] args)
            {
                IntPtr table = Marshal.AllocHGlobal((args.Length + 1) * IntPtr.Size);
                for (int i = 0; i < args.Length; i++)
                {
                    IntPtr name = Marshal.StringToHGlobalAnsi(args[i]);
                    Marshal.WriteIntPtr(table, i * IntPtr.Size, name);
                }

                Marshal.WriteIntPtr(table, args.Length * IntPtr.Size, IntPtr.Zero);
                return table;
            }
        }
        """);

    [Fact]
    public Task The_table_written_to_is_only_borrowed_and_still_leaks() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        class Slot
        {
            [DllImport("native")] static extern void Publish(IntPtr slot);

            public static void Send(IntPtr value)
            {
                IntPtr slot = {|#0:Marshal.AllocHGlobal(IntPtr.Size)|};
                Marshal.WriteIntPtr(slot, value);
                Publish(slot);
            {|#1:}|}
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'slot' from AllocHGlobal at line 10 is lost: it goes out of scope at line 13 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_struct_holding_the_block_written_with_StructureToPtr_stores_it() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        struct NameArg
        {
            public IntPtr Name;
            public int Length;
        }

        class Packer
        {
            public static IntPtr Pack(string text)
            {
                IntPtr name = Marshal.StringToHGlobalUni(text);
                NameArg arg;
                arg.Name = name;
                arg.Length = text.Length;
                IntPtr block = Marshal.AllocHGlobal(Marshal.SizeOf<NameArg>());
                Marshal.StructureToPtr(arg, block, false);
                return block;
            }

            public static IntPtr PackInitialized(string text)
            {
                IntPtr block = Marshal.AllocHGlobal(Marshal.SizeOf<NameArg>());
                Marshal.StructureToPtr(new NameArg { Name = Marshal.StringToHGlobalUni(text), Length = text.Length }, block, false);
                return block;
            }
        }
        """);

    [Fact]
    public Task A_block_stored_through_a_pointer_or_Unsafe_Write_is_stored() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.CompilerServices;
        using System.Runtime.InteropServices;

        unsafe class Slots
        {
            public static void Fill(IntPtr slots)
            {
                IntPtr first = Marshal.AllocHGlobal(64);
                *(IntPtr*)slots = first;

                IntPtr second = Marshal.AllocHGlobal(64);
                Unsafe.Write((void*)(slots + IntPtr.Size), second);

                IntPtr third = Marshal.AllocHGlobal(64);
                Unsafe.WriteUnaligned((void*)(slots + 2 * IntPtr.Size), third);
            }
        }
        """);

    [Fact]
    public Task The_address_Unsafe_Write_writes_to_is_borrowed() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.CompilerServices;
        using System.Runtime.InteropServices;

        unsafe class Slots
        {
            [DllImport("native")] static extern void Publish(void* slot);

            public static void Send(long value)
            {
                void* slot = {|#0:NativeMemory.Alloc(8)|};
                Unsafe.Write(slot, value);
                Publish(slot);
            {|#1:}|}
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'slot' from Alloc at line 11 is lost: it goes out of scope at line 14 without being freed, returned, stored or passed on"));
}
