namespace Vmap.Analyzers.Tests.BuiltIn;

/// <summary>
/// <c>SafeBuffer.AcquirePointer</c>/<c>ReleasePointer</c> (issue 23): the reference is held by the
/// receiver, the view's handle; the pointer may be moved freely and the handle stays usable after the release.
/// </summary>
public class SafeBufferPointerTests
{
    [Fact]
    public Task Released_in_finally_with_an_advanced_pointer_is_silent() => Verify.BuiltIn(
        """
        using System.IO.MemoryMappedFiles;

        unsafe class Index
        {
            long Sum(MemoryMappedViewAccessor accessor, int count)
            {
                byte* p = null;
                accessor.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
                try
                {
                    p += accessor.PointerOffset;
                    long sum = 0;
                    for (var i = 0; i < count; i++) sum += p[i];
                    return sum;
                }
                finally
                {
                    accessor.SafeMemoryMappedViewHandle.ReleasePointer();
                    accessor.SafeMemoryMappedViewHandle.Dispose();
                }
            }
        }
        """);

    [Fact]
    public Task ReleasePointer_twice_is_VMAP003() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        unsafe class Index
        {
            byte First(SafeBuffer buffer)
            {
                byte* p = null;
                buffer.AcquirePointer(ref p);
                var b = *p;
                {|#1:buffer|}.ReleasePointer();
                if (b == 0)
                {
                    {|#0:buffer|}.ReleasePointer();
                }

                return b;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'buffer' is released again here; it was already released at line 10"));

    [Fact]
    public Task A_second_AcquirePointer_before_the_release_loses_the_first_reference() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        unsafe class Index
        {
            void Twice(SafeBuffer buffer)
            {
                byte* p = null;
                {|#1:buffer.AcquirePointer(ref p)|};
                {|#0:buffer.AcquirePointer(ref p)|};
                buffer.ReleasePointer();
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The pointer in 'buffer' from AcquirePointer at line 8 is lost: 'buffer' is overwritten at line 9 without being released"));

    [Fact]
    public Task Kept_in_a_field_for_Dispose_is_silent() => Verify.BuiltIn(
        """
        using System;
        using System.IO.MemoryMappedFiles;

        unsafe sealed class Reader : IDisposable
        {
            private readonly MemoryMappedViewAccessor _accessor;
            private byte* _base;

            public Reader(MemoryMappedViewAccessor accessor)
            {
                _accessor = accessor;
                _accessor.SafeMemoryMappedViewHandle.AcquirePointer(ref _base);
            }

            public byte this[long i] => _base[i];

            public void Dispose()
            {
                _accessor.SafeMemoryMappedViewHandle.ReleasePointer();
                _accessor.Dispose();
            }
        }
        """);

    [Fact]
    public Task A_receiver_that_names_no_storage_is_not_followed() => Verify.BuiltIn(
        """
        using System.IO.MemoryMappedFiles;

        unsafe class Index
        {
            static MemoryMappedViewAccessor Open() => null!;

            byte First()
            {
                byte* p = null;
                Open().SafeMemoryMappedViewHandle.AcquirePointer(ref p);
                return *p;
            }
        }
        """);
}
