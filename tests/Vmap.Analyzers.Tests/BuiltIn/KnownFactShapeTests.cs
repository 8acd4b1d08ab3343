namespace Vmap.Analyzers.Tests.BuiltIn;

/// <summary>
/// Shapes where a release is right because of a fact the code makes sure of (issue 20): a local
/// given a new array is not null, <c>AcquirePointer</c>'s pointer is not null, a block held as a
/// managed reference is still the block. Each sits next to the nearest real leak.
/// </summary>
public class KnownFactShapeTests
{
    [Fact]
    public Task A_release_guarded_by_a_local_given_a_new_array_on_the_acquiring_path_is_clean() => Verify.BuiltIn(
        """
        using System;
        using System.Collections.Generic;
        using System.Runtime.InteropServices;

        static class Batch
        {
            [DllImport("native")] static extern bool send(IntPtr items, int count);

            public static bool Send(IList<string> names)
            {
                IntPtr staging = IntPtr.Zero;
                GCHandle pin = default;
                int[] lengths = null;
                try
                {
                    if (names.Count > 0)
                    {
                        lengths = new int[names.Count];
                        var packed = new long[names.Count];
                        staging = Marshal.AllocHGlobal(sizeof(long));
                        for (int i = 0; i < names.Count; i++)
                        {
                            if (names[i] is null)
                                throw new ArgumentException("a null name", nameof(names));
                            lengths[i] = names[i].Length;
                            Marshal.WriteInt64(staging, lengths[i]);
                            packed[i] = Marshal.ReadInt64(staging);
                        }

                        pin = GCHandle.Alloc(packed, GCHandleType.Pinned);
                    }

                    return send(pin.IsAllocated ? pin.AddrOfPinnedObject() : IntPtr.Zero, names.Count);
                }
                finally
                {
                    if (lengths != null)
                    {
                        if (pin.IsAllocated)
                            pin.Free();
                        if (staging != IntPtr.Zero)
                            Marshal.FreeHGlobal(staging);
                    }
                }
            }
        }
        """);

