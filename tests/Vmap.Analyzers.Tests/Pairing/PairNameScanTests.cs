using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Vmap.Analyzers.Pairing;
using Vmap.TestSources;

namespace Vmap.Analyzers.Tests.Pairing;

/// <summary>
/// The text gate in front of binding: which code blocks are admitted, and that what it admits is
/// everything the engine can pair (built-in, configured and annotated names, inferred acquirers,
/// members that hold mappings), however far the names are from the pair call.
/// </summary>
public class PairNameScanTests
{
    [Fact]
    public async Task A_name_is_found_as_a_whole_identifier_only_and_admits_only_where_it_may_be_called()
    {
        var (compilation, pairing) = await Context("""
            using System.Runtime.InteropServices;
            class C
            {
                void Frees(nint p) { Marshal.FreeHGlobal(p); }
                void LooksLike() { int FreeHGlobalCount = 0; int MyFree = FreeHGlobalCount; }
                void Comment() { /* Free */ }
                void Nothing() { int x = 1; }
            }
            """);

        // The comment names Free: the scan finds it, the gate sees that it calls nothing.
        Assert.Equal(new[] { "Frees" }, Admitted(compilation, pairing));
        Assert.Equal(2, pairing.Gate.Judged);
        Assert.Equal(1, pairing.Gate.Dropped);
    }

    [Fact]
    public async Task A_type_that_declares_and_calls_its_own_Alloc_Free_Rent_and_Return_is_not_bound()
    {
        var (compilation, pairing) = await Context("""
            using System;
            using System.Collections.Generic;
            class Arena
            {
                readonly List<int> _items = new();
                int _next;
                public int Alloc(int size) { _next += size; return _next; }
                public void Free(int handle) { _items.Remove(handle); }
                public int[] Rent(int size) => new int[size];
                public void Return(int[] array) { _next -= array.Length; }
                int Step(int n)
                {
                    var h = Alloc(n);
                    Free(h);
                    var a = Rent(4);
                    Return(a);
                    return h;
                }
                string Words() => nameof(Free) + " Alloc " + 'x'; // Rent
                Func<int, int> Group() => Alloc;
                void Shadowed(Func<int, int> Free) { Free(1); }
                void LocalFunction() { Free(2); static void Free(int h) { } }
            }
            """);

        // A parameter or a local function named Free may be what the call means: those are bound.
        Assert.Equal(new[] { "Shadowed", "LocalFunction" }, Admitted(compilation, pairing));
        Assert.Equal(9, pairing.Gate.Judged);
        Assert.Equal(7, pairing.Gate.Dropped);
    }

    [Fact]
    public async Task Pair_methods_reached_without_their_type_name_are_admitted()
    {
        var (compilation, pairing) = await Context("""
            using System;
            using System.Buffers;
            using static System.Runtime.InteropServices.Marshal;
            using H = System.Runtime.InteropServices.GCHandle;
            class Pool : ArrayPool<byte>
            {
                public override byte[] Rent(int minimumLength) => new byte[minimumLength];
                public override void Return(byte[] array, bool clearArray = false) { }
                void Use() { var a = Rent(4); Return(a); }
            }
            class C
            {
                void Imported() { var p = AllocHGlobal(8); FreeHGlobal(p); }
                void Aliased(object o) { var h = H.Alloc(o); h.Free(); }
                void Instance(ArrayPool<int> pool) { var a = pool.Rent(4); pool.Return(a); }
            }
            """);

        Assert.Equal(new[] { "Use", "Imported", "Aliased", "Instance" }, Admitted(compilation, pairing));
    }

    [Theory]
    [InlineData("public static DispoPtr Alloc(int n) { var d = new DispoPtr(); d._p = Marshal.AllocHGlobal(n); return d; }", "Alloc")]
    [InlineData("public static IntPtr Alloc(int n) => Marshal.AllocHGlobal(n);", "Alloc,Use")]
    public async Task A_dotnet_pair_name_on_a_type_of_the_project_admits_its_callers_only_when_a_method_of_that_name_acquires(string alloc, string admitted)
    {
        var (compilation, pairing) = await Context($$"""
            using System;
            using System.Runtime.InteropServices;
            sealed class DispoPtr
            {
                IntPtr _p;
                {{alloc}}
            }
            class Arena
            {
                int Alloc(int n) => n;
                int Own() => Alloc(3);
            }
            class User
            {
                void Use() { var d = DispoPtr.Alloc(8); }
            }
            """);

        // Arena's own Alloc is what Own calls, whatever DispoPtr's does.
        Assert.Equal(admitted.Split(','), Admitted(compilation, pairing));
    }

