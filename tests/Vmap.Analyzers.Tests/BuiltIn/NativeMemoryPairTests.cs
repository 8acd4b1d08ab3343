namespace Vmap.Analyzers.Tests.BuiltIn;

/// <summary>NativeMemory's two families: Alloc/Realloc/Free and AlignedAlloc/AlignedRealloc/AlignedFree.</summary>
public class NativeMemoryPairTests
{
    [Fact]
    public Task Aligned_block_freed_with_Free_is_the_wrong_family() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        unsafe class C
        {
            void M()
            {
                void* p = {|#1:NativeMemory.AlignedAlloc(256, 64)|};
                NativeMemory.Free({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1)
            .WithMessage("'p' was allocated by AlignedAlloc (family 'native-memory-aligned') at line 7 but is released by Free (family 'native-memory'); release it with AlignedFree"));

    [Fact]
    public Task Unaligned_block_freed_with_AlignedFree_is_the_wrong_family() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        unsafe class C
        {
            void M()
            {
                byte* p = (byte*){|#1:NativeMemory.AllocZeroed(256)|};
                NativeMemory.AlignedFree({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1)
            .WithMessage("'p' was allocated by AllocZeroed (family 'native-memory') at line 7 but is released by AlignedFree (family 'native-memory-aligned'); release it with Free"));

    [Fact]
    public Task Writing_through_a_freed_pointer_is_reported() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        unsafe class C
        {
            void M()
            {
                int* p = (int*)NativeMemory.Alloc(4, sizeof(int));
                NativeMemory.Free({|#1:p|});
                {|#0:p[0]|} = 1;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'p[0]' is dereferenced after it was freed at line 8"));

    [Fact]
    public Task Freeing_the_pointer_Realloc_moved_is_a_double_free() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        unsafe class C
        {
            void* M()
            {
                void* p = NativeMemory.Alloc(16);
                void* q = NativeMemory.Realloc({|#1:p|}, 64);
                NativeMemory.Free({|#0:p|});
                return q;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is freed again here; it was already freed at line 8"));

    [Fact]
    public Task Block_lost_on_an_early_return_is_reported() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        unsafe class C
        {
            bool M(int n)
            {
                byte* p = (byte*){|#0:NativeMemory.Alloc((nuint)n)|};
                if (n > 4096)
                {
                    {|#1:return false;|}
                }

                NativeMemory.Free(p);
                return true;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'p' from Alloc at line 7 is lost: it goes out of scope at line 10 without being freed, returned, stored or passed on"));

    [Fact]
    public Task Matched_families_and_realloc_in_place_are_clean() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        unsafe class C
        {
            void Aligned(int n)
            {
                void* p = NativeMemory.AlignedAlloc((nuint)n, 64);
                try
                {
                    NativeMemory.Clear(p, (nuint)n);
                    p = NativeMemory.AlignedRealloc(p, (nuint)(2 * n), 64);
                    new Span<byte>(p, 2 * n).Fill(1);
                }
                finally
                {
                    NativeMemory.AlignedFree(p);
                }
            }

            void Plain()
            {
                byte* p = (byte*)NativeMemory.Alloc(16);
                p[0] = 1;
                NativeMemory.Free(p);
                p = null;
            }
        }
        """);
}
