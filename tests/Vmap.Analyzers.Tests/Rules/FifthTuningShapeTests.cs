namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// Shapes of this session's tuning set (tune5), in our own words: the address of an element or a
/// member of a block is the block (or an interior pointer of it), a block used through <c>-&gt;</c>
/// is still tracked, and a discarded root of a callback the method hands out is kept on purpose.
/// </summary>
public class FifthTuningShapeTests
{
    /// <summary>
    /// Silent: the element's or member's address is stored in the returned table, returned, kept in
    /// a static, or freed (element 0 is the block's start). Reported: the address only used here.
    /// </summary>
    [Fact]
    public Task An_element_or_member_address_of_a_block_hands_the_block_on() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        public struct Slot { public long Tag; public long Data; }

        public static unsafe class Slots
        {
            private static long* s_data;

            public static Slot*[] Table(int count)
            {
                var block = (Slot*)Marshal.AllocHGlobal(sizeof(Slot) * count);
                var table = new Slot*[count];
                for (int i = 0; i < count; i++)
                {
                    table[i] = &block[i];
                }

                return table;
            }

            public static Slot* First()
            {
                var block = (Slot*)Marshal.AllocHGlobal(sizeof(Slot));
                return &block[0];
            }

            public static void KeepData()
            {
                var block = (Slot*)Marshal.AllocHGlobal(sizeof(Slot));
                s_data = &block->Data;
            }

            public static void FreeThroughFirst()
            {
                var block = (Slot*)Marshal.AllocHGlobal(sizeof(Slot));
                block->Tag = 1;
                Marshal.FreeHGlobal((IntPtr)(&block[0]));
            }

            public static long Peek()
            {
                var block = (Slot*){|#0:Marshal.AllocHGlobal(sizeof(Slot))|};
                Slot* first = &block[0];
                first->Tag = 7;
                {|#1:return first->Tag;|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'block' from AllocHGlobal at line 43 is lost: it goes out of scope at line 46 without being freed, returned, stored or passed on"));

    /// <summary>
    /// A block written and read only through <c>p-&gt;Member</c> is used, not handed on: dropped, it
    /// is lost; used after its release, VMAP004.
    /// </summary>
    [Fact]
    public Task A_block_used_through_member_access_stays_tracked() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        public struct Slot { public long Tag; public long Data; }

        public static unsafe class Slots
        {
            public static long Dropped()
            {
                var block = (Slot*){|#0:Marshal.AllocHGlobal(sizeof(Slot))|};
                block->Tag = 1;
                {|#1:return block->Tag;|}
            }

            public static long Freed()
            {
                var block = (Slot*)Marshal.AllocHGlobal(sizeof(Slot));
                block->Tag = 1;
                long tag = block->Tag;
                Marshal.FreeHGlobal((IntPtr)block);
                return tag;
            }

            public static long ReadAfterFree()
            {
                var block = (Slot*)Marshal.AllocHGlobal(sizeof(Slot));
                Marshal.FreeHGlobal({|#3:(IntPtr)block|});
                return {|#2:block|}->Tag;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'block' from AllocHGlobal at line 10 is lost: it goes out of scope at line 12 without being freed, returned, stored or passed on"),
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(2).WithLocation(3)
            .WithMessage("'block' is dereferenced after it was freed at line 27"));

    /// <summary>
    /// A discarded Normal root of the delegate the method returns, or of the dynamic method the
    /// returned delegate is made from, keeps a callback alive for native code on purpose: silent.
    /// A discarded root of a plain object returned is still lost.
    /// </summary>
    [Fact]
    public Task A_discarded_root_of_a_returned_callback_is_kept_on_purpose() => Verify.BuiltIn(
        """
        using System;
        using System.Reflection.Emit;
        using System.Runtime.InteropServices;

        public delegate IntPtr Thunk(IntPtr context);

        public static class Thunks
        {
            public static Thunk Identity()
            {
                Thunk thunk = context => context;
                GCHandle.Alloc(thunk);
                return thunk;
            }

            public static Delegate Emitted()
            {
                var method = new DynamicMethod("Thunk", typeof(IntPtr), new[] { typeof(IntPtr) });
                var il = method.GetILGenerator();
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ret);
                GCHandle.Alloc(method);
                var made = method.CreateDelegate(typeof(Thunk));
                GCHandle.Alloc(made);
                return made;
            }

            public static object Plain()
            {
                var state = new object();
                {|#0:GCHandle.Alloc(state)|};
                {|#1:return state;|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The handle in 'GCHandle.Alloc(state)' from Alloc at line 31 is lost: it goes out of scope at line 32 without being freed, returned, stored or passed on"));

    /// <summary>
    /// A member declared in a base class: one subclass allocates and frees it, a sibling subclass
    /// re-points it at memory of its own. No object is both, so the sibling's re-pointing loses
    /// nothing and frees nothing twice: silent. A subclass of the class that allocates and frees it
    /// shares every object with it: its re-pointing is the XFS leak, reported.
    /// </summary>
    [Fact]
    public Task A_base_member_re_pointed_in_a_sibling_subclass_is_not_the_other_subclass_s_block() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        public abstract class Store
        {
            protected IntPtr data;
        }

        public sealed class HeapStore : Store, IDisposable
        {
            public void Grow(int size)
            {
                if (data != IntPtr.Zero) Marshal.FreeHGlobal(data);
                data = Marshal.AllocHGlobal(size);
            }

            public void Dispose()
            {
                Marshal.FreeHGlobal(data);
                data = IntPtr.Zero;
            }
        }

        public sealed class MappedStore : Store
        {
            [DllImport("mapper")] private static extern IntPtr map_at(int size);

            public void Grow(int size) => data = map_at(size);
        }

        public class OwnedStore : Store, IDisposable
        {
            public OwnedStore(int size) => data = {|#1:Marshal.AllocHGlobal(size)|};

            public void Dispose()
            {
                Marshal.FreeHGlobal({|#2:data|});
                data = IntPtr.Zero;
            }
        }

        public sealed class RemappedStore : OwnedStore
        {
            [DllImport("mapper")] private static extern IntPtr map_at(int size);

            public RemappedStore() : base(16) { }

            public void Remap(int size) => {|#0:data = map_at(size)|};
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(2)
            .WithMessage("'data' is freed holding memory that was never allocated: it is re-pointed at memory from elsewhere ('map_at(size)') at line 48 while it is freed by Dispose at line 37"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'data' from AllocHGlobal at line 33 is lost: it is re-pointed at line 48 without being freed first"));
}
