using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Vmap.Analyzers.Tests.BuildMode;
namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// VMAP008: a member released in Dispose without a clear or a disposed flag. Each test names the
/// release (primary location, #0) and the Dispose method (additional location, #1).
/// </summary>
public class VMAP008Tests
{
    public VMAP008Tests() => PairingAnalyzer.ThrowOnEngineFailure = true;

    /// <param name="verb">The release family's word (docs/configuration.md, words in messages).</param>
    private static DiagnosticResult Expected(string member, string release, string verb, string dispose = "Dispose", bool tested = false)
        => new DiagnosticResult(RuleIds.VMAP008, DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithLocation(1)
            .WithMessage($"'{member}' is {verb} by {release} in {dispose} but not cleared: it is {verb} again by a second {dispose}{(tested ? $" that passes the test of '{member}'" : string.Empty)}");

    // ---- the double-release shapes --------------------------------------------------------

    [Fact]
    public Task A_struct_owner_that_returns_its_rental_in_Dispose_is_silent()
        => BuiltIn("""
            using System;
            using System.Buffers;

            readonly ref struct PooledSpan
            {
                private readonly byte[] _array;

                public PooledSpan(int length) => _array = ArrayPool<byte>.Shared.Rent(length);

                public Span<byte> Span => _array;

                public void Dispose()
                {
                    ArrayPool<byte>.Shared.Return(_array);
                }
            }

            struct PinnedBuffer : IDisposable
            {
                private IntPtr _buffer;

                public PinnedBuffer(int size) => _buffer = System.Runtime.InteropServices.Marshal.AllocHGlobal(size);

                public void Dispose()
                {
                    System.Runtime.InteropServices.Marshal.FreeHGlobal(_buffer);
                }
            }
            """);

    [Fact]
    public Task FreeHGlobal_of_a_field_without_a_clear()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class NativeBuffer : IDisposable
            {
                private IntPtr _buffer = Marshal.AllocHGlobal(64);

                public void {|#1:Dispose|}()
                {
                    Marshal.FreeHGlobal({|#0:_buffer|});
                }
            }
            """, Expected("_buffer", "Marshal.FreeHGlobal", "freed"));

    [Fact]
    public Task FreeCoTaskMem_through_this_in_an_expression_bodied_Dispose()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class NativeString : IDisposable
            {
                private IntPtr _text = Marshal.StringToCoTaskMemUni("x");

                public void {|#1:Dispose|}() => Marshal.FreeCoTaskMem({|#0:this._text|});
            }
            """, Expected("_text", "Marshal.FreeCoTaskMem", "freed"));

    [Fact]
    public Task NativeMemory_Free_of_a_pointer_field()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed unsafe class Scratch : IDisposable
            {
                private byte* _data = (byte*)NativeMemory.Alloc(64);

                public void {|#1:Dispose|}()
                {
                    NativeMemory.Free({|#0:_data|});
                }
            }
            """, Expected("_data", "NativeMemory.Free", "freed"));

    [Fact]
    public Task GCHandle_Free_of_a_readonly_field_frees_a_copy()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class Pin : IDisposable
            {
                private readonly GCHandle _handle;

                public Pin(byte[] data) => _handle = GCHandle.Alloc(data, GCHandleType.Pinned);

                public void {|#1:Dispose|}()
                {
                    if (_handle.IsAllocated)
                    {
                        {|#0:_handle|}.Free();
                    }
                }
            }
            """, Expected("_handle", "GCHandle.Free", "freed", tested: true));

    [Fact]
    public Task GCHandle_null_conditional_Free_without_setting_null()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class Callback : IDisposable
            {
                private GCHandle? _self;

                public Callback() => _self = GCHandle.Alloc(this);

                public void {|#1:Dispose|}()
                {
                    {|#0:_self|}?.Free();
                }
            }
            """, Expected("_self", "GCHandle.Free", "freed", tested: true));

    [Fact]
    public Task ArrayPool_Return_of_a_field_without_a_clear()
        => BuiltIn("""
            using System;
            using System.Buffers;

            sealed class Rented : IDisposable
            {
                private byte[] _buffer = ArrayPool<byte>.Shared.Rent(256);

                public void {|#1:Dispose|}()
                {
                    ArrayPool<byte>.Shared.Return({|#0:_buffer|});
                }
            }
            """, Expected("_buffer", "ArrayPool.Return", "returned"));

    [Fact]
    public Task A_zero_test_without_the_clear_still_releases_twice()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class NativeBuffer : IDisposable
            {
                private IntPtr _buffer = Marshal.AllocHGlobal(64);

                public void {|#1:Dispose|}()
                {
                    if (_buffer != IntPtr.Zero)
                        Marshal.FreeHGlobal({|#0:_buffer|});
                }
            }
            """, Expected("_buffer", "Marshal.FreeHGlobal", "freed", tested: true));

    [Fact]
    public Task An_annotated_Vfree_of_a_field()
        => Annotated("""
            using System;
            using Vmap;

            sealed class Scratch : IDisposable
            {
                private readonly VmapSpace _space;
                private nint _area;

                public Scratch(VmapSpace space)
                {
                    _space = space;
                    _area = space.Vmalloc(4096);
                }

                public void {|#1:Dispose|}()
                {
                    _space.Vfree({|#0:_area|});
                }
            }
            """, Expected("_area", "VmapSpace.Vfree", "unmapped"));

    [Fact]
    public Task An_annotated_UnmapRam_of_an_auto_property()
        => Annotated("""
            using System;
            using Vmap;

            sealed class Window : IDisposable
            {
                private readonly VmapSpace _space;
                private readonly Page[] _pages;

                public Window(VmapSpace space, Page[] pages)
                {
                    _space = space;
                    _pages = pages;
                    Address = space.MapRam(pages);
                }

                public nint Address { get; private set; }

                public void {|#1:Dispose|}()
                {
                    _space.UnmapRam({|#0:Address|}, _pages.Length);
                }
            }
            """, Expected("Address", "VmapSpace.UnmapRam", "unmapped"));

    [Fact]
    public Task A_configured_pair()
    {
        var test = Test("""
            using System;

            namespace Native
            {
                public static class Shm
                {
                    public static nint Map(int length) => 4096;
                    public static void Unmap(nint address, int length) { }
                }
            }

            sealed class Segment : IDisposable
            {
                private nint _region = Native.Shm.Map(64);

                public void {|#1:Dispose|}()
                {
                    Native.Shm.Unmap({|#0:_region|}, 64);
                }
            }
            """, withFakeApi: false, Expected("_region", "Shm.Unmap", "released"));
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", """
            root = true

            [*.cs]
            vmap_pair.shm = acquire: Native.Shm.Map | release: Native.Shm.Unmap(address) | count: length
            """));
        return test.RunAsync();
    }

    [Fact]
    public Task Dispose_bool_with_the_release_inside_and_outside_if_disposing()
        => BuiltIn("""
            using System;
            using System.Buffers;
            using System.Runtime.InteropServices;

            class Owner : IDisposable
            {
                private IntPtr _native = Marshal.AllocHGlobal(64);
                private char[] _chars = ArrayPool<char>.Shared.Rent(64);

                ~Owner() => Dispose(false);

                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }

                protected virtual void {|#1:Dispose|}(bool disposing)
                {
                    if (disposing)
                    {
                        ArrayPool<char>.Shared.Return({|#0:_chars|});
                    }

                    Marshal.FreeHGlobal({|#2:_native|});
                }
            }
            """,
            Expected("_chars", "ArrayPool.Return", "returned"),
            new DiagnosticResult(RuleIds.VMAP008, DiagnosticSeverity.Warning).WithLocation(2).WithLocation(1)
                .WithMessage("'_native' is freed by Marshal.FreeHGlobal in Dispose but not cleared: it is freed again by a second Dispose"));

    [Fact]
    public Task DisposeAsync_and_an_explicit_implementation()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;
            using System.Threading.Tasks;

            sealed class Both : IDisposable, IAsyncDisposable
            {
                private IntPtr _a = Marshal.AllocHGlobal(8);
                private IntPtr _b = Marshal.AllocHGlobal(8);

                void IDisposable.{|#3:Dispose|}() => Marshal.FreeHGlobal({|#2:_b|});

                public async ValueTask {|#1:DisposeAsync|}()
                {
                    await Task.Yield();
                    Marshal.FreeHGlobal({|#0:_a|});
                }
            }
            """,
            Expected("_a", "Marshal.FreeHGlobal", "freed", "DisposeAsync"),
            new DiagnosticResult(RuleIds.VMAP008, DiagnosticSeverity.Warning).WithLocation(2).WithLocation(3)
                .WithMessage("'_b' is freed by Marshal.FreeHGlobal in Dispose but not cleared: it is freed again by a second Dispose"));

    [Fact]
    public Task A_clear_on_one_path_only_leaves_the_other()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class NativeBuffer : IDisposable
            {
                private IntPtr _buffer = Marshal.AllocHGlobal(64);
                private bool _keep;

                public void {|#1:Dispose|}()
                {
                    Marshal.FreeHGlobal({|#0:_buffer|});
                    if (_keep)
                    {
                        return;
                    }

                    _buffer = IntPtr.Zero;
                }
            }
            """, Expected("_buffer", "Marshal.FreeHGlobal", "freed"));

    [Fact]
    public Task A_disposed_flag_that_is_set_but_never_tested_guards_nothing()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class NativeBuffer : IDisposable
            {
                private IntPtr _buffer = Marshal.AllocHGlobal(64);
                private bool _disposed;

                public bool IsDisposed => _disposed;

                public void {|#1:Dispose|}()
                {
                    Marshal.FreeHGlobal({|#0:_buffer|});
                    _disposed = true;
                }
            }
            """, Expected("_buffer", "Marshal.FreeHGlobal", "freed"));

    /// <summary>
    /// Issue 20, H2: Dispose tests another member (the native session) before closing it, then
    /// frees a readonly block unconditionally and clears only the session. Both arms of the test
    /// reach the free, so it decides whether the session is closed, not whether the block is
    /// freed: a second Dispose frees the block again, as it would without the <c>if</c>.
    /// </summary>
    [Theory]
    [InlineData("if (Session != IntPtr.Zero) { CloseSession(Session); }")]
    [InlineData("if (Session != IntPtr.Zero) { CloseSession(Session); } else { Console.WriteLine(); }")]
    [InlineData("while (Session != IntPtr.Zero) { CloseSession(Session); Session = IntPtr.Zero; }")]
    [InlineData("CloseSession(Session);")]
    public Task A_test_of_another_member_whose_both_arms_reach_the_release_guards_nothing(string close)
        => BuiltIn($$"""
            using System;
            using System.Runtime.InteropServices;

            sealed class FormEnvironment : IDisposable
            {
                [DllImport("forms")] private static extern void CloseSession(IntPtr session);

                private readonly IntPtr _info = Marshal.AllocHGlobal(64);

                public IntPtr Session { get; private set; }

                public void {|#1:Dispose|}()
                {
                    {{close}}
                    Marshal.FreeHGlobal({|#0:_info|});
                    Session = IntPtr.Zero;
                }
            }
            """, Expected("_info", "Marshal.FreeHGlobal", "freed"));

    /// <summary>H2's correct variants: a test with an arm that skips the release guards it.</summary>
    [Theory]
    [InlineData("if (_info != IntPtr.Zero) { Marshal.FreeHGlobal(_info); _info = IntPtr.Zero; }")]
    [InlineData("if (Session == IntPtr.Zero) { return; } CloseSession(Session); Marshal.FreeHGlobal(_info); Session = IntPtr.Zero;")]
    [InlineData("if (Session != IntPtr.Zero) { CloseSession(Session); Marshal.FreeHGlobal(_info); } Session = IntPtr.Zero;")]
    [InlineData("if (Session != IntPtr.Zero) { CloseSession(Session); } if (_disposed) { return; } Marshal.FreeHGlobal(_info); _disposed = true; Session = IntPtr.Zero;")]
    public Task A_test_with_an_arm_that_skips_the_release_still_guards_it(string body)
        => BuiltIn($$"""
            using System;
            using System.Runtime.InteropServices;

            sealed class FormEnvironment : IDisposable
            {
                [DllImport("forms")] private static extern void CloseSession(IntPtr session);

                private IntPtr _info = Marshal.AllocHGlobal(64);
                private bool _disposed;

                public IntPtr Session { get; private set; }

                public void Dispose()
                {
                    {{body}}
                }
            }
            """);

    [Theory]
    [InlineData("Marshal.FreeHGlobal({|#0:_p|});", false)]
    [InlineData("if (_disposed) return; Marshal.FreeHGlobal({|#0:_p|});", false)]
    [InlineData("try { Marshal.FreeHGlobal({|#0:_p|}); } finally { Console.WriteLine(); }", false)]
    [InlineData("try { Console.WriteLine(); } finally { Marshal.FreeHGlobal({|#0:_p|}); }", false)]
    [InlineData("try { Console.WriteLine(); } catch (Exception) { Marshal.FreeHGlobal({|#0:_p|}); }", false)]
    [InlineData("Marshal.FreeHGlobal({|#0:_p|}); _other = IntPtr.Zero;", false)]
    [InlineData("Action clear = () => _p = IntPtr.Zero; Marshal.FreeHGlobal({|#0:_p|});", false)]
    [InlineData("if (_p != IntPtr.Zero) { Marshal.FreeHGlobal({|#0:_p|}); }", true)]
    [InlineData("if (_p == IntPtr.Zero) { return; } Marshal.FreeHGlobal({|#0:_p|}); _other = IntPtr.Zero;", false)]
    [InlineData("if (_other != IntPtr.Zero) Marshal.FreeHGlobal({|#0:_p|});", false)]
    public Task Unguarded_uncleared_forms_are_reported(string body, bool tested)
        => BuiltIn($$"""
            using System;
            using System.Runtime.InteropServices;

            sealed class NativeBuffer : IDisposable
            {
                private IntPtr _p = Marshal.AllocHGlobal(64);
                private IntPtr _other;
                private bool _disposed;

                public bool Disposed => _disposed;

                public void {|#1:Dispose|}()
                {
                    {{body}}
                }
            }
            """, Expected("_p", "Marshal.FreeHGlobal", "freed", tested: tested));

    // ---- the clean forms -------------------------------------------------------------------

    [Theory]
    [InlineData("Marshal.FreeHGlobal(_p); _p = IntPtr.Zero;")]
    [InlineData("Marshal.FreeHGlobal(_p); _p = default;")]
    [InlineData("Marshal.FreeHGlobal(this._p); this._p = IntPtr.Zero;")]
    [InlineData("if (_p != IntPtr.Zero) { Marshal.FreeHGlobal(_p); _p = IntPtr.Zero; }")]
    [InlineData("if (_p == IntPtr.Zero) return; Marshal.FreeHGlobal(_p); _p = IntPtr.Zero;")]
    [InlineData("if (_disposed) return; _disposed = true; Marshal.FreeHGlobal(_p);")]
    [InlineData("if (_disposed) return; Marshal.FreeHGlobal(_p); _disposed = true;")]
    [InlineData("if (!_disposed) { Marshal.FreeHGlobal(_p); _disposed = true; }")]
    [InlineData("if (IsDisposed) return; Marshal.FreeHGlobal(_p); _disposed = true;")]
    [InlineData("if (Interlocked.Exchange(ref _state, 1) != 0) return; Marshal.FreeHGlobal(_p);")]
    [InlineData("if (Interlocked.CompareExchange(ref _state, 1, 0) == 0) Marshal.FreeHGlobal(_p);")]
    [InlineData("Marshal.FreeHGlobal(Interlocked.Exchange(ref _p, IntPtr.Zero));")]
    [InlineData("var p = Interlocked.Exchange(ref _p, IntPtr.Zero); if (p != IntPtr.Zero) Marshal.FreeHGlobal(p);")]
    [InlineData("Marshal.FreeHGlobal(_p); Interlocked.Exchange(ref _p, IntPtr.Zero);")]
    [InlineData("try { Marshal.FreeHGlobal(_p); } finally { _p = IntPtr.Zero; }")]
    [InlineData("Marshal.FreeHGlobal(_p); Reset();")]
    [InlineData("Marshal.FreeHGlobal(_p); (_p, _state) = (IntPtr.Zero, 0);")]
    [InlineData("lock (_gate) { if (_p == IntPtr.Zero) return; Marshal.FreeHGlobal(_p); _p = IntPtr.Zero; }")]
    [InlineData("Marshal.FreeHGlobal(_p); throw new ObjectDisposedException(\"x\");")]
    [InlineData("Action free = () => Marshal.FreeHGlobal(_p); free();")]
    public Task Clean_hglobal_forms_are_silent(string body)
        => BuiltIn($$"""
            using System;
            using System.Runtime.InteropServices;
            using System.Threading;

            sealed class NativeBuffer : IDisposable
            {
                private readonly object _gate = new();
                private IntPtr _p = Marshal.AllocHGlobal(64);
                private bool _disposed;
                private int _state;

                public bool IsDisposed => _disposed;

                private void Reset() => _p = IntPtr.Zero;

                public void Dispose()
                {
                    {{body}}
                }
            }
            """);

    [Theory]
    [InlineData("private GCHandle _h = GCHandle.Alloc(new object());", "if (_h.IsAllocated) _h.Free();")]
    [InlineData("private GCHandle _h = GCHandle.Alloc(new object());", "_h.Free();")]
    [InlineData("private GCHandle? _h = GCHandle.Alloc(new object());", "_h?.Free(); _h = null;")]
    [InlineData("private GCHandle? _h = GCHandle.Alloc(new object());", "if (_h.HasValue) { _h.Value.Free(); _h = null; }")]
    [InlineData("private GCHandle H { get; set; } = GCHandle.Alloc(new object());", "if (H.IsAllocated) { H.Free(); H = default; }")]
    [InlineData("private readonly GCHandle _h = GCHandle.Alloc(new object()); private bool _disposed;", "if (_disposed) return; _disposed = true; _h.Free();")]
    public Task Clean_gchandle_forms_are_silent(string member, string body)
        => BuiltIn($$"""
            using System;
            using System.Runtime.InteropServices;

            sealed class Handle : IDisposable
            {
                {{member}}

                public void Dispose()
                {
                    {{body}}
                }
            }
            """);

    [Theory]
    [InlineData("ArrayPool<byte>.Shared.Return(_a); _a = null;")]
    [InlineData("ArrayPool<byte>.Shared.Return(_a); _a = Array.Empty<byte>();")]
    [InlineData("ArrayPool<byte>.Shared.Return(_a); _a = [];")]
    [InlineData("if (_a is { } a) { _a = null; ArrayPool<byte>.Shared.Return(a); }")]
    [InlineData("var a = _a; _a = null; if (a != null) ArrayPool<byte>.Shared.Return(a);")]
    [InlineData("if (_a != null) { ArrayPool<byte>.Shared.Return(_a); _a = null; }")]
    public Task Clean_array_pool_forms_are_silent(string body)
        => BuiltIn($$"""
            using System;
            using System.Buffers;

            sealed class Rented : IDisposable
            {
                private byte[]? _a = ArrayPool<byte>.Shared.Rent(16);

                public void Dispose()
                {
                    {{body}}
                }
            }
            """);

    [Fact]
    public Task Dispose_bool_guarded_by_the_public_Dispose_is_silent()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            class Owner : IDisposable
            {
                private IntPtr _native = Marshal.AllocHGlobal(64);
                private bool _disposed;

                ~Owner() => Dispose(false);

                public void Dispose()
                {
                    if (_disposed)
                        return;
                    Dispose(true);
                    _disposed = true;
                    GC.SuppressFinalize(this);
                }

                protected virtual void Dispose(bool disposing)
                {
                    Marshal.FreeHGlobal(_native);
                }
            }
            """);

    [Fact]
    public Task Dispose_bool_with_its_own_flag_is_silent()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            class Owner : IDisposable
            {
                private IntPtr _native = Marshal.AllocHGlobal(64);
                private bool _disposed;

                ~Owner() => Dispose(false);

                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }

                protected virtual void Dispose(bool disposing)
                {
                    if (!_disposed)
                    {
                        if (disposing)
                        {
                            Console.WriteLine("managed");
                        }

                        Marshal.FreeHGlobal(_native);
                        _disposed = true;
                    }
                }
            }
            """);

    [Fact]
    public Task Dispose_bool_guarded_by_a_base_class_in_source_is_silent()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            abstract class Resource : IDisposable
            {
                private bool _disposed;

                public void Dispose()
                {
                    if (_disposed)
                    {
                        return;
                    }

                    _disposed = true;
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }

                protected abstract void Dispose(bool disposing);
            }

            sealed class NativeResource : Resource
            {
                private IntPtr _native = Marshal.AllocHGlobal(64);

                protected override void Dispose(bool disposing) => Marshal.FreeHGlobal(_native);
            }
            """);

    [Fact]
    public Task Dispose_bool_of_a_metadata_base_is_reported()
        => BuiltIn("""
            using System;
            using System.IO;
            using System.Runtime.InteropServices;

            sealed class NativeStream : MemoryStream
            {
                private IntPtr _native = Marshal.AllocHGlobal(64);

                protected override void {|#1:Dispose|}(bool disposing)
                {
                    Marshal.FreeHGlobal({|#0:_native|});
                    base.Dispose(disposing);
                }
            }
            """, Expected("_native", "Marshal.FreeHGlobal", "freed"));

    [Fact]
    public Task Generated_code_is_not_analysed()
        => BuiltIn("""
            // <auto-generated/>
            using System;
            using System.Runtime.InteropServices;

            sealed class NativeBuffer : IDisposable
            {
                private IntPtr _buffer = Marshal.AllocHGlobal(64);

                public void Dispose() => Marshal.FreeHGlobal(_buffer);
            }
            """);

    [Fact]
    public Task A_release_outside_Dispose_is_not_this_rule()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class NativeBuffer
            {
                private IntPtr _buffer = Marshal.AllocHGlobal(64);

                public void Close()
                {
                    Marshal.FreeHGlobal(_buffer);
                }

                public void Dispose(int unused)
                {
                    Marshal.FreeHGlobal(_buffer);
                }

                public static void Dispose(NativeBuffer b)
                {
                    Marshal.FreeHGlobal(b._buffer);
                }
            }
            """);

    [Fact]
    public Task Locals_parameters_and_other_objects_members_are_not_this_rule()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class Node : IDisposable
            {
                private static IntPtr s_shared = Marshal.AllocHGlobal(8);
                private IntPtr _p = Marshal.AllocHGlobal(8);
                private Node? _next;

                private IntPtr Computed => _p;

                public void Dispose()
                {
                    var local = Marshal.AllocHGlobal(8);
                    Marshal.FreeHGlobal(local);
                    Marshal.FreeHGlobal(s_shared);
                    if (_next is not null)
                    {
                        Marshal.FreeHGlobal(_next._p);
                    }

                    Marshal.FreeHGlobal(Computed);
                }
            }
            """);

    [Fact]
    public Task A_method_named_like_a_release_that_is_no_pair_is_silent()
        => BuiltIn("""
            using System;

            sealed class Own : IDisposable
            {
                private IntPtr _p;

                private static void Free(IntPtr p) { }

                public void Dispose() => Free(_p);
            }
            """);

    [Fact]
    public Task Munmap_of_a_member_in_Dispose_without_clearing_is_reported()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            unsafe sealed class Ring : IDisposable
            {
                [DllImport("libc")]
                static extern void* mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

                [DllImport("libc")]
                static extern int munmap(void* addr, nuint length);

                private void* _base;
                private readonly nuint _length;

                public Ring(nuint length)
                {
                    _length = length;
                    _base = mmap(null, length, 3, 0x22, -1, 0);
                }

                public void {|#1:Dispose|}() => munmap({|#0:_base|}, _length);
            }
            """,
            Expected("_base", "Ring.munmap", "unmapped"));

    private static Task BuiltIn(string source, params DiagnosticResult[] expected) => Test(source, withFakeApi: false, expected).RunAsync();

    private static Task Annotated(string source, params DiagnosticResult[] expected) => Test(source, withFakeApi: true, expected).RunAsync();

    private static DualModeAnalyzerTest<DisposeReleaseAnalyzer> Test(string source, bool withFakeApi, params DiagnosticResult[] expected)
    {
        var test = new DualModeAnalyzerTest<DisposeReleaseAnalyzer>
        {
            TestCode = source,
            ReferenceAssemblies = ReferenceAssemblies.Net.Net80,
        };
        if (withFakeApi)
        {
            test.TestState.Sources.Add(("FakeApi.cs", Verify.FakeApi));
        }

        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var options = (CSharpCompilationOptions)solution.GetProject(projectId)!.CompilationOptions!;
            return solution.WithProjectCompilationOptions(projectId, options.WithAllowUnsafe(true).WithNullableContextOptions(NullableContextOptions.Enable));
        });
        test.ExpectedDiagnostics.AddRange(expected);
        return test;
    }
}
