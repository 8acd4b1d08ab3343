using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Vmap.Analyzers.Tests.BuildMode;

namespace Vmap.Analyzers.Tests.BuiltIn;

/// <summary>
/// Pairs declared as <c>vmap_pair.&lt;name&gt;</c> options (docs/configuration.md), for a native
/// library the test declares in source, and VMAP007 for entries that cannot be used.
/// </summary>
public class ConfiguredPairTests
{
    internal const string NativeApi = """
        namespace Native
        {
            public static class Shm
            {
                public static nint Map(int length) => 4096;
                public static void Unmap(nint address, int length) { }
                public static bool TryOpen(string name, out nint region) { region = 4096; return true; }
                public static void Close(nint region) { }
            }

            public static class Queue
            {
                public static void Push(nint buffer) { }
            }

            public sealed class FramePool
            {
                public Frame Take() => new Frame();
            }

            public sealed class Frame
            {
                public void Release() { }

                public static class Planes
                {
                    public static nint Lock(Frame frame) => 4096;
                    public static void Unlock(nint plane) { }
                }
            }
        }
        """;

    internal const string ShmPair = "acquire: Native.Shm.Map | release: Native.Shm.Unmap(address) | count: length";

    [Fact]
    public async Task A_configured_pair_is_tracked_like_an_annotated_one()
    {
        var diagnostics = await Analyze(
            """
            class C
            {
                void Leak() { var a = Native.Shm.Map(64); }
                void Twice() { var a = Native.Shm.Map(64); Native.Shm.Unmap(a, 64); Native.Shm.Unmap(a, 64); }
                void Count() { var a = Native.Shm.Map(64); Native.Shm.Unmap(a, 128); }
                void Clean() { var a = Native.Shm.Map(64); Native.Shm.Unmap(a, 64); }
            }
            """,
            global: new() { ["vmap_pair.shm"] = ShmPair });

        Assert.Equal(
            [
                "VMAP002 (2,26) The mapping in 'a' from Map at line 3 is lost: it goes out of scope at line 3 without being released, returned, stored or passed on",
                "VMAP003 (3,89) 'a' is released again here; it was already released at line 4",
                "VMAP005 (4,67) 'a' is released with a count of '128' but Map acquired '64' pages at line 5",
            ],
            diagnostics);
    }

    [Fact]
    public async Task A_verb_part_names_the_release_in_every_message()
    {
        var diagnostics = await Analyze(
            """
            class C
            {
                void Leak() { var a = Native.Shm.Map(64); }
                void Twice() { var a = Native.Shm.Map(64); Native.Shm.Unmap(a, 64); Native.Shm.Unmap(a, 64); }
                void Count() { var a = Native.Shm.Map(64); Native.Shm.Unmap(a, 128); }
                int Used() { var a = Native.Shm.Map(64); Native.Shm.Unmap(a, 64); return Use(a); }
                void Lost() { var a = Native.Shm.Map(64); a = Native.Shm.Map(32); Native.Shm.Unmap(a, 32); }
                static int Use(nint a) => 0;
            }
            """,
            global: new() { ["vmap_pair.shm"] = ShmPair + " | verb: handed back" });

        Assert.Equal(
            [
                "VMAP002 (2,26) The mapping in 'a' from Map at line 3 is lost: it goes out of scope at line 3 without being handed back, returned, stored or passed on",
                "VMAP002 (6,46) The mapping in 'a' from Map at line 7 is lost: 'a' is overwritten at line 7 without being handed back",
                "VMAP003 (3,89) 'a' is handed back again here; it was already handed back at line 4",
                "VMAP004 (5,81) 'a' is passed to 'Use' after it was handed back at line 6",
                "VMAP005 (4,67) 'a' is handed back with a count of '128' but Map acquired '64' pages at line 5",
            ],
            diagnostics);
    }

    [Fact]
    public async Task A_configured_pair_of_a_referenced_library_named_like_a_dotnet_pair_is_not_taken_for_a_namesake()
    {
        // Lib.Arena.Alloc is neither .NET's Alloc nor a source method: only the configuration makes it a pair.
        var platform = await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
        var library = Pairing.PairNameScanTests.Emit(
            "Lib",
            "namespace Lib { public static class Arena { public static nint Alloc(int n) => 4096; public static void Release(nint p) { } } }",
            platform);
        var diagnostics = await Analyze(
            """
            class C
            {
                void Leak() { var p = Lib.Arena.Alloc(8); }
                void Twice() { var p = Lib.Arena.Alloc(8); Lib.Arena.Release(p); Lib.Arena.Release(p); }
            }
            """,
            global: new() { ["vmap_pair.arena"] = "acquire: Lib.Arena.Alloc | release: Lib.Arena.Release(p)" },
            libraries: [library]);

        Assert.Equal(
            [
                "VMAP002 (2,26) The mapping in 'p' from Alloc at line 3 is lost: it goes out of scope at line 3 without being released, returned, stored or passed on",
                "VMAP003 (3,87) 'p' is released again here; it was already released at line 4",
            ],
            diagnostics);
    }