    [Fact]
    public Task A_release_guarded_by_a_local_given_a_new_array_only_where_nothing_was_acquired_is_still_a_leak() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static class Batch
        {
            public static void Send(bool large)
            {
                IntPtr staging = IntPtr.Zero;
                int[] lengths = null;
                try
                {
                    if (large)
                        staging = {|#0:Marshal.AllocHGlobal(64)|};
                    else
                        lengths = new int[1];
                }
                finally
                {
                    if (lengths != null)
                        Marshal.FreeHGlobal(staging);
                }
            {|#1:}|}
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'staging' from AllocHGlobal at line 13 is lost: it goes out of scope at line 22 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_block_never_released_beside_a_local_given_a_new_array_is_still_a_leak() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static class Batch
        {
            public static int Send(int count)
            {
                int[] lengths = null;
                IntPtr staging = IntPtr.Zero;
                try
                {
                    lengths = new int[count];
                    staging = {|#0:Marshal.AllocHGlobal(64)|};
                    {|#1:return lengths.Length;|}
                }
                finally
                {
                    if (lengths == null)
                        Marshal.FreeHGlobal(staging);
                }
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'staging' from AllocHGlobal at line 13 is lost: it goes out of scope at line 14 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_pointer_release_guarded_by_the_acquired_pointer_not_being_null_is_clean() => Verify.BuiltIn(
        """
        using System;
        using System.IO.MemoryMappedFiles;
        using System.Runtime.InteropServices;

        static unsafe class Views
        {
            public static long Sum(MemoryMappedViewAccessor view, int length)
            {
                byte* start = null;
                SafeBuffer handle = view.SafeMemoryMappedViewHandle;
                try
                {
                    handle.AcquirePointer(ref start);
                    long sum = 0;
                    if (start != null)
                        foreach (var b in new ReadOnlySpan<byte>(start + view.PointerOffset, length))
                            sum += b;
                    return sum;
                }
                finally
                {
                    if (start != null)
                        handle.ReleasePointer();
                }
            }

            public static void Clear(SafeBuffer handle)
            {
                byte* start = null;
                try
                {
                    handle.AcquirePointer(ref start);
                    *start = 0;
                }
                finally
                {
                    if (null != start)
                        handle.ReleasePointer();
                }
            }
        }
        """);

    [Fact]
    public Task A_pointer_release_guarded_by_another_pointer_is_still_a_leak() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        static unsafe class Views
        {
            public static void Clear(SafeBuffer handle, byte* other)
            {
                byte* start = null;
                try
                {
                    {|#0:handle.AcquirePointer(ref start)|};
                    *start = 0;
                }
                finally
                {
                    if (other != null)
                        handle.ReleasePointer();
                }
            {|#1:}|}
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The pointer in 'handle' from AcquirePointer at line 10 is lost: it goes out of scope at line 18 without being released, returned, stored or passed on"));

    [Fact]
    public Task A_block_held_as_a_managed_reference_and_stored_or_returned_is_handed_on() => Verify.BuiltIn(
        """
        using System.Diagnostics.CodeAnalysis;
        using System.Runtime.CompilerServices;
        using System.Runtime.InteropServices;

        unsafe ref struct Terminated
        {
            private ref byte _head;
            private bool _native;

            private void Place([UnscopedRef] ref byte target, int length, int room)
            {
                if (length >= room)
                {
                    target = ref Unsafe.AsRef<byte>(NativeMemory.Alloc((nuint)length + 1));
                    _native = true;
                }

                Unsafe.Add(ref target, length) = 0;
                _head = ref target;
            }

            public readonly void Free()
            {
                if (_native)
                    NativeMemory.Free(Unsafe.AsPointer(ref _head));
            }
        }

        unsafe sealed class Holder
        {
            private byte* _first;
            private void* _raw;

            public void Through(int n)
            {
                ref byte first = ref Unsafe.AsRef<byte>(NativeMemory.Alloc((nuint)n));
                _first = (byte*)Unsafe.AsPointer(ref first);
            }

            public void Direct(int n) => _first = (byte*)Unsafe.AsPointer(ref Unsafe.AsRef<byte>(NativeMemory.Alloc((nuint)n)));

            public void Indirect(int n)
            {
                void* block = NativeMemory.Alloc((nuint)n);
                ref byte first = ref *(byte*)block;
                _raw = Unsafe.AsPointer(ref first);
            }

            public static ref byte Rent(int n)
            {
                void* block = NativeMemory.Alloc((nuint)n);
                return ref Unsafe.AsRef<byte>(block);
            }

            public void Dispose()
            {
                NativeMemory.Free(_first);
                NativeMemory.Free(_raw);
            }
        }
        """);

    [Fact]
    public Task A_block_held_as_a_managed_reference_and_dropped_is_still_a_leak() => Verify.BuiltIn(
        """
        using System.Runtime.CompilerServices;
        using System.Runtime.InteropServices;

        static unsafe class Scratch
        {
            public static byte First(int n)
            {
                ref byte first = ref Unsafe.AsRef<byte>({|#0:NativeMemory.Alloc((nuint)n)|});
                first = 1;
                {|#1:return first;|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'first' from Alloc at line 8 is lost: it goes out of scope at line 10 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_write_through_a_reference_to_a_freed_block_is_a_use_after_release() => Verify.BuiltIn(
        """
        using System.Runtime.CompilerServices;
        using System.Runtime.InteropServices;

        static unsafe class Scratch
        {
            public static void Clear(int n)
            {
                void* block = NativeMemory.Alloc((nuint)n);
                ref byte first = ref Unsafe.AsRef<byte>(block);
                NativeMemory.Free({|#1:block|});
                {|#0:first|} = 0;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'first' is dereferenced after it was freed at line 10"));

    [Fact]
    public Task A_value_read_through_a_reference_to_a_block_is_not_the_block() => Verify.BuiltIn(
        """
        using System.Runtime.CompilerServices;
        using System.Runtime.InteropServices;

        static unsafe class Scratch
        {
            static void Use(byte value) { }

            public static void Copy(int n)
            {
                void* block = NativeMemory.Alloc((nuint)n);
                ref byte first = ref Unsafe.AsRef<byte>(block);
                byte copy = first;
                NativeMemory.Free(block);
                Use(copy);
            }
        }
        """);
}
