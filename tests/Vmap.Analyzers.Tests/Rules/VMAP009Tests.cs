using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Vmap.Analyzers.Tests.BuildMode;
namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// VMAP009: a member that holds a block its own class acquired, released by no method of the
/// class. Each test marks the acquire (primary location, #0), the member's declaration (#1) and,
/// when the class has one, its Dispose method (#2).
/// </summary>
public class VMAP009Tests
{
    public VMAP009Tests() => PairingAnalyzer.ThrowOnEngineFailure = true;

    /// <summary>The diagnostic at markup <paramref name="at"/>: the acquire, the declaration, then the Dispose method if any.</summary>
    private static DiagnosticResult Expected(string member, string api, string owner, params int[] at)
    {
        var result = new DiagnosticResult(RuleIds.VMAP009, DiagnosticSeverity.Warning);
        foreach (var location in at.Length == 0 ? new[] { 0, 1, 2 } : at)
        {
            result = result.WithLocation(location);
        }

        // The family's own words: a handle is freed, a runtime mapping unmapped, a block freed.
        var (noun, verb) = api.StartsWith("GCHandle.", StringComparison.Ordinal) ? ("handle", "frees")
            : api.StartsWith("VmapSpace.", StringComparison.Ordinal) ? ("mapping", "unmaps")
            : ("block", "frees");
        return result.WithMessage($"'{member}' holds the {noun} from {api} here, and no method of '{owner}' {verb} it: each '{owner}' leaks the {noun} when it is dropped");
    }

    // ---- reported ------------------------------------------------------------------------------