    [Fact]
    public async Task A_verb_given_to_a_receiver_release_names_the_release()
    {
        var diagnostics = await Analyze(
            "class C { void Twice(Native.FramePool pool) { var f = pool.Take(); f.Release(); f.Release(); } }",
            global: new() { ["vmap_pair.frame"] = "acquire: Native.FramePool.Take | release: Native.Frame.Release(this) | verb: recycled" });

        Assert.Equal(["VMAP003 (0,80) 'f' is recycled again here; it was already recycled at line 1"], diagnostics);
    }

    [Fact]
    public async Task A_count_scaled_from_the_mapped_one_is_reported_only_when_it_can_never_match()
    {
        var diagnostics = await Analyze(
            """
            class C
            {
                void Doubled(int length) { var r = Native.Shm.Map(length); Native.Shm.Unmap(r, length * 2); }
                void DoubledLeft(int length) { var r = Native.Shm.Map(length); Native.Shm.Unmap(r, 2 * length); }
                void Plus(int length) { var r = Native.Shm.Map(length); Native.Shm.Unmap(r, length + 1); }
                void MeetAtOne(int length) { var r = Native.Shm.Map(length * 2); Native.Shm.Unmap(r, length + 1); }
                void Same(int length) { var r = Native.Shm.Map(length * 2); Native.Shm.Unmap(r, 2 * length); }
                void Reassigned(int length) { var r = Native.Shm.Map(length); length = length / 2; Native.Shm.Unmap(r, length * 2); }
                void ReassignedPlus(int length) { var r = Native.Shm.Map(length); length++; Native.Shm.Unmap(r, length - 1); }
                void OtherValue(int length, int other) { var r = Native.Shm.Map(length); Native.Shm.Unmap(r, other * 2); }
            }
            """,
            global: new() { ["vmap_pair.shm"] = ShmPair });

        Assert.Equal(
            [
                "VMAP005 (2,83) 'r' is released with a count of 'length * 2' but Map acquired 'length' pages at line 3",
                "VMAP005 (3,87) 'r' is released with a count of '2 * length' but Map acquired 'length' pages at line 4",
                "VMAP005 (4,80) 'r' is released with a count of 'length + 1' but Map acquired 'length' pages at line 5",
            ],
            diagnostics);
    }

    [Fact]
    public async Task Out_parameter_acquire_and_the_family_name_are_honoured()
    {
        var diagnostics = await Analyze(
            """
            class C
            {
                void WrongFamily()
                {
                    if (Native.Shm.TryOpen("x", out var region))
                    {
                        Native.Shm.Unmap(region, 4);
                    }
                }

                void Clean()
                {
                    if (Native.Shm.TryOpen("x", out var region))
                    {
                        Native.Shm.Close(region);
                    }
                }
            }
            """,
            global: new()
            {
                ["vmap_pair.shm"] = ShmPair,
                ["vmap_pair.region"] = "acquire: Native.Shm.TryOpen(region) | release: Native.Shm.Close(region) | family: shm-region",
            });

        Assert.Equal(
            ["VMAP006 (6,29) 'region' was acquired by TryOpen (family 'shm-region') at line 5 but is released by Unmap (family 'shm'); release it with Close"],
            diagnostics);
    }

    [Fact]
    public async Task A_receiver_release_and_leaks_false_are_honoured_in_per_tree_options()
    {
        var diagnostics = await Analyze(
            """
            class C
            {
                void Dropped(Native.FramePool pool) { var f = pool.Take(); }
                void Twice(Native.FramePool pool) { var f = pool.Take(); f.Release(); f.Release(); }
            }
            """,
            tree: new() { ["vmap_pair.frame"] = "acquire: Native.FramePool.Take | release: Native.Frame.Release(this) | leaks: false" });

        Assert.Equal(["VMAP003 (3,74) 'f' is released again here; it was already released at line 4"], diagnostics);
    }

    [Fact]
    public async Task A_nested_type_is_named_by_its_metadata_name()
    {
        var diagnostics = await Analyze(
            "class C { void Leak(Native.Frame f) { var p = Native.Frame.Planes.Lock(f); } }",
            global: new() { ["vmap_pair.plane"] = "acquire: Native.Frame+Planes.Lock | release: Native.Frame+Planes.Unlock(plane)" });

        Assert.Equal(
            ["VMAP002 (0,46) The mapping in 'p' from Lock at line 1 is lost: it goes out of scope at line 1 without being released, returned, stored or passed on"],
            diagnostics);
    }