    [Fact]
    public async Task A_real_pair_call_next_to_namesakes_is_still_reported_and_so_is_one_reached_through_a_using_static()
    {
        var diagnostics = await Verify.Diagnostics(
            null,
            """
            using System.Runtime.InteropServices;
            class Arena
            {
                int _next;
                int Alloc(int size) => _next += size;
                void Free(int handle) => _next -= handle;
                void Twice()
                {
                    var h = Alloc(8);
                    var p = Marshal.AllocHGlobal(h);
                    Free(h);
                    Marshal.FreeHGlobal(p);
                    Marshal.FreeHGlobal(p);
                }
            }
            """,
            """
            using static System.Runtime.InteropServices.NativeMemory;
            unsafe class Raw
            {
                void Twice() { var p = Alloc(8); Free(p); Free(p); }
            }
            """);

        Assert.Equal(
            new[]
            {
                "VMAP003 Source0.cs(13,29) 'p' is freed again here; it was already freed at line 12",
                "VMAP003 Source1.cs(4,52) 'p' is freed again here; it was already freed at line 4",
            },
            diagnostics.OrderBy(d => d.Location.SourceTree!.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start)
                .Select(d => $"{d.Id} {d.Location.SourceTree!.FilePath}({d.Location.GetLineSpan().StartLinePosition.Line + 1},{d.Location.GetLineSpan().StartLinePosition.Character + 1}) {d.GetMessage()}"));
    }

    [Fact]
    public async Task A_member_acquired_next_to_namesakes_or_in_an_initializer_is_still_reported_never_released()
    {
        var diagnostics = await Verify.Diagnostics(
            null,
            """
            using System;
            using System.Runtime.InteropServices;
            class Holder
            {
                private IntPtr _p;
                private IntPtr _q = Marshal.AllocHGlobal(16);
                int _n;
                int Alloc(int n) => _n += n;
                public void Open() { Alloc(1); _p = Marshal.AllocHGlobal(8); }
            }
            class Namesakes
            {
                private IntPtr _p;
                int _n;
                int Alloc(int n) => _n += n;
                public void Open() { _n = Alloc(1); }
            }
            """);

        // VMAP009 judges a class by its members' code, each as the gate judges a code block: Holder's
        // initializer and Open may call a pair; nothing in Namesakes may (its class is not analysed).
        Assert.Equal(
            new[]
            {
                "VMAP009 (6,25) '_q' holds the block from Marshal.AllocHGlobal here, and no method of 'Holder' frees it: each 'Holder' leaks the block when it is dropped",
                "VMAP009 (9,41) '_p' holds the block from Marshal.AllocHGlobal here, and no method of 'Holder' frees it: each 'Holder' leaks the block when it is dropped",
            },
            diagnostics.OrderBy(d => d.Location.SourceSpan.Start)
                .Select(d => $"{d.Id} ({d.Location.GetLineSpan().StartLinePosition.Line + 1},{d.Location.GetLineSpan().StartLinePosition.Character + 1}) {d.GetMessage()}"));
    }

    [Fact]
    public async Task A_possible_acquirer_by_name_admits_its_callers_only_when_a_declaration_of_that_name_acquires()
    {
        var (compilation, pairing) = await Context("""
            using System;
            using System.Runtime.InteropServices;
            class Socket
            {
                public bool Read(out byte[] value)
                {
                    var p = Marshal.AllocHGlobal(8);
                    value = new byte[8];
                    Marshal.Copy(p, value, 0, 8);
                    Marshal.FreeHGlobal(p);
                    return true;
                }

                public int Size() { Read(out var v); return v.Length; }
                public static IntPtr Open(int n) => Marshal.AllocHGlobal(n);
                public static int Open(string s) => s.Length;
                public int Cycle() => Open("x");
            }
            """);

        // Read copies into a new array: its summary acquires nothing, so Size is not bound. One
        // overload of Open acquires: a call of either is bound (which one is a question for binding).
        Assert.Contains("Read", pairing.Scan.Names);
        Assert.Equal(new[] { "Read", "Open", "Cycle" }, Admitted(compilation, pairing));
    }

