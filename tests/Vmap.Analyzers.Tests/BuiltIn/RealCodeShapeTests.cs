namespace Vmap.Analyzers.Tests.BuiltIn;

/// <summary>
/// Shapes taken from public projects where the analyzers once reported correct code (issue 11,
/// section 4). Each clean shape sits next to the nearest real bug, which must still be reported.
/// </summary>
public class RealCodeShapeTests
{
    [Fact]
    public Task An_empty_collection_expression_as_the_nothing_rented_marker_is_clean() => Verify.BuiltIn(
        """
        using System.Buffers;

        class C
        {
            int Sum(int n, bool large)
            {
                int[] scratch = [];
                try
                {
                    if (large)
                    {
                        scratch = ArrayPool<int>.Shared.Rent(n);
                    }

                    return scratch.Length;
                }
                finally
                {
                    ArrayPool<int>.Shared.Return(scratch);
                }
            }
        }
        """);

    [Fact]
    public Task A_non_empty_collection_expression_given_to_a_pool_is_still_reported() => Verify.BuiltIn(
        """
        using System.Buffers;

        class C
        {
            void M()
            {
                int[] scratch = [1, 2, 3];
                ArrayPool<int>.Shared.Return({|#0:scratch|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(0)
            .WithMessage("'scratch' is returned here but holds memory that was never rented: it is a new array, which 'Return' gives to a pool that never rented it"));

    [Fact]
    public Task A_nullable_handle_freed_through_a_conditional_access_is_released() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            static void Use(nint address) { }

            void M(byte[] data, bool pin)
            {
                GCHandle? handle = null;
                try
                {
                    if (pin)
                    {
                        handle = GCHandle.Alloc(data, GCHandleType.Pinned);
                    }

                    Use(0);
                }
                finally
                {
                    handle?.Free();
                }
            }
        }
        """);