    [Fact]
    public async Task A_configured_pair_overrides_a_built_in_family_default()
    {
        var diagnostics = await Analyze(
            """
            using System.Buffers;

            class C
            {
                int M() { var a = ArrayPool<byte>.Shared.Rent(16); return a.Length; }
            }
            """,
            global: new() { ["vmap_pair.strict_pool"] = "acquire: System.Buffers.ArrayPool`1.Rent | release: System.Buffers.ArrayPool`1.Return(array)" });

        Assert.Equal(
            ["VMAP002 (4,22) The mapping in 'a' from Rent at line 5 is lost: it goes out of scope at line 5 without being released, returned, stored or passed on"],
            diagnostics);
    }

    [Fact]
    public async Task Entries_survive_the_editorconfig_reader()
    {
        var config = AnalyzerConfig.Parse(
            "root = true\n\n[*.cs]\nvmap_pair.Shm = " + ShmPair + "\nvmap_pair.semicolons = acquire: Native.Shm.Map ; release: Native.Shm.Unmap(address)\n",
            "/project/.editorconfig");
        var options = AnalyzerConfigSet.Create(ImmutableArray.Create(config)).GetOptionsForSourcePath("/project/Test0.cs").AnalyzerOptions;

        var diagnostics = await Analyze(
            "class C { void Twice() { var a = Native.Shm.Map(64); Native.Shm.Unmap(a, 64); Native.Shm.Unmap(a, 64); } }",
            tree: options.ToDictionary(pair => pair.Key, pair => pair.Value));

        Assert.Equal(
            [
                "VMAP003 (0,95) 'a' is released again here; it was already released at line 1",
                "VMAP007 None The .editorconfig entry 'vmap_pair.semicolons' is ignored: no 'release: Namespace.Type.Method(parameter)' (separate the parts with '|'; .editorconfig drops everything after ';' or '#')",
            ],
            diagnostics);
    }

    [Fact]
    public async Task An_entry_for_a_type_the_project_does_not_reference_is_skipped_silently()
    {
        var diagnostics = await Analyze(
            "class C { }",
            global: new() { ["vmap_pair.other"] = "acquire: Other.Library.Open | release: Other.Library.Close(handle)" });

        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("acquire Native.Shm.Map", "'acquire Native.Shm.Map' is not 'key: value'")]
    [InlineData("acquire: Native.Shm.Map | release: Native.Shm.Unmap(address) | familly: shm", "unknown key 'familly' (expected acquire, release, family, count, leaks or verb)")]
    [InlineData("acquire: Native.Shm.Map | acquire: Native.Shm.Map | release: Native.Shm.Unmap(address)", "'acquire' is given twice")]
    [InlineData("acquire: Native.Shm.Map | release: | family: shm", "'release' has no value")]
    [InlineData("release: Native.Shm.Unmap(address)", "no 'acquire: Namespace.Type.Method'")]
    [InlineData("acquire: Native.Shm.Map", "no 'release: Namespace.Type.Method(parameter)' (separate the parts with '|'; .editorconfig drops everything after ';' or '#')")]
    [InlineData("acquire: Map | release: Native.Shm.Unmap(address)", "'Map' is not 'Namespace.Type.Method' or 'Namespace.Type.Method(outParameter)'")]
    [InlineData("acquire: Native.Shm.Map | release: Native.Shm.Unmap", "'Native.Shm.Unmap' is not 'Namespace.Type.Method(parameter)' or 'Namespace.Type.Method(this)'")]
    [InlineData("acquire: Native.Shm.Mapp | release: Native.Shm.Unmap(address)", "'Native.Shm' has no method 'Mapp'")]
    [InlineData("acquire: Native.Shm.Map | release: Native.Shm.Unmap(addr)", "no overload of 'Unmap' has a parameter 'addr'")]
    [InlineData("acquire: Native.Shm.Map(length) | release: Native.Shm.Unmap(address)", "parameter 'length' of 'Native.Shm.Map(length)' is not an out parameter")]
    [InlineData("acquire: Native.Shm.Map | release: Native.Shm.Unmap(address) | count: size", "no overload of 'Native.Shm.Map' returns the block with a parameter 'size'")]
    [InlineData("acquire: Native.Shm.Map | release: Native.Shm.Unmap(address) | count: a, b, c", "'count: a, b, c' is not 'count: parameter' or 'count: acquireParameter, releaseParameter'")]
    [InlineData("acquire: Native.Shm.Map | release: Native.Shm.Unmap(address) | leaks: sometimes", "'leaks: sometimes' is neither true nor false")]
    [InlineData("acquire: Native.Shm.Map | release: Native.Shm.Unmap(address) | verb: freed!", "'verb: freed!' is not a word to put in messages (write the release's past participle, such as 'verb: closed')")]
    [InlineData("acquire: Native.Shm.Map | release: Native.Shm.Unmap(address) | verb: handed  back", "'verb: handed  back' is not a word to put in messages (write the release's past participle, such as 'verb: closed')")]
    [InlineData("acquire: Native.Shm.Map | release: Native.Shm.Unmap(address) | verb:", "'verb' has no value")]
    [InlineData("acquire: Native.Shm.Map | release: Native.Shm.Unmap(address) | verb: closed | verb: freed", "'verb' is given twice")]
    public async Task A_bad_entry_is_reported_once_by_name_and_the_good_entries_still_apply(string value, string reason)
    {
        var diagnostics = await Analyze(
            "class C { void Leak() { var a = Native.Shm.Map(64); } }",
            global: new() { ["vmap_pair.bad"] = value, ["vmap_pair.shm"] = ShmPair });

        Assert.Equal(
            [
                "VMAP002 (0,32) The mapping in 'a' from Map at line 1 is lost: it goes out of scope at line 1 without being released, returned, stored or passed on",
                "VMAP007 None The .editorconfig entry 'vmap_pair.bad' is ignored: " + reason,
            ],
            diagnostics);
    }

