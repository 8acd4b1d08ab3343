namespace Vmap.Analyzers.Tests.Pairing;

/// <summary>
/// Values the compiler carries through a flow capture (the temporary of <c>c ? a : b</c>, <c>a ?? b</c>,
/// <c>a?.B</c> and a switch expression): every use of the capture hands the mapping on exactly as the
/// same use of a local would (issue 20: a field assigned from a conditional was reported lost).
/// </summary>
public class FlowCaptureTests
{
    /// <summary>Helpers and an adopter, appended after each test's code so its line numbers do not move.</summary>
    private const string Helpers = """

        static unsafe class Native
        {
            public static byte* Other(nuint n) => (byte*)System.Runtime.InteropServices.NativeMemory.Alloc(n);

            public static void Adopt([Vmap.Annotations.TakesOwnership] byte* p) { }
        }

        static unsafe class Windows
        {
            [System.Runtime.InteropServices.DllImport("kernel32.dll", SetLastError = true)]
            public static extern void* VirtualAlloc(void* address, nuint size, uint type, uint protect);

            public static void* Alloc(nuint n) => VirtualAlloc(null, n, 0x3000, 4);
        }

        static unsafe class UnixLike
        {
            [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
            public static extern void* mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

            public static void* Alloc(nuint n) => mmap(null, n, 3, 0x22, -1, 0);
        }

        namespace Vmap.Annotations
        {
            [System.AttributeUsage(System.AttributeTargets.Parameter)]
            sealed class TakesOwnershipAttribute : System.Attribute { }
        }
        """;

    [Fact]
    public Task A_field_assigned_from_a_conditional_with_an_acquiring_arm_is_clean() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        unsafe class Ring : IDisposable
        {
            byte* _f;
            public Ring(bool c, nuint n) { _f = c ? (byte*)NativeMemory.Alloc(n) : Native.Other(n); }
            public void Dispose() { NativeMemory.Free(_f); _f = null; }
        }
        """ + Helpers);

    [Fact]
    public Task A_field_assigned_from_a_conditional_of_two_mapping_helpers_is_clean() => Verify.BuiltIn(
        """
        using System;

        unsafe class Region
        {
            void* _addr;
            public Region(bool windows, nuint n) { _addr = windows ? Windows.Alloc(n) : UnixLike.Alloc(n); }
        }
        """ + Helpers);

    [Fact]
    public Task The_same_conditional_through_a_local_is_clean() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        unsafe class Ring
        {
            byte* _f;
            public Ring(bool c, nuint n) { var p = c ? (byte*)NativeMemory.Alloc(n) : Native.Other(n); _f = p; }
            public void Dispose() { NativeMemory.Free(_f); _f = null; }
        }
        """ + Helpers);

    [Fact]
    public Task A_property_and_an_array_element_assigned_from_a_conditional_are_clean() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        unsafe class Slots
        {
            public byte* Head { get; private set; }
            readonly nint[] _slots = new nint[4];

            public void Fill(bool c, nuint n, int i)
            {
                Head = c ? (byte*)NativeMemory.Alloc(n) : Native.Other(n);
                _slots[i] = c ? (nint)NativeMemory.Alloc(n) : (nint)Native.Other(n);
            }
        }
        """ + Helpers);

    [Fact]
    public Task A_conditional_returned_passed_to_an_adopter_or_stored_through_a_pointer_is_clean() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        unsafe class Factory
        {
            byte* Make(bool c, nuint n) => c ? (byte*)NativeMemory.Alloc(n) : Native.Other(n);

            void Give(bool c, nuint n) => Native.Adopt(c ? (byte*)NativeMemory.Alloc(n) : Native.Other(n));

            void Publish(bool c, nuint n, byte** slot) { *slot = c ? (byte*)NativeMemory.Alloc(n) : Native.Other(n); }
        }
        """ + Helpers);

    [Fact]
    public Task A_switch_expression_with_an_acquiring_arm_stored_returned_or_adopted_is_clean() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        unsafe class Arena
        {
            byte* _f;

            public Arena(int kind, nuint n) { _f = kind switch { 0 => (byte*)NativeMemory.Alloc(n), 1 => Native.Other(n), _ => null }; }

            byte* Make(int kind, nuint n) => kind switch { 0 => (byte*)NativeMemory.AllocZeroed(n), _ => Native.Other(n) };

            void Give(int kind, nuint n) => Native.Adopt(kind switch { 0 => (byte*)NativeMemory.Alloc(n), _ => null });

            public void Dispose() { NativeMemory.Free(_f); _f = null; }
        }
        """ + Helpers);

    [Fact]
    public Task A_coalesced_or_conditionally_accessed_rental_stored_in_a_field_is_clean() => Verify.BuiltIn(
        """
        using System.Buffers;

        class Reader
        {
            byte[]? _buffer;
            byte[]? _spare;

            public void Open(byte[]? given, ArrayPool<byte>? pool, int n)
            {
                _buffer = given ?? ArrayPool<byte>.Shared.Rent(n);
                _spare = pool?.Rent(n);
            }
        }
        """ + Helpers);

    [Fact]
    public Task A_conditional_acquire_in_a_local_never_freed_is_still_reported() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        unsafe class C
        {
            int M(bool c, nuint n)
            {
                var p = c ? (byte*){|#0:NativeMemory.Alloc(n)|} : {|#2:Native.Other(n)|};
                {|#1:return p[0];|}
            }
        }
        """ + Helpers,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'p' from Alloc at line 7 is lost: it goes out of scope at line 8 without being freed, returned, stored or passed on"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(2).WithLocation(1).WithSpan(13, 50, 13, 102)
            .WithMessage("The block in 'p' from Other at line 7 (Alloc at line 13) is lost: it goes out of scope at line 8 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_conditional_acquire_freed_twice_is_still_reported() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        unsafe class C
        {
            void M(bool c, nuint n)
            {
                var p = c ? (byte*)NativeMemory.Alloc(n) : Native.Other(n);
                NativeMemory.Free({|#1:p|});
                NativeMemory.Free({|#0:p|});
            }
        }
        """ + Helpers,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is freed again here; it was already freed at line 8"));
}
