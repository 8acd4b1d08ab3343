namespace Vmap.Analyzers.Tests.BuiltIn;

/// <summary>GCHandle.Alloc / handle.Free(): the receiver of Free is the released handle.</summary>
public class GCHandlePairTests
{
    [Fact]
    public Task A_handle_never_freed_is_lost() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            nint M(byte[] data)
            {
                var handle = {|#0:GCHandle.Alloc(data, GCHandleType.Pinned)|};
                {|#1:return handle.AddrOfPinnedObject();|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The handle in 'handle' from Alloc at line 7 is lost: it goes out of scope at line 8 without being freed, returned, stored or passed on"));

    [Fact]
    public Task Freeing_a_handle_twice_is_reported() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            void M(object o)
            {
                var handle = GCHandle.Alloc(o);
                {|#1:handle|}.Free();
                {|#0:handle|}.Free();
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'handle' is freed again here; it was already freed at line 8"));

    [Fact]
    public Task Pinned_address_read_after_Free_is_reported() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            nint M(byte[] data)
            {
                var handle = GCHandle.Alloc(data, GCHandleType.Pinned);
                {|#1:handle|}.Free();
                return {|#0:handle|}.AddrOfPinnedObject();
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'handle' is used by 'AddrOfPinnedObject' after it was freed at line 8"));

    [Fact]
    public Task Pinned_handles_and_hand_offs_are_clean() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        class C
        {
            private GCHandle _self;

            void Pin(byte[] data)
            {
                var handle = GCHandle.Alloc(data, GCHandleType.Pinned);
                try
                {
                    Marshal.WriteByte(handle.AddrOfPinnedObject(), 0, 1);
                }
                finally
                {
                    if (handle.IsAllocated)
                    {
                        handle.Free();
                    }
                }
            }

            IntPtr Context() => GCHandle.ToIntPtr(GCHandle.Alloc(this));

            IntPtr Context2()
            {
                var handle = GCHandle.Alloc(this, GCHandleType.Weak);
                return GCHandle.ToIntPtr(handle);
            }

            void Keep() => _self = GCHandle.Alloc(this);

            static void Release(IntPtr context) => GCHandle.FromIntPtr(context).Free();
        }
        """);
}