    [Fact]
    public async Task A_takes_ownership_entry_makes_a_parameter_adopt_the_block()
    {
        const string Source = "class C { void Hand() { var a = Native.Shm.Map(64); Native.Queue.Push(a); } }";

        var borrowed = await Analyze(Source, global: new() { ["vmap_pair.shm"] = ShmPair });
        var adopted = await Analyze(Source, global: new() { ["vmap_pair.shm"] = ShmPair, ["vmap_takes_ownership.queue"] = "Native.Queue.Push(buffer)" });

        Assert.Equal(
            ["VMAP002 (0,32) The mapping in 'a' from Map at line 1 is lost: it goes out of scope at line 1 without being released, returned, stored or passed on"],
            borrowed);
        Assert.Empty(adopted);
    }

    [Theory]
    [InlineData("Native.Queue.Push", "'Native.Queue.Push' is not 'Namespace.Type.Method(parameter)'")]
    [InlineData("Native.Queue.Pop(buffer)", "'Native.Queue' has no method 'Pop'")]
    [InlineData("Native.Queue.Push(address)", "no overload of 'Push' has a parameter 'address'")]
    public async Task A_takes_ownership_entry_that_cannot_be_used_is_reported(string value, string reason)
    {
        var diagnostics = await Analyze("class C { }", global: new() { ["vmap_takes_ownership.queue"] = value, ["vmap_pair.shm"] = ShmPair });

        Assert.Equal(["VMAP007 None The .editorconfig entry 'vmap_takes_ownership.queue' is ignored: " + reason], diagnostics);
    }

    /// <summary>The diagnostics as <c>ID (line,column) message</c>, zero-based positions, <c>None</c> for no location.</summary>
    internal static async Task<string[]> Analyze(string source, Dictionary<string, string>? global = null, Dictionary<string, string>? tree = null, IEnumerable<MetadataReference>? libraries = null)
    {
        var references = (await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None)).AddRange(libraries ?? []);
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "Configured",
            [CSharpSyntaxTree.ParseText(source, parse, "Test0.cs"), CSharpSyntaxTree.ParseText(NativeApi, parse, "Native.cs")],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var failures = new List<Exception>();
        var diagnostics = await BuildModes.Both(build => compilation
            .WithAnalyzers(
                [new PairingAnalyzer()],
                new CompilationWithAnalyzersOptions(
                    new AnalyzerOptions(BuildModes.Files(ImmutableArray<AdditionalText>.Empty, build), new Provider(global ?? new(), tree ?? new())),
                    (e, _, _) => failures.Add(e), concurrentAnalysis: false, logAnalyzerExecutionTime: false))
            .GetAnalyzerDiagnosticsAsync());
        Assert.Empty(failures);
        return diagnostics
            .OrderBy(d => d.Id, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start)
            .Select(d => d.Id + " " + (d.Location == Location.None ? "None" : $"({d.Location.GetLineSpan().StartLinePosition.Line},{d.Location.GetLineSpan().StartLinePosition.Character})") + " " + d.GetMessage())
            .ToArray();
    }

    private sealed class Provider(Dictionary<string, string> global, Dictionary<string, string> tree) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(global);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree1) => new Options(tree);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(new());
    }

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override IEnumerable<string> Keys => values.Keys;

        public override bool TryGetValue(string key, out string value)
        {
            var found = values.TryGetValue(key, out var v);
            value = v ?? string.Empty;
            return found;
        }
    }
}