    [Fact]
    public Task A_nullable_handle_freed_through_Value_is_released() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            void M(object o)
            {
                GCHandle? handle = GCHandle.Alloc(o);
                if (handle.HasValue)
                {
                    handle.Value.Free();
                }
            }
        }
        """);

    [Fact]
    public Task A_nullable_handle_freed_twice_through_Value_is_still_reported() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            void M(object o)
            {
                GCHandle? handle = GCHandle.Alloc(o);
                {|#1:handle.Value|}.Free();
                {|#0:handle.Value|}.Free();
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'handle.Value' is freed again here; it was already freed at line 8"));

    [Fact]
    public Task A_pin_released_under_its_arrays_null_test_is_clean() => Verify.BuiltIn(
        """
        using System.Buffers;
        using System.Runtime.InteropServices;

        class C
        {
            static void Fill(nint address, int length) { }

            void M(int[] sizes)
            {
                byte[]? pooled = null;
                GCHandle pin = default;
                try
                {
                    foreach (var size in sizes)
                    {
                        if (pooled is null || pooled.Length < size)
                        {
                            if (pooled != null)
                            {
                                pin.Free();
                                ArrayPool<byte>.Shared.Return(pooled);
                            }

                            pooled = ArrayPool<byte>.Shared.Rent(size);
                            pin = GCHandle.Alloc(pooled, GCHandleType.Pinned);
                        }

                        Fill(pin.AddrOfPinnedObject(), size);
                    }
                }
                finally
                {
                    if (pooled != null)
                    {
                        pin.Free();
                        ArrayPool<byte>.Shared.Return(pooled);
                    }
                }
            }
        }
        """);

    [Fact]
    public Task A_rental_in_a_loop_local_declared_again_is_not_a_loss() => Verify.BuiltIn(
        """
        using System.Buffers;
        using System.IO;

        class C
        {
            void M(Stream stream, int rounds)
            {
                for (var i = 0; i < rounds; i++)
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(4096);
                    stream.Read(buffer, 0, buffer.Length);
                }
            }
        }
        """);

    [Fact]
    public Task A_hglobal_in_a_loop_local_declared_again_is_still_lost() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            void M(int rounds)
            {
                for (var i = 0; i < rounds; i++)
                {
                    var block = {|#0:Marshal.AllocHGlobal(64)|};
                    Marshal.WriteByte(block, 0, 1);
                {|#1:}|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'block' from AllocHGlobal at line 9 is lost: it goes out of scope at line 11 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_grown_rental_assigned_through_a_chain_in_a_loop_is_clean() => Verify.BuiltIn(
        """
        using System.Buffers;

        class C
        {
            int M(int[] input)
            {
                var pooled = ArrayPool<int>.Shared.Rent(16);
                var target = pooled;
                var count = 0;
                foreach (var value in input)
                {
                    if (count == target.Length)
                    {
                        var bigger = ArrayPool<int>.Shared.Rent(target.Length * 2);
                        target.CopyTo(bigger, 0);
                        ArrayPool<int>.Shared.Return(pooled);
                        target = pooled = bigger;
                    }

                    target[count++] = value;
                }

                var sum = 0;
                for (var i = 0; i < count; i++)
                {
                    sum += target[i];
                }

                ArrayPool<int>.Shared.Return(pooled);
                return sum;
            }
        }
        """);

    [Fact]
    public Task A_rental_grown_straight_into_a_chain_in_a_loop_is_clean() => Verify.BuiltIn(
        """
        using System.Buffers;

        class C
        {
            int M(int[] input)
            {
                int[] pooled = ArrayPool<int>.Shared.Rent(16);
                int[] target = pooled;
                var count = 0;
                while (count < input.Length)
                {
                    if (count == target.Length)
                    {
                        ArrayPool<int>.Shared.Return(pooled);
                        target = pooled = ArrayPool<int>.Shared.Rent(count * 2);
                    }

                    target[count] = input[count];
                    count++;
                }

                var last = target[count - 1];
                ArrayPool<int>.Shared.Return(pooled);
                return last;
            }
        }
        """);

    [Fact]
    public Task An_expression_bodied_wrapper_returning_ToPointer_is_an_acquire_not_a_leak() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        static unsafe class Memory
        {
            public static void* Alloc(int size) => Marshal.AllocHGlobal(size).ToPointer();

            public static void Free(void* block) => Marshal.FreeHGlobal((nint)block);

            public static void Use()
            {
                var block = Alloc(64);
                *(byte*)block = 1;
                Free(block);
            }
        }
        """);

    [Fact]
    public Task A_leak_in_an_expression_body_ends_at_the_expression() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        static class Memory
        {
            [System.Obsolete]
            public static void Touch(int size)
                => {|#1:Marshal.WriteByte({|#0:Marshal.AllocHGlobal(size)|}, 0, 1)|};
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'Marshal.AllocHGlobal(size)' from AllocHGlobal at line 7 is lost: it goes out of scope at line 7 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_handle_cast_to_IntPtr_and_given_to_native_code_is_handed_on() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        sealed class Store
        {
            delegate void Finalizer(IntPtr data);

            [DllImport("native")]
            static extern IntPtr store_new(IntPtr data, Finalizer finalizer);

            static readonly Finalizer Release = p => GCHandle.FromIntPtr(p).Free();

            private readonly IntPtr _store;

            public Store()
            {
                var self = GCHandle.Alloc(this, GCHandleType.Weak);
                _store = store_new((IntPtr)self, Release);
            }
        }
        """);

    [Fact]
    public Task A_handle_freed_twice_after_a_cast_to_IntPtr_is_still_reported() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        class C
        {
            static void Use(IntPtr context) { }

            void M(object o)
            {
                var handle = GCHandle.Alloc(o);
                Use((IntPtr)handle);
                {|#1:handle|}.Free();
                {|#0:handle|}.Free();
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'handle' is freed again here; it was already freed at line 12"));

    [Fact]
    public Task A_member_holding_an_HGlobal_re_pointed_in_a_method_that_calls_nothing_is_reported() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        sealed class Buffer
        {
            public IntPtr Data;
            public int Other;

            public void Open(int size) => Data = Marshal.AllocHGlobal(size);

            public void Close() => Marshal.FreeHGlobal({|#1:Data|});
        }

        static class Log
        {
            public static void Reset(Buffer buffer, IntPtr view)
            {
                buffer.Other = 0;
                {|#0:buffer.Data = view|};
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'buffer.Data' is freed holding memory that was never allocated: it is re-pointed at 'view' at line 19 while it is freed by Close at line 11"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithSpan(9, 42, 9, 68)
            .WithMessage("The block in 'buffer.Data' from AllocHGlobal at line 9 is lost: it is re-pointed at line 19 without being freed first"));

    [Fact]
    public Task A_grown_rental_assigned_through_a_chain_into_a_span_in_a_loop_is_clean() => Verify.BuiltIn(
        """
        using System;
        using System.Buffers;

        class C
        {
            int M(ReadOnlySpan<int> input, Span<int> initial)
            {
                int[]? pooled = null;
                Span<int> target = initial;
                var count = 0;
                foreach (var value in input)
                {
                    if (count == target.Length)
                    {
                        var bigger = ArrayPool<int>.Shared.Rent(Math.Max(16, target.Length * 2));
                        target.CopyTo(bigger);
                        if (pooled != null)
                        {
                            ArrayPool<int>.Shared.Return(pooled);
                        }

                        target = pooled = bigger;
                    }

                    target[count++] = value;
                }

                var last = count > 0 ? target[count - 1] : 0;
                if (pooled != null)
                {
                    ArrayPool<int>.Shared.Return(pooled);
                }

                return last;
            }
        }
        """);

    [Fact]
    public Task A_pointer_from_ToPointer_returned_as_a_new_IntPtr_is_handed_to_the_caller() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        class C
        {
            unsafe IntPtr Copy(byte[] data)
            {
                var p = (byte*)Marshal.AllocHGlobal(data.Length).ToPointer();
                for (var i = 0; i < data.Length; i++)
                {
                    p[i] = data[i];
                }

                return new IntPtr(p);
            }
        }
        """);

    [Fact]
    public Task A_pointer_from_ToPointer_that_is_dropped_is_still_lost() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            unsafe byte M()
            {
                var p = (byte*){|#0:Marshal.AllocHGlobal(16)|}.ToPointer();
                *p = 1;
                {|#1:return *p;|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'p' from AllocHGlobal at line 7 is lost: it goes out of scope at line 9 without being freed, returned, stored or passed on"));
}
