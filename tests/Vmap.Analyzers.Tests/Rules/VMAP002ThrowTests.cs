namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// An explicit throw is a way out of the method like a return: a pin taken before an argument
/// check that throws leaks on every bad call, unless a finally or a catch on the way out releases it.
/// </summary>
public class VMAP002ThrowTests
{
    [Fact]
    public Task A_pin_taken_before_an_argument_check_that_throws_is_lost_at_the_throw() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        class Store
        {
            [DllImport("kv")] static extern int Put(IntPtr value, string key);

            public int Write(byte[] value, string? key)
            {
                var pin = {|#0:GCHandle.Alloc(value, GCHandleType.Pinned)|};
                if (key == null)
                {
                    {|#1:throw new ArgumentNullException(nameof(key));|}
                }

                try
                {
                    return Put(pin.AddrOfPinnedObject(), key);
                }
                finally
                {
                    pin.Free();
                }
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The handle in 'pin' from Alloc at line 10 is lost: it goes out of scope at line 13 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_throw_expression_is_an_exit_too() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        class Store
        {
            [DllImport("kv")] static extern int Put(IntPtr value, string key);

            public int Write(int size, string? key)
            {
                IntPtr block = {|#0:Marshal.AllocHGlobal(size)|};
                string checkedKey = key ?? {|#1:throw new ArgumentNullException(nameof(key))|};
                int result = Put(block, checkedKey);
                Marshal.FreeHGlobal(block);
                return result;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'block' from AllocHGlobal at line 10 is lost: it goes out of scope at line 11 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_throw_inside_a_try_whose_finally_releases_is_clean() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        class Store
        {
            [DllImport("kv")] static extern int Put(IntPtr value, string key);

            public int Write(byte[] value, string? key)
            {
                var pin = GCHandle.Alloc(value, GCHandleType.Pinned);
                try
                {
                    if (key == null)
                    {
                        throw new ArgumentNullException(nameof(key));
                    }

                    return Put(pin.AddrOfPinnedObject(), key);
                }
                finally
                {
                    pin.Free();
                }
            }
        }
        """);

    [Theory]
    [InlineData("catch (ArgumentNullException)", "return -1;")]
    [InlineData("catch", "throw;")]
    public Task A_throw_caught_by_a_catch_that_releases_is_clean(string handler, string leave) => Verify.BuiltIn(
        $$"""
        using System;
        using System.Runtime.InteropServices;

        class Store
        {
            [DllImport("kv")] static extern int Put(IntPtr value, string key);

            public int Write(int size, string? key)
            {
                IntPtr block = Marshal.AllocHGlobal(size);
                int result;
                try
                {
                    if (key == null)
                    {
                        throw new ArgumentNullException(nameof(key));
                    }

                    result = Put(block, key);
                }
                {{handler}}
                {
                    Marshal.FreeHGlobal(block);
                    {{leave}}
                }

                Marshal.FreeHGlobal(block);
                return result;
            }
        }
        """);

    [Fact]
    public Task A_throw_when_the_acquire_failed_loses_nothing() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        class Store
        {
            public IntPtr Make(int size)
            {
                IntPtr block = Marshal.AllocHGlobal(size);
                if (block == IntPtr.Zero)
                {
                    throw new OutOfMemoryException();
                }

                return block;
            }
        }
        """);
}
