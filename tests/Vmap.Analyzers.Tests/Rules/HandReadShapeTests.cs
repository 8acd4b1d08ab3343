namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// Shapes of in-model bugs found by reading real interop code by hand (issue 20, docs/real-world.md
/// M1, M3, M4), rewritten from scratch: what the engine reports for each, and where it stays silent
/// by decision.
/// </summary>
public class HandReadShapeTests
{
    /// <summary>
    /// M3: the block is looked up in a tracking table before it is tracked, and a hit throws. A
    /// lookup (ContainsKey, Contains, TryGetValue, IndexOf) of a .NET collection compares the key and
    /// keeps nothing, so the block is still the caller's at the throw.
    /// </summary>
    [Fact]
    public Task A_block_found_in_the_tracking_table_is_lost_at_the_throw() => Verify.BuiltIn(
        """
        using System;
        using System.Collections.Generic;
        using System.Runtime.InteropServices;

        class TrackingAllocator
        {
            private readonly Dictionary<IntPtr, int> _live = new();

            public IntPtr Allocate(int size)
            {
                IntPtr block = {|#0:Marshal.AllocHGlobal(size)|};
                if (_live.ContainsKey(block))
                {
                    {|#1:throw new InvalidOperationException("The allocator returned an address it already tracks.");|}
                }

                try
                {
                    _live.Add(block, size);
                }
                catch
                {
                    Marshal.FreeHGlobal(block);
                    throw;
                }

                return block;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'block' from AllocHGlobal at line 11 is lost: it goes out of scope at line 14 without being freed, returned, stored or passed on"));

    [Theory]
    [InlineData("_seen.Contains(block)")]
    [InlineData("_live.TryGetValue(block, out _)")]
    [InlineData("_order.IndexOf(block) >= 0")]
    public Task Other_lookups_keep_nothing_either(string lookup) => Verify.BuiltIn(
        $$"""
        using System;
        using System.Collections.Generic;
        using System.Runtime.InteropServices;

        class TrackingAllocator
        {
            private readonly Dictionary<IntPtr, int> _live = new();
            private readonly HashSet<IntPtr> _seen = new();
            private readonly List<IntPtr> _order = new();

            public IntPtr Allocate(int size)
            {
                IntPtr block = {|#0:Marshal.AllocHGlobal(size)|};
                if ({{lookup}})
                {
                    {|#1:throw new InvalidOperationException("tracked twice");|}
                }

                _live.Add(block, size);
                return block;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'block' from AllocHGlobal at line 13 is lost: it goes out of scope at line 16 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_block_added_to_a_table_is_stored_not_looked_up() => Verify.BuiltIn(
        """
        using System;
        using System.Collections.Generic;
        using System.Runtime.InteropServices;

        class TrackingAllocator
        {
            private readonly Dictionary<IntPtr, int> _live = new();

            public void Allocate(int size, bool strict)
            {
                IntPtr block = Marshal.AllocHGlobal(size);
                _live.Add(block, size);
                if (strict)
                {
                    throw new InvalidOperationException("strict");
                }
            }
        }
        """);

    /// <summary>
    /// M4 (decision: silent). Each pin is stored into an element of an array, and a later row
    /// throws. The engine does not follow a block into an array element: the array may be a
    /// member, returned, or released in a loop elsewhere, so a store into it is a hand-off and
    /// nothing is claimed, even though here the pins already taken leak.
    /// </summary>
    [Fact]
    public Task Pins_stored_into_array_elements_before_a_throw_are_not_claimed() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        struct RowPins
        {
            private readonly GCHandle[] _handles;

            public RowPins(byte[]?[] rows)
            {
                _handles = new GCHandle[rows.Length];
                for (int i = 0; i < rows.Length; i++)
                {
                    if (rows[i] is not { } row)
                    {
                        throw new ArgumentException("A row is null.", nameof(rows));
                    }

                    _handles[i] = GCHandle.Alloc(row, GCHandleType.Pinned);
                }
            }

            public void Free()
            {
                foreach (var handle in _handles)
                {
                    handle.Free();
                }
            }
        }
        """);

    /// <summary>
    /// M1 (decision: silent). A block passed to a method of an interface whose implementation the
    /// compilation cannot see (a P/Invoke proxy generated at run time) may be kept by that
    /// implementation; nothing is claimed after it. The same call through a [DllImport] borrows,
    /// and the lost block is reported.
    /// </summary>
    [Fact]
    public Task A_block_passed_to_an_interface_method_is_not_claimed_but_through_a_DllImport_it_is() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        public interface INativeRenderer
        {
            IntPtr CreateRenderer(string outputBase, IntPtr fontDirectory);
        }

        static class Direct
        {
            [DllImport("render")] public static extern IntPtr CreateRenderer(string outputBase, IntPtr fontDirectory);
        }

        class Renderer
        {
            private readonly IntPtr _handle;

            public Renderer(INativeRenderer api, string outputBase, string fontDirectory)
            {
                IntPtr fonts = Marshal.StringToHGlobalAnsi(fontDirectory);
                _handle = api.CreateRenderer(outputBase, fonts);
            }

            public Renderer(string outputBase, string fontDirectory)
            {
                IntPtr fonts = {|#0:Marshal.StringToHGlobalAnsi(fontDirectory)|};
                _handle = Direct.CreateRenderer(outputBase, fonts);
            {|#1:}|}
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'fonts' from StringToHGlobalAnsi at line 26 is lost: it goes out of scope at line 28 without being freed, returned, stored or passed on"));
}
