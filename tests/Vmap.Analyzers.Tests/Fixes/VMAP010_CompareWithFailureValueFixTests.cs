using System.Threading.Tasks;
using Xunit;
using VerifyFix = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP010_CompareWithFailureValueFix>;
using VerifySize = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP005_UseMappedCountFix>;

namespace Vmap.Analyzers.Tests.Fixes;

/// <summary>VMAP010's fix (compare with the right failure value) and VMAP005's for a MEM_RELEASE free (size 0).</summary>
public class VMAP010_CompareWithFailureValueFixTests
{
    private const string Native = """

        static unsafe class Native
        {
            [System.Runtime.InteropServices.DllImport("libc")]
            public static extern System.IntPtr mmap(System.IntPtr addr, nuint length, int prot, int flags, int fd, long offset);

            [System.Runtime.InteropServices.DllImport("libc")]
            public static extern byte* mmap64(void* addr, nuint length, int prot, int flags, int fd, long offset);

            [System.Runtime.InteropServices.DllImport("libc")]
            public static extern int munmap(void* addr, nuint length);

            [System.Runtime.InteropServices.DllImport("kernel32.dll")]
            public static extern System.IntPtr VirtualAlloc(System.IntPtr address, System.UIntPtr size, uint type, uint protect);

            [System.Runtime.InteropServices.DllImport("kernel32.dll")]
            public static extern bool VirtualFree(System.IntPtr address, System.UIntPtr size, uint type);
        }
        """;

    [Fact]
    public Task An_IntPtr_mmap_result_is_compared_with_new_IntPtr_minus_one()
    {
        const string Source = """
            using System;

            unsafe class C
            {
                void M()
                {
                    var p = Native.mmap(IntPtr.Zero, 4096, 3, 0x22, -1, 0);
                    if (p == {|#0:IntPtr.Zero|}) throw new OutOfMemoryException();
                    Native.munmap((void*)p, 4096);
                }
            }
            """ + Native;
        const string Fixed = """
            using System;

            unsafe class C
            {
                void M()
                {
                    var p = Native.mmap(IntPtr.Zero, 4096, 3, 0x22, -1, 0);
                    if (p == new IntPtr(-1)) throw new OutOfMemoryException();
                    Native.munmap((void*)p, 4096);
                }
            }
            """ + Native;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP010).WithLocation(0).WithLocation(7, 17));
    }

    [Fact]
    public Task A_pointer_mmap_result_is_compared_with_a_pointer_cast_of_minus_one()
    {
        const string Source = """
            unsafe class C
            {
                void M()
                {
                    var p = Native.mmap64(null, 4096, 3, 0x22, -1, 0);
                    if ({|#0:null|} != p)
                    {
                        *p = 1;
                        Native.munmap(p, 4096);
                    }
                }
            }
            """ + Native;
        const string Fixed = """
            unsafe class C
            {
                void M()
                {
                    var p = Native.mmap64(null, 4096, 3, 0x22, -1, 0);
                    if ((byte*)(-1) != p)
                    {
                        *p = 1;
                        Native.munmap(p, 4096);
                    }
                }
            }
            """ + Native;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP010).WithLocation(0).WithLocation(5, 17));
    }

    [Fact]
    public Task A_VirtualAlloc_result_is_compared_with_IntPtr_Zero()
    {
        const string Source = """
            using System;

            class C
            {
                void M()
                {
                    var p = Native.VirtualAlloc(IntPtr.Zero, (UIntPtr)4096, 0x3000, 4);
                    if (p == {|#0:(IntPtr)(-1)|}) return;
                    Native.VirtualFree(p, UIntPtr.Zero, 0x8000);
                }
            }
            """ + Native;
        const string Fixed = """
            using System;

            class C
            {
                void M()
                {
                    var p = Native.VirtualAlloc(IntPtr.Zero, (UIntPtr)4096, 0x3000, 4);
                    if (p == IntPtr.Zero) return;
                    Native.VirtualFree(p, UIntPtr.Zero, 0x8000);
                }
            }
            """ + Native;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, null, VerifyFix.Diagnostic(RuleIds.VMAP010).WithLocation(0).WithLocation(7, 17));
    }

    [Fact]
    public Task A_MEM_RELEASE_free_with_the_region_size_is_given_size_zero()
    {
        const string Source = """
            using System;

            class C
            {
                void M(UIntPtr size)
                {
                    var p = Native.VirtualAlloc(IntPtr.Zero, {|#1:size|}, 0x3000, 4);
                    if (p == IntPtr.Zero) return;
                    Native.VirtualFree(p, {|#0:size|}, 0x8000);
                }
            }
            """ + Native;
        const string Fixed = """
            using System;

            class C
            {
                void M(UIntPtr size)
                {
                    var p = Native.VirtualAlloc(IntPtr.Zero, size, 0x3000, 4);
                    if (p == IntPtr.Zero) return;
                    Native.VirtualFree(p, 0, 0x8000);
                }
            }
            """ + Native;
        return VerifySize.VerifyBuiltInAsync(Source, Fixed, null, VerifySize.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1));
    }
}
