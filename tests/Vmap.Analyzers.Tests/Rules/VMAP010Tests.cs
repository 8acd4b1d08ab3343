namespace Vmap.Analyzers.Tests.Rules;

/// <summary>VMAP010: an OS acquire's failure tested against the value it never returns.</summary>
public class VMAP010Tests
{
    private const string Native = """

        static unsafe class Native
        {
            [System.Runtime.InteropServices.DllImport("libc")]
            public static extern System.IntPtr mmap(System.IntPtr addr, System.UIntPtr length, int prot, int flags, int fd, System.IntPtr offset);

            [System.Runtime.InteropServices.DllImport("libc")]
            public static extern int munmap(System.IntPtr addr, System.UIntPtr length);

            [System.Runtime.InteropServices.DllImport("kernel32")]
            public static extern void* VirtualAlloc(void* address, nuint size, uint type, uint protect);

            [System.Runtime.InteropServices.DllImport("kernel32")]
            public static extern System.IntPtr MapViewOfFile(System.IntPtr mapping, uint access, uint high, uint low, System.UIntPtr bytes);

            public static readonly System.IntPtr INVALID_HANDLE_VALUE = new System.IntPtr(-1);
        }
        """;

    [Fact]
    public Task Mmap_compared_with_IntPtr_Zero_is_reported() => Verify.BuiltIn(
        """
        using System;

        class C
        {
            void M()
            {
                var p = Native.mmap(IntPtr.Zero, (UIntPtr)4096, 3, 0x22, -1, IntPtr.Zero);
                if (p == {|#0:IntPtr.Zero|})
                {
                    throw new OutOfMemoryException();
                }

                Native.munmap(p, (UIntPtr)4096);
            }
        }
        """ + Native,
        Verify.Diagnostic(RuleIds.VMAP010).WithLocation(0).WithLocation(7, 17)
            .WithMessage("'p' from mmap at line 7 is tested against 'IntPtr.Zero', but mmap returns MAP_FAILED ((void*)-1) on failure: the test never sees the failure"));

    [Fact]
    public Task VirtualAlloc_compared_with_minus_one_is_reported() => Verify.BuiltIn(
        """
        unsafe class C
        {
            void* M()
            {
                var p = Native.VirtualAlloc(null, 4096, 0x3000, 4);
                if (p == {|#0:(void*)-1|}) return null;
                *(int*)p = 1;
                return p;
            }
        }
        """ + Native,
        Verify.Diagnostic(RuleIds.VMAP010).WithLocation(0).WithLocation(5, 17)
            .WithMessage("'p' from VirtualAlloc at line 5 is tested against '(void*)-1', but VirtualAlloc returns NULL on failure: the test never sees the failure"));

    [Fact]
    public Task MapViewOfFile_compared_with_INVALID_HANDLE_VALUE_is_reported() => Verify.BuiltIn(
        """
        using System;

        class C
        {
            IntPtr _view;

            void M(IntPtr mapping)
            {
                _view = Native.MapViewOfFile(mapping, 4, 0, 0, UIntPtr.Zero);
                if (_view == {|#0:Native.INVALID_HANDLE_VALUE|}) throw new InvalidOperationException();
            }
        }
        """ + Native,
        Verify.Diagnostic(RuleIds.VMAP010).WithLocation(0).WithLocation(9, 17)
            .WithMessage("'_view' from MapViewOfFile at line 9 is tested against 'Native.INVALID_HANDLE_VALUE', but MapViewOfFile returns NULL on failure: the test never sees the failure"));

    [Fact]
    public Task Right_tests_a_zero_test_of_a_maybe_absent_value_and_helpers_are_silent() => Verify.BuiltIn(
        """
        using System;

        class C
        {
            static IntPtr MapOrNull(UIntPtr length)
            {
                var p = Native.mmap(IntPtr.Zero, length, 3, 0x22, -1, IntPtr.Zero);
                return p == new IntPtr(-1) ? IntPtr.Zero : p;
            }

            void Helper()
            {
                // The helper turned MAP_FAILED into null: a null test of its result is right.
                var p = MapOrNull((UIntPtr)4096);
                if (p == IntPtr.Zero) return;
                Native.munmap(p, (UIntPtr)4096);
            }

            void Finally()
            {
                var p = IntPtr.Zero;
                try
                {
                    p = Native.mmap(IntPtr.Zero, (UIntPtr)4096, 3, 0x22, -1, IntPtr.Zero);
                    if (p.ToInt64() == -1) throw new OutOfMemoryException();
                }
                finally
                {
                    // "Was anything mapped": p is still zero when mmap was never reached.
                    if (p != IntPtr.Zero && p != new IntPtr(-1)) Native.munmap(p, (UIntPtr)4096);
                }
            }

            unsafe void* Windows()
            {
                var p = Native.VirtualAlloc(null, 4096, 0x3000, 4);
                if (p == null) return null;
                *(int*)p = 1;
                return p;
            }
        }
        """ + Native);
}
