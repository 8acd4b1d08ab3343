namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// The same value tested twice is one value: a getter that returns a readonly field (or a get-only
/// auto-property) of an unchanged receiver correlates like the field itself, and a flag bit
/// cleared with <c>&amp;= ~Mapped</c> contradicts the guard of the unmap in another method.
/// </summary>
public class CorrelatedGuardTests
{
    private const string Header = """
        using System;
        using System.Runtime.InteropServices;

        sealed class Entry
        {
            private readonly byte[]? _value;
            public Entry(byte[]? value, byte[]? key) { _value = value; Key = key; }
            public byte[]? Key { get; }
            public byte[]? GetValueBytes() => _value;
            public byte[]? GetKeyBytes() { return Key; }
        }

        """;

    [Fact]
    public Task A_pin_taken_and_freed_under_the_same_readonly_getter_is_clean() => Verify.BuiltIn(
        Header + """
        class Writer
        {
            [DllImport("kv")] static extern int Put(IntPtr key, IntPtr value);

            public int Write(Entry entry)
            {
                GCHandle valuePin = default, keyPin = default;
                if (entry.GetValueBytes() != null)
                    valuePin = GCHandle.Alloc(entry.GetValueBytes(), GCHandleType.Pinned);
                if (entry.GetKeyBytes() != null)
                    keyPin = GCHandle.Alloc(entry.GetKeyBytes(), GCHandleType.Pinned);
                try
                {
                    return Put(
                        entry.GetKeyBytes() != null ? keyPin.AddrOfPinnedObject() : IntPtr.Zero,
                        entry.GetValueBytes() != null ? valuePin.AddrOfPinnedObject() : IntPtr.Zero);
                }
                finally
                {
                    if (entry.GetValueBytes() != null)
                        valuePin.Free();
                    if (entry.GetKeyBytes() != null)
                        keyPin.Free();
                }
            }
        }
        """);

    [Fact]
    public Task A_getter_of_a_receiver_assigned_in_between_is_another_value() => Verify.BuiltIn(
        Header + """
        class Writer
        {
            [DllImport("kv")] static extern int Put(IntPtr value);

            public int Write(Entry entry, Entry next)
            {
                GCHandle pin = default;
                if (entry.GetValueBytes() != null)
                    pin = {|#0:GCHandle.Alloc(entry.GetValueBytes(), GCHandleType.Pinned)|};
                int result = Put(pin.IsAllocated ? pin.AddrOfPinnedObject() : IntPtr.Zero);
                entry = next;
                if (entry.GetValueBytes() != null)
                    pin.Free();
                {|#1:return result;|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The handle in 'pin' from Alloc at line 20 is lost: it goes out of scope at line 25 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_flag_bit_cleared_after_the_unmap_under_the_same_guard_is_clean() =>
        Verify.Analyzer(Xfs(unmapped: "bp.Addr", cleared: "BufFlags.Mapped", repointing: "bp.Addr = linear"));

    [Fact]
    public Task A_flag_bit_left_set_after_the_unmap_is_still_the_XFS_bug() => Verify.Analyzer(
        Xfs(unmapped: "{|#1:bp.Addr|}", cleared: "BufFlags.Done", repointing: "{|#0:bp.Addr = linear|}"),
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'bp.Addr' is unmapped holding memory that was never mapped: it is re-pointed at 'linear' at line 34 while it is unmapped by SetPtr at line 30"));

    /// <summary>
    /// The XFS cache with a flags enum: SetPtr unmaps under the very guard Free unmaps under, clears
    /// the bit <paramref name="cleared"/>, then re-points Addr.
    /// </summary>
    private static string Xfs(string unmapped, string cleared, string repointing) => $$"""
        using System;
        using Vmap;

        [Flags]
        enum BufFlags { None = 0, Done = 1, Mapped = 4 }

        sealed class XfsBuf
        {
            public nint Addr;
            public BufFlags Flags;
            public int PageCount;
            public Page[] Pages = [];
        }

        sealed class Cache(VmapSpace space)
        {
            public void Map(XfsBuf bp)
            {
                if (bp.PageCount > 1)
                {
                    bp.Addr = space.MapRam(bp.Pages);
                    bp.Flags |= BufFlags.Mapped;
                }
            }

            public void SetPtr(XfsBuf bp, nint linear)
            {
                if ((bp.Flags & BufFlags.Mapped) != 0 && bp.PageCount > 1)
                {
                    space.UnmapRam({{unmapped}}, bp.PageCount);
                    bp.Flags &= ~{{cleared}};
                }

                {{repointing}};
            }

            public void Free(XfsBuf bp)
            {
                if ((bp.Flags & BufFlags.Mapped) != 0 && bp.PageCount > 1)
                    space.UnmapRam(bp.Addr, bp.PageCount);
            }
        }
        """;
}