    [Fact]
    public async Task A_method_that_returns_or_hands_out_what_it_acquired_makes_its_callers_admitted_to_the_bound()
    {
        var source = new System.Text.StringBuilder("using System.Runtime.InteropServices; class C {\n");
        source.AppendLine("  static nint Make0() => Marshal.AllocHGlobal(8);");
        for (var i = 1; i < 9; i++)
        {
            source.AppendLine($"  static nint Make{i}() => Make{i - 1}();");
        }

        source.AppendLine("  static void Out(out nint p) { p = Make0(); }");
        source.AppendLine("  static void Sink(nint p) => Marshal.FreeHGlobal(p);");
        source.AppendLine("  void CallsOut() { Out(out var p); }");
        source.AppendLine("  void CallsSink() { Sink(1); }");
        source.AppendLine("}");
        var (compilation, pairing) = await Context(source.ToString());

        // Make0 names AllocHGlobal. A caller sees through six summaries (the engine's bound), so a
        // call of Make5 (Make5 .. Make0) is followed and Make6 is admitted; Make7 would need seven.
        // A void method without an out parameter (Sink) cannot hand a mapping out: CallsSink is not
        // admitted, CallsOut is.
        Assert.Equal(
            new[] { "Make0", "Make1", "Make2", "Make3", "Make4", "Make5", "Make6", "Out", "Sink", "CallsOut" },
            Admitted(compilation, pairing));
        Assert.Contains("Make5", pairing.Scan.Names);
        Assert.DoesNotContain("Make6", pairing.Scan.Names);
        Assert.DoesNotContain("Sink", pairing.Scan.Names);
    }

