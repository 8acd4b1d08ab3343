namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// Shapes of in-model bugs found by reading real interop code by hand (issue 20, docs/real-world.md
/// M1, M3, M4 of the first held-out set, H1 and H3-H5 of the second; H2 is in VMAP008Tests),
/// rewritten from scratch: what the engine reports for each, and where it stays silent by decision.
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
    // ---- H1: a constructor that throws after storing a block in a field --------------------

    /// <summary>
    /// H1: the constructor copies the caller's bytes into a block it keeps in a field, opens it
    /// natively, and throws when the open fails. No object is handed out, so the Dispose that frees
    /// the field never runs: the block is lost at the throw.
    /// </summary>
    [Fact]
    public Task A_constructor_that_throws_loses_the_block_it_stored_in_a_field() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        sealed class MemoryDocument : IDisposable
        {
            [DllImport("docs")] private static extern IntPtr OpenFromMemory(IntPtr data, int length);
            [DllImport("docs")] private static extern void CloseDocument(IntPtr document);

            private readonly IntPtr _data;
            private readonly IntPtr _document;

            public MemoryDocument(byte[] content)
            {
                _data = {|#0:Marshal.AllocHGlobal(content.Length)|};
                Marshal.Copy(content, 0, _data, content.Length);
                _document = OpenFromMemory(_data, content.Length);
                if (_document == IntPtr.Zero)
                {
                    {|#1:throw new InvalidOperationException("The document could not be opened.");|}
                }
            }

            public void Dispose()
            {
                CloseDocument(_document);
                Marshal.FreeHGlobal(_data);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in '_data' from AllocHGlobal at line 14 is lost: the constructor throws at line 19, so the object that holds it is never handed out and the block is never freed"));

    /// <summary>H1 with a pinned handle in an auto-property, the pin of the caller's array.</summary>
    [Fact]
    public Task A_constructor_that_throws_loses_the_pin_it_stored_in_an_auto_property() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        sealed class PinnedDocument : IDisposable
        {
            [DllImport("docs")] private static extern IntPtr OpenFromMemory(IntPtr data, int length);

            private GCHandle Pin { get; set; }

            public PinnedDocument(byte[] content)
            {
                Pin = {|#0:GCHandle.Alloc(content, GCHandleType.Pinned)|};
                if (OpenFromMemory(Pin.AddrOfPinnedObject(), content.Length) == IntPtr.Zero)
                {
                    {|#1:throw new InvalidOperationException("The document could not be opened.");|}
                }
            }

            public void Dispose() => Pin.Free();
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The handle in 'Pin' from Alloc at line 12 is lost: the constructor throws at line 15, so the object that holds it is never handed out and the handle is never freed"));

    /// <summary>
    /// H1's correct variants and the cases where the object may outlive the throw: nothing is
    /// claimed. Freed before the throw; a finalizer that sees the half-built object; <c>this</c>
    /// handed to a registry, to an instance method or to a lambda before the throw; a base class
    /// whose constructor ran first and may have kept <c>this</c>; another constructor chained to.
    /// </summary>
    [Theory]
    [InlineData("", "Marshal.FreeHGlobal(_data);", "")]
    [InlineData("~MemoryDocument() => Marshal.FreeHGlobal(_data);", "", "")]
    [InlineData("", "", "Registry.Live.Add(this);")]
    [InlineData("private void Track() { }", "", "Track();")]
    [InlineData("", "", "Registry.Callbacks.Add(() => Marshal.FreeHGlobal(_data));")]
    public Task A_constructor_that_frees_before_throwing_or_lets_the_object_out_is_silent(string member, string beforeThrow, string afterStore) => Verify.BuiltIn(
        $$"""
        using System;
        using System.Collections.Generic;
        using System.Runtime.InteropServices;

        static class Registry
        {
            public static readonly List<object> Live = new();
            public static readonly List<Action> Callbacks = new();
        }

        sealed class MemoryDocument : IDisposable
        {
            [DllImport("docs")] private static extern IntPtr OpenFromMemory(IntPtr data, int length);

            private readonly IntPtr _data;

            {{member}}

            public MemoryDocument(byte[] content)
            {
                _data = Marshal.AllocHGlobal(content.Length);
                {{afterStore}}
                if (OpenFromMemory(_data, content.Length) == IntPtr.Zero)
                {
                    {{beforeThrow}}
                    throw new InvalidOperationException("The document could not be opened.");
                }
            }

            public void Dispose() => Marshal.FreeHGlobal(_data);
        }
        """);

    [Theory]
    [InlineData("class Base { }", "MemoryDocument : Base", "")]
    [InlineData("", "MemoryDocument", "public MemoryDocument() { } ")]
    public Task A_constructor_after_a_base_or_chained_constructor_is_silent(string declarations, string header, string other) => Verify.BuiltIn(
        $$"""
        using System;
        using System.Runtime.InteropServices;

        {{declarations}}

        sealed class {{header}}
        {
            [DllImport("docs")] private static extern IntPtr OpenFromMemory(IntPtr data, int length);

            private IntPtr _data;

            {{other}}public MemoryDocument(byte[] content){{(other.Length > 0 ? " : this()" : string.Empty)}}
            {
                _data = Marshal.AllocHGlobal(content.Length);
                if (OpenFromMemory(_data, content.Length) == IntPtr.Zero)
                {
                    throw new InvalidOperationException("The document could not be opened.");
                }
            }

            public void Free() => Marshal.FreeHGlobal(_data);
        }
        """);

    /// <summary>
    /// The compiler's own throw (SwitchExpressionException, on the arm no pattern matches) is not a
    /// throw the code writes: a constructor with a switch expression after the store is silent.
    /// </summary>
    [Fact]
    public Task A_constructor_with_a_switch_expression_after_the_store_is_silent() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        sealed class Frames : IDisposable
        {
            private readonly IntPtr _data;

            public Frames(int mode, int size)
            {
                _data = Marshal.AllocHGlobal(size);
                Stride = mode switch
                {
                    0 => 4,
                    1 => 8,
                };
            }

            public int Stride { get; }

            public void Dispose() => Marshal.FreeHGlobal(_data);
        }
        """);

    /// <summary>A catch in the constructor that frees the field and rethrows covers the throw.</summary>
    [Fact]
    public Task A_constructor_whose_catch_frees_the_field_is_silent() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        sealed class MemoryDocument : IDisposable
        {
            [DllImport("docs")] private static extern IntPtr OpenFromMemory(IntPtr data, int length);

            private readonly IntPtr _data;

            public MemoryDocument(byte[] content)
            {
                _data = Marshal.AllocHGlobal(content.Length);
                try
                {
                    if (OpenFromMemory(_data, content.Length) == IntPtr.Zero)
                    {
                        throw new InvalidOperationException("The document could not be opened.");
                    }
                }
                catch
                {
                    Marshal.FreeHGlobal(_data);
                    throw;
                }
            }

            public void Dispose() => Marshal.FreeHGlobal(_data);
        }
        """);

    // ---- H3: blocks written into a struct that is copied into an outer block ------------------

    /// <summary>
    /// H3 (decision: silent). Two string blocks are written into a struct, StructureToPtr copies it
    /// into an outer block, and only the outer block is freed. A value written into native memory
    /// is stored there (issue 20 §3): the native call that reads the outer block may keep the
    /// pointers it finds in it (a library that adopts its configuration's strings is common), and
    /// the engine does not follow what an outer block holds once it is released, so no claim.
    /// </summary>
    [Fact]
    public Task Strings_copied_into_a_freed_outer_block_are_not_claimed() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        [StructLayout(LayoutKind.Sequential)]
        struct StreamNames
        {
            public IntPtr Playback;
            public IntPtr Capture;
        }

        static class DeviceConfig
        {
            [DllImport("audio")] private static extern int InitDevice(IntPtr config);

            public static int Create(string playback, string capture)
            {
                IntPtr config = Marshal.AllocHGlobal(Marshal.SizeOf<StreamNames>());
                var names = new StreamNames { Playback = Marshal.StringToHGlobalAnsi(playback), Capture = Marshal.StringToHGlobalAnsi(capture) };
                Marshal.StructureToPtr(names, config, false);
                int result = InitDevice(config);
                Marshal.FreeHGlobal(config);
                return result;
            }
        }
        """);

    // ---- H4: a handle added to a concurrent dictionary whose TryAdd result is ignored -----------

    /// <summary>
    /// H4 (decision: silent). When TryAdd returns false the handle stays with the caller and is
    /// lost; but whether the key can already be present is outside what the engine knows (a fresh
    /// key, or a lookup under a lock, makes the false result impossible, and ignoring the result is
    /// then the usual idiom). A collection that takes the handle stores it: no claim.
    /// </summary>
    [Fact]
    public Task A_handle_given_to_TryAdd_with_the_result_ignored_is_not_claimed() => Verify.BuiltIn(
        """
        using System;
        using System.Collections.Concurrent;
        using System.Runtime.InteropServices;

        static class EngineRegistry
        {
            private static readonly ConcurrentDictionary<IntPtr, GCHandle> Handles = new();

            public static void Register(IntPtr device, object engine)
            {
                GCHandle handle = GCHandle.Alloc(engine);
                Handles.TryAdd(device, handle);
            }
        }
        """);

    // ---- H5: a block allocated in a try whose catch logs and goes on ----------------------------

    /// <summary>The dispatcher of H5: a scratch block, user callbacks, the free after them, a catch that logs.</summary>
    private static string Dispatcher(string call) => $$"""
        using System;
        using System.Runtime.InteropServices;

        sealed class Dispatcher
        {
            [DllImport("steam")] private static extern bool NextResult(IntPtr scratch, int size);

            private Action<IntPtr>[] _withBlock = Array.Empty<Action<IntPtr>>();
            private Action[] _callbacks = Array.Empty<Action>();

            public void RunCallbacks()
            {
                try
                {
                    IntPtr scratch = Marshal.AllocHGlobal(256);
                    for (var i = 0; i < _callbacks.Length; i++)
                    {
                        {{call}}
                    }

                    Marshal.FreeHGlobal(scratch);
                }
                catch (Exception e)
                {
                    Console.WriteLine(e);
                }
            }
        }
        """;

    /// <summary>
    /// H5 by default (decision: silent). A delegate call or a P/Invoke, like any call the engine
    /// cannot see into, is not taken to throw unless <c>vmap_exception_paths = any_call</c>.
    /// </summary>
    [Theory]
    [InlineData("var callback = _callbacks[i]; callback();")]
    [InlineData("NextResult(scratch, 256);")]
    public async Task A_block_freed_after_calls_in_a_try_whose_catch_goes_on_is_silent_by_default(string call)
    {
        Assert.Empty(await Vmap.Analyzers.Tests.BuiltIn.ConfiguredPairTests.Analyze(Dispatcher(call)));
    }

    /// <summary>
    /// H5 under <c>any_call</c>: the callback, or the P/Invoke (its library may be missing), may
    /// throw; the catch takes the exception, and it cannot name <c>scratch</c>, a local of the
    /// try, so whatever it does the block is lost. A P/Invoke only lends its arguments, so the
    /// block it was given is still the caller's when it throws.
    /// </summary>
    [Theory]
    [InlineData("var callback = _callbacks[i]; callback();", "callback at line 18")]
    [InlineData("NextResult(scratch, 256);", "NextResult at line 18")]
    public async Task A_block_freed_after_calls_in_a_try_whose_catch_goes_on_is_lost_under_any_call(string call, string thrower)
    {
        var diagnostics = await Vmap.Analyzers.Tests.BuiltIn.ConfiguredPairTests.Analyze(Dispatcher(call), global: new() { ["vmap_exception_paths"] = "any_call" });

        Assert.Equal(
            $"VMAP002 (14,29) The block in 'scratch' from AllocHGlobal at line 15 is lost if {thrower} throws: it is not freed on that path",
            string.Join("|", diagnostics));
    }

    /// <summary>
    /// H5 with the block given to the callback (decision: silent in both modes). The callback is
    /// code the engine cannot see, which may keep the block it is given; the engine claims
    /// nothing after such a call on its normal path, and a throw out of it is no different.
    /// </summary>
    [Fact]
    public async Task A_block_given_to_a_callback_that_may_throw_is_not_claimed_even_under_any_call()
    {
        Assert.Empty(await Vmap.Analyzers.Tests.BuiltIn.ConfiguredPairTests.Analyze(
            Dispatcher("var callback = _withBlock[i]; callback(scratch);"),
            global: new() { ["vmap_exception_paths"] = "any_call" }));
    }

    /// <summary>
    /// H5 with a P/Invoke that may keep the block (it also receives a callback: native code may
    /// call back to free it). It is no borrower on its normal path, and no borrower when it
    /// throws either: what it did with the block before the exception is not known. Silent
    /// under <c>any_call</c>, where a P/Invoke that only lends is reported (above).
    /// </summary>
    [Fact]
    public async Task A_block_given_to_a_PInvoke_that_may_keep_it_is_not_claimed_if_it_throws_under_any_call()
    {
        var source = """
            using System;
            using System.Runtime.InteropServices;

            sealed class Uploader
            {
                [DllImport("net")] private static extern bool Submit(IntPtr scratch, int size, Action<IntPtr> done);

                public void Upload(int count)
                {
                    try
                    {
                        IntPtr scratch = Marshal.AllocHGlobal(256);
                        Submit(scratch, 256, block => Marshal.FreeHGlobal(block));
                    }
                    catch (Exception e)
                    {
                        Console.WriteLine(e);
                    }
                }
            }
            """;
        Assert.Empty(await Vmap.Analyzers.Tests.BuiltIn.ConfiguredPairTests.Analyze(source, global: new() { ["vmap_exception_paths"] = "any_call" }));
    }

    /// <summary>An explicit throw taken by a catch of the same method loses a block held only by a local of the try.</summary>
    [Fact]
    public Task A_throw_taken_by_a_catch_loses_a_block_held_by_a_local_of_the_try() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static class Init
        {
            [DllImport("steam")] private static extern bool Start(IntPtr message);

            public static bool TryStart()
            {
                try
                {
                    IntPtr message = {|#0:Marshal.AllocHGlobal(1024)|};
                    if (!Start(message))
                    {
                        {|#1:throw new InvalidOperationException(Marshal.PtrToStringAnsi(message));|}
                    }

                    Marshal.FreeHGlobal(message);
                    return true;
                }
                catch (InvalidOperationException e)
                {
                    Console.WriteLine(e.Message);
                    return false;
                }
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'message' from AllocHGlobal at line 12 is lost: it goes out of scope at line 15 without being freed, returned, stored or passed on"));

    /// <summary>
    /// H5's correct variants stay silent under <c>any_call</c>: the free in a finally, and a block
    /// held by a local declared before the try that the catch frees.
    /// </summary>
    [Theory]
    [InlineData("""
        IntPtr scratch = Marshal.AllocHGlobal(256);
        try
        {
            NextResult(scratch, 256);
        }
        catch (Exception e)
        {
            Console.WriteLine(e);
        }
        finally
        {
            Marshal.FreeHGlobal(scratch);
        }
        """)]
    [InlineData("""
        IntPtr scratch = IntPtr.Zero;
        try
        {
            scratch = Marshal.AllocHGlobal(256);
            NextResult(scratch, 256);
            Marshal.FreeHGlobal(scratch);
        }
        catch (Exception e)
        {
            Marshal.FreeHGlobal(scratch);
            Console.WriteLine(e);
        }
        """)]
    public async Task A_block_freed_on_the_exception_path_is_silent_under_any_call(string body)
    {
        var source = $$"""
            using System;
            using System.Runtime.InteropServices;

            sealed class Dispatcher
            {
                [DllImport("steam")] private static extern bool NextResult(IntPtr scratch, int size);

                public void RunCallbacks()
                {
                    {{body.Replace("\n", "\n                ", StringComparison.Ordinal)}}
                }
            }
            """;

        Assert.Empty(await Vmap.Analyzers.Tests.BuiltIn.ConfiguredPairTests.Analyze(source, global: new() { ["vmap_exception_paths"] = "any_call" }));
    }
}
