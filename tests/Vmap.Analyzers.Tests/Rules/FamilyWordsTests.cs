namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// Each family's messages use the words a user of its API would write (issue 21 §6,
/// docs/configuration.md "Words in messages"): a second release of each family, and a lost
/// acquisition of the families that leak, with the exact message at the exact spans.
/// </summary>
public class FamilyWordsTests
{
    /// <summary>The OS calls as public code declares them (after the test's code, so its line numbers do not move).</summary>
    private const string Os = """

        static unsafe class Os
        {
            [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
            public static extern void* mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

            [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
            public static extern int munmap(void* addr, nuint length);

            [System.Runtime.InteropServices.DllImport("kernel32.dll", SetLastError = true)]
            public static extern System.IntPtr VirtualAlloc(System.IntPtr address, System.UIntPtr size, uint type, uint protect);

            [System.Runtime.InteropServices.DllImport("kernel32.dll", SetLastError = true)]
            public static extern bool VirtualFree(System.IntPtr address, System.UIntPtr size, uint type);

            [System.Runtime.InteropServices.DllImport("kernel32.dll", SetLastError = true)]
            public static extern System.IntPtr MapViewOfFile(System.IntPtr mapping, uint access, uint offsetHigh, uint offsetLow, System.UIntPtr bytes);

            [System.Runtime.InteropServices.DllImport("kernel32.dll", SetLastError = true)]
            public static extern bool UnmapViewOfFile(System.IntPtr address);
        }
        """;

    /// <summary>
    /// A method that acquires with <paramref name="acquire"/> into <c>p</c> at line 9 and releases
    /// it twice with <paramref name="release"/> (<c>{0}</c> is where <c>p</c> goes) at lines 10 and 11.
    /// </summary>
    private static string TwiceReleased(string acquire, string release) => """
        using System;
        using System.Buffers;
        using System.Runtime.InteropServices;

        unsafe class C
        {
            void M(object o, nuint size, IntPtr section)
            {
                var p = 
        """ + acquire + ";\n        " + string.Format(release, "{|#1:p|}") + ";\n        " + string.Format(release, "{|#0:p|}") + ";\n    }\n}\n" + Os;

    [Theory]
    [InlineData("Marshal.AllocHGlobal(16)", "Marshal.FreeHGlobal({0})", "'p' is freed again here; it was already freed at line 10")]
    [InlineData("Marshal.AllocCoTaskMem(16)", "Marshal.FreeCoTaskMem({0})", "'p' is freed again here; it was already freed at line 10")]
    [InlineData("Marshal.StringToBSTR(\"x\")", "Marshal.FreeBSTR({0})", "'p' is freed again here; it was already freed at line 10")]
    [InlineData("NativeMemory.Alloc(16)", "NativeMemory.Free({0})", "'p' is freed again here; it was already freed at line 10")]
    [InlineData("NativeMemory.AlignedAlloc(16, 8)", "NativeMemory.AlignedFree({0})", "'p' is freed again here; it was already freed at line 10")]
    [InlineData("GCHandle.Alloc(o)", "{0}.Free()", "'p' is freed again here; it was already freed at line 10")]
    [InlineData("ArrayPool<byte>.Shared.Rent(16)", "ArrayPool<byte>.Shared.Return({0})", "'p' is returned again here; it was already returned at line 10")]
    [InlineData("Os.mmap(null, size, 3, 0x22, -1, 0)", "Os.munmap({0}, size)", "'p' is unmapped again here; it was already unmapped at line 10")]
    [InlineData("Os.VirtualAlloc(IntPtr.Zero, size, 0x3000, 4)", "Os.VirtualFree({0}, UIntPtr.Zero, 0x8000)", "'p' is released again here; it was already released at line 10")]
    [InlineData("Os.MapViewOfFile(section, 4, 0, 0, UIntPtr.Zero)", "Os.UnmapViewOfFile({0})", "'p' is unmapped again here; it was already unmapped at line 10")]
    public Task A_built_in_family_is_released_again_in_its_own_words(string acquire, string release, string message) => Verify.BuiltIn(
        TwiceReleased(acquire, release),
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1).WithMessage(message));

    [Theory]
    [InlineData("Marshal.AllocHGlobal(16)", "The block in 'p' from AllocHGlobal at line 9 is lost: it goes out of scope at line 10 without being freed, returned, stored or passed on")]
    [InlineData("Marshal.AllocCoTaskMem(16)", "The block in 'p' from AllocCoTaskMem at line 9 is lost: it goes out of scope at line 10 without being freed, returned, stored or passed on")]
    [InlineData("Marshal.StringToBSTR(\"x\")", "The string in 'p' from StringToBSTR at line 9 is lost: it goes out of scope at line 10 without being freed, returned, stored or passed on")]
    [InlineData("NativeMemory.Alloc(16)", "The block in 'p' from Alloc at line 9 is lost: it goes out of scope at line 10 without being freed, returned, stored or passed on")]
    [InlineData("GCHandle.Alloc(o)", "The handle in 'p' from Alloc at line 9 is lost: it goes out of scope at line 10 without being freed, returned, stored or passed on")]
    [InlineData("Os.mmap(null, size, 3, 0x22, -1, 0)", "The mapping in 'p' from mmap at line 9 is lost: it goes out of scope at line 10 without being unmapped, returned, stored or passed on")]
    [InlineData("Os.VirtualAlloc(IntPtr.Zero, size, 0x3000, 4)", "The region in 'p' from VirtualAlloc at line 9 is lost: it goes out of scope at line 10 without being released, returned, stored or passed on")]
    [InlineData("Os.MapViewOfFile(section, 4, 0, 0, UIntPtr.Zero)", "The mapping in 'p' from MapViewOfFile at line 9 is lost: it goes out of scope at line 10 without being unmapped, returned, stored or passed on")]
    public Task A_lost_acquisition_is_named_in_its_family_s_words(string acquire, string message) => Verify.BuiltIn(
        """
        using System;
        using System.Buffers;
        using System.Runtime.InteropServices;

        unsafe class C
        {
            void M(object o, nuint size, IntPtr section)
            {
                var p = {|#0:
        """ + acquire + "|};\n    {|#1:}|}\n}\n" + Os,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1).WithMessage(message));

    [Fact]
    public Task A_rented_array_reads_rented_and_returned() => Verify.BuiltIn(
        """
        using System.Buffers;

        class C
        {
            int M()
            {
                var a = ArrayPool<byte>.Shared.Rent(16);
                ArrayPool<byte>.Shared.Return({|#1:a|});
                ArrayPool<byte>.Shared.Return({|#2:new byte[16]|});
                return {|#0:a[0]|};
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'a[0]' is dereferenced after it was returned at line 8"),
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(2).WithLocation(2)
            .WithMessage("'new byte[16]' is returned here but holds memory that was never rented: it is a new array, which 'Return' gives to a pool that never rented it"));

    [Theory]
    [InlineData("MapRam(default)", "UnmapRam({0}, 0)")]
    [InlineData("Vmap(default)", "Vunmap({0})")]
    [InlineData("Vmalloc(16)", "Vfree({0})")]
    public Task The_runtime_s_own_families_read_mapped_and_unmapped(string acquire, string release) => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space)
            {
                var p = space.
        """ + acquire + ";\n        space." + string.Format(release, "{|#1:p|}") + ";\n        space." + string.Format(release, "{|#0:p|}") + ";\n    }\n}\n",
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped again here; it was already unmapped at line 8"));
}
