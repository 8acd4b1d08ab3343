namespace Vmap.Analyzers.Tests.BuiltIn;

/// <summary>
/// ArrayPool&lt;T&gt;.Rent/Return: a rental that is never returned is legal (no VMAP002); returning
/// what the pool never rented, twice, to another pool, or using it after Return is not.
/// </summary>
public class ArrayPoolPairTests
{
    [Fact]
    public Task A_rental_never_returned_is_not_reported() => Verify.BuiltIn(
        """
        using System.Buffers;

        class C
        {
            int M(int n)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(n);
                buffer = ArrayPool<byte>.Shared.Rent(2 * n);
                return buffer.Length;
            }
        }
        """);

    [Fact]
    public Task Returning_a_new_array_is_reported() => Verify.BuiltIn(
        """
        using System.Buffers;

        class C
        {
            void M()
            {
                ArrayPool<byte>.Shared.Return({|#0:new byte[16]|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(0)
            .WithMessage("'new byte[16]' is returned here but holds memory that was never rented: it is a new array, which 'Return' gives to a pool that never rented it"));

    [Fact]
    public Task Returning_a_local_that_holds_a_new_array_is_reported() => Verify.BuiltIn(
        """
        using System.Buffers;

        class C
        {
            void M(ArrayPool<char> pool)
            {
                char[] scratch = new char[32];
                pool.Return({|#0:scratch|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(0)
            .WithMessage("'scratch' is returned here but holds memory that was never rented: it is a new array, which 'Return' gives to a pool that never rented it"));

    [Fact]
    public Task Double_return_from_finally_after_an_early_return_is_reported() => Verify.BuiltIn(
        """
        using System.Buffers;

        class C
        {
            int M(int n, bool quick)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(n);
                try
                {
                    if (quick)
                    {
                        ArrayPool<byte>.Shared.Return({|#1:buffer|});
                        return 0;
                    }

                    return buffer.Length;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return({|#0:buffer|});
                }
            }
        }
        """,
        // The finally also runs after "return buffer.Length", where nothing returned the array yet.
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'buffer' is returned again here; it was already returned at line 12 on some path"));

    [Fact]
    public Task Using_an_array_after_Return_is_reported() => Verify.BuiltIn(
        """
        using System.Buffers;

        class C
        {
            byte M()
            {
                var buffer = ArrayPool<byte>.Shared.Rent(16);
                ArrayPool<byte>.Shared.Return({|#1:buffer|});
                return {|#0:buffer[0]|};
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'buffer[0]' is dereferenced after it was returned at line 8"));

    [Fact]
    public Task Copying_from_an_array_after_Return_is_reported() => Verify.BuiltIn(
        """
        using System.Buffers;

        class C
        {
            void M(byte[] destination)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(16);
                ArrayPool<byte>.Shared.Return({|#1:buffer|});
                {|#0:buffer|}.CopyTo(destination, 0);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'buffer' is used by 'CopyTo' after it was returned at line 8"));

    [Fact]
    public Task Returning_to_another_pool_is_the_wrong_family() => Verify.BuiltIn(
        """
        using System.Buffers;

        class C
        {
            private readonly ArrayPool<byte> _pool = ArrayPool<byte>.Create();

            void M()
            {
                var buffer = {|#1:ArrayPool<byte>.Shared.Rent(16)|};
                _pool.Return({|#0:buffer|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1)
            .WithMessage("'buffer' was rented by Rent (family 'array-pool(ArrayPool.Shared)') at line 9 but is released by Return (family 'array-pool(_pool)')"));

    [Fact]
    public Task Returning_the_grown_field_instead_of_the_old_rental_is_reported() => Verify.BuiltIn(
        """
        using System;
        using System.Buffers;

        ref struct ValueStringBuilder
        {
            private char[]? _arrayToReturnToPool;
            private Span<char> _chars;
            private int _pos;

            private void Grow(int additional)
            {
                char[] poolArray = ArrayPool<char>.Shared.Rent(Math.Max(_pos + additional, _chars.Length * 2));
                _chars.CopyTo(poolArray);
                _chars = {|#1:_arrayToReturnToPool = poolArray|};
                if (_arrayToReturnToPool != null)
                {
                    ArrayPool<char>.Shared.Return({|#0:_arrayToReturnToPool|});
                }
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'_arrayToReturnToPool' is returned here while it is still in use: '_arrayToReturnToPool' was re-pointed at the new array from Rent at line 14, so this gives back the array still in use and loses the one it held before"));

    [Fact]
    public Task A_rental_lent_to_a_method_is_still_tracked() => Verify.BuiltIn(
        """
        using System.Buffers;
        using System.IO;

        class C
        {
            int M(Stream stream)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(512);
                var read = stream.Read(buffer, 0, buffer.Length);
                ArrayPool<byte>.Shared.Return({|#1:buffer|});
                ArrayPool<byte>.Shared.Return({|#0:buffer|});
                return read;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'buffer' is returned again here; it was already returned at line 10"));

    [Fact]
    public Task A_computed_pool_matches_any_pool() => Verify.BuiltIn(
        """
        using System.Buffers;

        class C
        {
            static ArrayPool<byte> Pool() => ArrayPool<byte>.Shared;

            void M()
            {
                var a = Pool().Rent(16);
                ArrayPool<byte>.Shared.Return(a);
                var b = ArrayPool<byte>.Shared.Rent(16);
                Pool().Return(b);
            }
        }
        """);

    [Fact]
    public Task Pooled_buffer_idioms_are_clean() => Verify.BuiltIn(
        """
        using System;
        using System.Buffers;

        class C
        {
            private readonly ArrayPool<byte> _pool = ArrayPool<byte>.Create();

            int Sum(ReadOnlySpan<byte> input)
            {
                byte[]? rented = null;
                Span<byte> scratch = input.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(input.Length));
                try
                {
                    input.CopyTo(scratch);
                    var sum = 0;
                    foreach (var b in scratch.Slice(0, input.Length))
                    {
                        sum += b;
                    }

                    return sum;
                }
                finally
                {
                    if (rented != null)
                    {
                        ArrayPool<byte>.Shared.Return(rented);
                    }
                }
            }

            void Own(int n)
            {
                var buffer = _pool.Rent(n);
                buffer[0] = 1;
                _pool.Return(buffer, clearArray: true);
            }

            void FromParameter(ArrayPool<char> pool)
            {
                var chars = pool.Rent(8);
                pool.Return(chars);
            }
        }
        """);
}