    [Fact]
    public Task Two_blocks_from_the_constructor_and_a_Dispose_that_frees_one_reports_the_other()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class Codec : IDisposable
            {
                private IntPtr _input;
                private IntPtr {|#1:_output|};

                public Codec(int size)
                {
                    _input = Marshal.AllocHGlobal(size);
                    _output = {|#0:Marshal.AllocHGlobal(size * 2)|};
                }

                public unsafe byte First => *(byte*)_output;

                public void {|#2:Dispose|}()
                {
                    Marshal.FreeHGlobal(_input);
                    _input = IntPtr.Zero;
                }
            }
            """, Expected("_output", "Marshal.AllocHGlobal", "Codec"));

    [Fact]
    public Task A_scratch_block_in_a_field_initializer_of_a_class_with_no_release_at_all()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class Hasher
            {
                private readonly IntPtr {|#1:_scratch|} = {|#0:Marshal.AllocHGlobal(256)|};

                public unsafe int Hash(ReadOnlySpan<byte> data)
                {
                    var scratch = new Span<byte>((void*)_scratch, 256);
                    data.CopyTo(scratch);
                    return scratch[0];
                }
            }
            """, Expected("_scratch", "Marshal.AllocHGlobal", "Hasher", 0, 1));

    [Fact]
    public Task A_handle_pinned_in_an_ordinary_method_and_an_auto_property_block()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class Pinner : IDisposable
            {
                private GCHandle {|#1:_pin|};

                private IntPtr {|#4:Header|} { get; set; } = {|#3:Marshal.AllocCoTaskMem(16)|};

                public IntPtr Pin(byte[] data)
                {
                    _pin = {|#0:GCHandle.Alloc(data, GCHandleType.Pinned)|};
                    return _pin.AddrOfPinnedObject();
                }

                public bool HasHeader => Header != IntPtr.Zero;

                public void {|#2:Dispose|}()
                {
                }
            }
            """,
            Expected("_pin", "GCHandle.Alloc", "Pinner"),
            Expected("Header", "Marshal.AllocCoTaskMem", "Pinner", 3, 4, 2));

    [Fact]
    public Task An_annotated_mapping_kept_by_a_try_map_and_never_unmapped()
        => Annotated("""
            using System;
            using Vmap;

            sealed class RingBuffer : IDisposable
            {
                private readonly VmapSpace _space;
                private nint _data;
                private nint {|#1:_shadow|};

                public RingBuffer(VmapSpace space, Page[] pages)
                {
                    _space = space;
                    _data = space.MapRam(pages);
                    if (!{|#0:space.TryMapRam(pages, out _shadow)|})
                    {
                        throw new InvalidOperationException();
                    }
                }

                public Span<byte> Data => _space.GetSpan(_data, 4096);

                public void {|#2:Dispose|}()
                {
                    _space.UnmapRam(_data, 1);
                    _data = 0;
                }
            }
            """, Expected("_shadow", "VmapSpace.TryMapRam", "RingBuffer"));

    [Fact]
    public Task A_block_from_a_source_helper_inferred_to_acquire_names_the_helper()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            static class Blocks
            {
                public static IntPtr Zeroed(int size)
                {
                    var block = Marshal.AllocHGlobal(size);
                    unsafe { new Span<byte>((void*)block, size).Clear(); }
                    return block;
                }
            }

            sealed class Frame
            {
                private IntPtr {|#1:_pixels|};

                public void Resize(int size) => _pixels = {|#0:Blocks.Zeroed(size)|};

                public unsafe byte At(int i) => ((byte*)_pixels)[i];
            }
            """, Expected("_pixels", "Zeroed", "Frame", 0, 1));

    // ---- silent look-alikes --------------------------------------------------------------------

    [Fact]
    public Task A_member_freed_through_helpers_that_Dispose_calls_is_silent()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            static class Native
            {
                public static void Release(IntPtr block) => Marshal.FreeHGlobal(block);
            }

            sealed class Table : IDisposable
            {
                private IntPtr _rows = Marshal.AllocHGlobal(64);
                private IntPtr _index = Marshal.AllocHGlobal(64);

                public void Dispose() => FreeAll();

                private void FreeAll()
                {
                    Marshal.FreeHGlobal(_rows);
                    _rows = IntPtr.Zero;
                    Native.Release(_index);
                    _index = IntPtr.Zero;
                }
            }
            """);

    [Fact]
    public Task The_dispose_pattern_with_a_finalizer_and_a_disposed_flag_is_silent()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            class Surface : IDisposable
            {
                private IntPtr _pixels;
                private bool _disposed;

                public Surface(int bytes) => _pixels = Marshal.AllocHGlobal(bytes);

                ~Surface() => Dispose(false);

                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }

                protected virtual void Dispose(bool disposing)
                {
                    if (_disposed)
                    {
                        return;
                    }

                    Marshal.FreeHGlobal(_pixels);
                    _disposed = true;
                }
            }
            """);

    [Fact]
    public Task A_member_released_outside_Dispose_is_silent()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class Connection
            {
                private IntPtr _buffer;

                public void Open() => _buffer = Marshal.AllocHGlobal(4096);

                public void Close()
                {
                    if (_buffer != IntPtr.Zero)
                    {
                        Marshal.FreeHGlobal(_buffer);
                        _buffer = IntPtr.Zero;
                    }
                }
            }
            """);

    [Fact]
    public Task Borrowed_members_filled_from_a_parameter_or_another_object_are_silent()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class Owner : IDisposable
            {
                public IntPtr Block { get; private set; } = Marshal.AllocHGlobal(32);

                public void Dispose()
                {
                    Marshal.FreeHGlobal(Block);
                    Block = IntPtr.Zero;
                }
            }

            sealed class View
            {
                private IntPtr _start;
                private IntPtr _other;

                public View(IntPtr start, Owner owner)
                {
                    _start = start;
                    _other = owner.Block;
                }

                public void Remap(bool grow)
                {
                    _start = grow ? Marshal.AllocHGlobal(64) : _other;
                }
            }

            sealed class Cursor
            {
                private IntPtr _at;

                public Cursor(IntPtr start) => _at = start;

                public void Reset() => _at = Marshal.AllocHGlobal(8);
            }
            """);

    [Fact]
    public Task A_process_lifetime_static_table_is_silent()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class Crc
            {
                private static readonly IntPtr s_table = Marshal.AllocHGlobal(1024);

                public unsafe uint Step(byte b) => ((uint*)s_table)[b];
            }
            """);

    [Fact]
    public Task A_pooled_array_in_a_field_is_silent()
        => BuiltIn("""
            using System.Buffers;

            sealed class LineReader
            {
                private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1024);

                public int Capacity => _buffer.Length;
            }
            """);

    [Fact]
    public Task A_struct_owner_is_silent()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            struct Scratch
            {
                private IntPtr _block;

                public Scratch(int size) => _block = Marshal.AllocHGlobal(size);

                public bool IsEmpty => _block == IntPtr.Zero;
            }
            """);

    [Fact]
    public Task Members_handed_to_an_adopter_returned_or_passed_to_unknown_code_are_silent()
        => Annotated("""
            using System;
            using Vmap;
            using Vmap.Annotations;

            sealed class Registry
            {
                public void Adopt([TakesOwnership] nint block) { }
            }

            interface ISink
            {
                void Put(nint block);
            }

            sealed class Producer
            {
                private readonly VmapSpace _space;
                private readonly Registry _registry;
                private nint _adopted;
                private nint _returned;
                private nint _sunk;
                private nint _copied;

                public Producer(VmapSpace space, Registry registry, ISink sink)
                {
                    _space = space;
                    _registry = registry;
                    _adopted = space.Vmalloc(64);
                    registry.Adopt(_adopted);
                    _returned = space.Vmalloc(64);
                    _sunk = space.Vmalloc(64);
                    sink.Put(_sunk);
                    _copied = space.Vmalloc(64);
                    var local = _copied;
                    space.Vfree(local);
                }

                public nint Detach() => _returned;
            }
            """);

    [Fact]
    public Task A_release_in_another_part_of_a_partial_class_or_in_a_nested_type_is_silent()
    {
        var test = Test("""
            using System;
            using System.Runtime.InteropServices;

            sealed partial class Journal : IDisposable
            {
                private IntPtr _log = Marshal.AllocHGlobal(128);
                private IntPtr _index = Marshal.AllocHGlobal(128);

                private sealed class Releaser
                {
                    public static void Release(Journal journal)
                    {
                        Marshal.FreeHGlobal(journal._index);
                        journal._index = IntPtr.Zero;
                    }
                }

                public void Close() => Releaser.Release(this);
            }
            """, withFakeApi: false);
        test.TestState.Sources.Add(("Journal.Dispose.cs", """
            using System;
            using System.Runtime.InteropServices;

            sealed partial class Journal
            {
                public void Dispose()
                {
                    Marshal.FreeHGlobal(_log);
                    _log = IntPtr.Zero;
                }
            }
            """));
        return test.RunAsync();
    }

    /// <summary>
    /// A class in three files: the member declared in one, acquired into in the second, Dispose in
    /// the third, which names no pair. Reported once, at the acquire in its own file, in both
    /// registrations (in build mode the class is analysed once, whichever of its trees comes first).
    /// </summary>
    [Fact]
    public Task A_partial_class_across_three_files_is_reported_once_at_the_acquire_in_its_file()
    {
        var test = Test("""
            using System;

            sealed partial class Pool : IDisposable
            {
                private IntPtr {|#1:_slab|};
                private IntPtr _spare;
            }
            """, withFakeApi: false, Expected("_slab", "Marshal.AllocHGlobal", "Pool"));
        test.TestState.Sources.Add(("Pool.Grow.cs", """
            using System;
            using System.Runtime.InteropServices;

            sealed partial class Pool
            {
                public void Grow(int size)
                {
                    _slab = {|#0:Marshal.AllocHGlobal(size)|};
                    _spare = Marshal.AllocHGlobal(size);
                }

                private void Drop()
                {
                    Marshal.FreeHGlobal(_spare);
                    _spare = IntPtr.Zero;
                }
            }
            """));
        test.TestState.Sources.Add(("Pool.Dispose.cs", """
            sealed partial class Pool
            {
                public void {|#2:Dispose|}()
                {
                    Drop();
                }
            }
            """));
        return test.RunAsync();
    }

    [Fact]
    public Task A_release_of_an_address_inside_the_block_claims_nothing()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class Header : IDisposable
            {
                private IntPtr _raw = Marshal.AllocHGlobal(72);

                public void Dispose()
                {
                    Marshal.FreeHGlobal(_raw + 8);
                }
            }
            """);

    // ---- native code that may keep the member's block (the walker's evidence rule) ----------------

    [Fact]
    public Task A_member_handed_to_a_PInvoke_that_also_receives_a_callback_is_silent()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class Texture
            {
                public delegate void Release(IntPtr pixels);

                [DllImport("gfx")] private static extern void texture_upload(IntPtr texture, IntPtr pixels, Release release);

                private readonly IntPtr _texture;
                private IntPtr _pixels;

                public Texture(IntPtr texture, int bytes)
                {
                    _texture = texture;
                    _pixels = Marshal.AllocHGlobal(bytes);
                    texture_upload(_texture, _pixels, p => Marshal.FreeHGlobal(p));
                }
            }
            """);

    [Fact]
    public Task A_member_of_a_family_whose_release_native_code_is_given_is_silent_and_other_families_are_still_reported()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class Label
            {
                public delegate void Free(IntPtr block);

                [DllImport("ui")] private static extern void ui_set_free(Free free);
                [DllImport("ui")] private static extern void ui_label_set_text(IntPtr label, IntPtr text);
                [DllImport("ui")] private static extern void ui_label_set_icon(IntPtr label, IntPtr icon);

                static Label() => ui_set_free(Marshal.FreeHGlobal);

                private readonly IntPtr _label;
                private IntPtr _text;
                private IntPtr {|#1:_icon|};

                public Label(IntPtr label, string text)
                {
                    _label = label;
                    _text = Marshal.StringToHGlobalAnsi(text);
                    ui_label_set_text(_label, _text);
                    _icon = {|#0:Marshal.AllocCoTaskMem(64)|};
                    ui_label_set_icon(_label, _icon);
                }
            }
            """, Expected("_icon", "Marshal.AllocCoTaskMem", "Label", 0, 1));

    [Fact]
    public Task A_member_handed_to_a_PInvoke_with_no_evidence_that_native_code_keeps_it_is_still_reported()
        => BuiltIn("""
            using System;
            using System.Runtime.InteropServices;

            sealed class Meter : IDisposable
            {
                [DllImport("meter")] private static extern int meter_read(IntPtr device, IntPtr sample);

                private readonly IntPtr _device;
                private IntPtr {|#1:_sample|};

                public Meter(IntPtr device)
                {
                    _device = device;
                    _sample = {|#0:Marshal.AllocHGlobal(16)|};
                }

                public int Read() => meter_read(_device, _sample);

                public void {|#2:Dispose|}()
                {
                }
            }
            """, Expected("_sample", "Marshal.AllocHGlobal", "Meter"));

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