    [Fact]
    public async Task A_leak_of_an_inferred_acquirer_is_reported_in_a_compilation_without_the_attributes()
    {
        var diagnostics = await Verify.Diagnostics(null, """
            using System.Runtime.InteropServices;
            static class Native
            {
                public static nint Buffer(int n) => Marshal.AllocHGlobal(n);
            }

            class Caller
            {
                int Read()
                {
                    var p = Native.Buffer(64);
                    return Marshal.ReadByte(p);
                }
            }
            """);

        var leak = Assert.Single(diagnostics);
        Assert.Equal(RuleIds.VMAP002, leak.Id);
        Assert.Equal(10, leak.Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public async Task A_method_annotated_in_a_referenced_library_is_followed_by_name()
    {
        // One assembly declares the attributes (as the runtime does), a library carries them, and
        // the application calls the library's acquire without naming any built-in pair.
        var platform = (await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None)).ToList();
        var annotations = Emit("Annotations", FakeAnnotations.Source.Replace("internal sealed", "public sealed", StringComparison.Ordinal), platform);
        var library = Emit("Library", """
            using Vmap.Annotations;
            public static class Buffers
            {
                [return: MapsMemory("lib-buffer")]
                public static nint Take() => 4096;
                public static void Give([UnmapsMemory("lib-buffer")] nint p) { }
            }
            """, platform.Append(annotations));

        var diagnostics = await Verify.Diagnostics(platform.Append(annotations).Append(library), """
            class App
            {
                void Run()
                {
                    var p = Buffers.Take();
                }
            }
            """);

        Assert.Equal(RuleIds.VMAP002, Assert.Single(diagnostics).Id);
    }

    [Fact]
    public async Task A_method_that_only_re_points_a_member_holding_mappings_is_admitted_by_the_member_name_and_one_that_reads_it_is_not()
    {
        var (compilation, pairing) = await Context("""
            using System.Runtime.InteropServices;
            class Buffer
            {
                nint _data;
                nint _other;
                void Open() { _data = Marshal.AllocHGlobal(64); }
                void Close() { Marshal.FreeHGlobal(_data); }
                void Repoint(nint q) { _data = q; }
                void Elsewhere(nint q) { _other = q; }
                bool Reads(nint q) => _data == q;
            }
            """);

        Assert.Equal(new[] { "Open", "Close", "Repoint" }, Admitted(compilation, pairing));
    }

    [Fact]
    public async Task A_release_of_a_member_by_its_simple_name_counts_from_a_base_or_an_enclosing_type_and_a_local_does_not()
    {
        var (_, pairing) = await Context("""
            using System.Runtime.InteropServices;
            class Base { protected nint _inherited; }
            class Outer
            {
                static nint s_outer;
                class Derived : Base
                {
                    void Open() { _inherited = Marshal.AllocHGlobal(8); s_outer = Marshal.AllocHGlobal(8); }
                    void Close() { Marshal.FreeHGlobal(_inherited); Marshal.FreeHGlobal(s_outer); }
                    void Shadowed() { nint _inherited = Marshal.AllocHGlobal(8); Marshal.FreeHGlobal(_inherited); }
                }

                nint _lost;
                void OpenLost() { _lost = Marshal.AllocHGlobal(8); }
                void Local() { nint _lost2 = 0; Marshal.FreeHGlobal(_lost2); }
            }
            """);

        Assert.Equal(new[] { "_inherited", "s_outer" }, pairing.MemberIndex.HeldNames.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Without_any_pair_name_in_the_source_the_member_index_is_not_built()
    {
        var (compilation, pairing) = await Context("class C { nint _p; void M(nint q) { _p = q; } }");

        Assert.Empty(Admitted(compilation, pairing));
        Assert.Empty(pairing.Scan.Trees);
        Assert.False(pairing.MemberIndexBuilt);
    }

    [Fact]
    public async Task The_scan_finds_whole_names_only_in_text_order()
    {
        const string Source = "class C { void M(System.IntPtr p) { System.Runtime.InteropServices.Marshal.FreeHGlobal(p); } }\n" +
            "// xFreeHGlobal FreeHGlobalx 9FreeHGlobal _FreeHGlobal é_FreeHGlobal @FreeHGlobal FreeHGlobal";
        var (compilation, pairing) = await Context(Source);

        var call = Source.IndexOf(".FreeHGlobal(", StringComparison.Ordinal) + 1;
        var verbatim = Source.IndexOf("@FreeHGlobal", StringComparison.Ordinal) + 1;
        var last = Source.Length - "FreeHGlobal".Length;
        Assert.Equal(new[] { call, verbatim, last }, pairing.Scan.PositionsIn(compilation.SyntaxTrees.Single()));
    }

    [Fact]
    public async Task A_callee_whose_name_the_scan_did_not_find_around_an_acquire_is_never_bound_for_a_summary()
    {
        var (compilation, pairing) = await Context("""
            using System;
            using System.Runtime.InteropServices;
            static class C
            {
                public static IntPtr Zero() => IntPtr.Zero;
                public static IntPtr Buffer() => Marshal.AllocHGlobal(8);
            }
            """);
        var type = compilation.GetTypeByMetadataName("C")!;
        var zero = (IMethodSymbol)type.GetMembers("Zero").Single();
        var buffer = (IMethodSymbol)type.GetMembers("Buffer").Single();

        Assert.Null(pairing.Summaries.Acquire(zero, new SummaryScope(), CancellationToken.None));
        Assert.Equal(0, pairing.Summaries.BodiesBound);
        Assert.NotNull(pairing.Summaries.Acquire(buffer, new SummaryScope(), CancellationToken.None));
        Assert.Equal(1, pairing.Summaries.BodiesBound);
    }

    [Fact]
    public async Task Names_searched_by_a_shared_prefix_are_each_found_and_look_alikes_with_the_prefix_are_not()
    {
        const string Source = "using System.Runtime.InteropServices;\n" +
            "class C { void M(string s) { var a = Marshal.AllocHGlobal(8); var b = Marshal.StringToHGlobalUni(s); var c = Marshal.StringToCoTaskMemUTF8(s);\n" +
            "Marshal.FreeCoTaskMem(c); Marshal.FreeHGlobal(b); Marshal.FreeHGlobal(a); } }\n" +
            "// Freed FreeHGlobals StringTo AllocH";
        var (compilation, pairing) = await Context(Source);

        var expected = new[] { "AllocHGlobal(", "StringToHGlobalUni(", "StringToCoTaskMemUTF8(", "FreeCoTaskMem(", "FreeHGlobal(b", "FreeHGlobal(a" }
            .Select(n => Source.IndexOf(n, StringComparison.Ordinal))
            .ToArray();
        Assert.Equal(expected, pairing.Scan.PositionsIn(compilation.SyntaxTrees.Single()));
    }

    [Theory]
    [InlineData("_q", 0, "")]
    [InlineData("_p", 2, "_p")]
    public async Task The_member_index_binds_only_calls_naming_a_member_that_is_both_assigned_and_passed(string freed, int bound, string held)
    {
        var (_, pairing) = await Context($$"""
            using System;
            using System.Runtime.InteropServices;
            class C
            {
                IntPtr _p, _q;
                void Open() { _p = Marshal.AllocHGlobal(8); }
                void Close() { Marshal.FreeHGlobal({{freed}}); }
                void Local() { var r = Marshal.AllocHGlobal(8); Marshal.FreeHGlobal(r); }
            }
            """);

        Assert.Equal(bound, pairing.MemberIndex.BoundCalls);
        Assert.Equal(held, string.Join(",", pairing.MemberIndex.HeldNames));
    }

    internal static MetadataReference Emit(string name, string source, IEnumerable<MetadataReference> references)
    {
        var compilation = CSharpCompilation.Create(name, new[] { CSharpSyntaxTree.ParseText(source) }, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    }

    private static async Task<(Compilation, PairingContext)> Context(string source)
    {
        var references = await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
        var compilation = CSharpCompilation.Create("Scan", new[] { CSharpSyntaxTree.ParseText(source) }, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var pairing = PairingContext.TryCreate(compilation, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), CancellationToken.None);
        Assert.NotNull(pairing);
        return (compilation, pairing);
    }

    private static string[] Admitted(Compilation compilation, PairingContext pairing)
    {
        var tree = compilation.SyntaxTrees.Single();
        var model = compilation.GetSemanticModel(tree);
        return tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>()
            .Where(m => pairing.MayPair(m, model.GetDeclaredSymbol(m), CancellationToken.None))
            .Select(m => m.Identifier.ValueText)
            .ToArray();
    }
}
