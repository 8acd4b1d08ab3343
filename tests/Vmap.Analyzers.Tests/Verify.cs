using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Vmap.Analyzers.Tests.BuildMode;
using Vmap.TestSources;

namespace Vmap.Analyzers.Tests;

/// <summary>
/// Runs <see cref="PairingAnalyzer"/> over a test source plus <see cref="FakeApi"/> (annotations
/// declared in source, matched by metadata name like the runtime's), registered as in the IDE and
/// as in a build (<see cref="DualModeAnalyzerTest{TAnalyzer}"/>). Engine failures surface as
/// AD0001, which fails any test.
/// </summary>
internal static class Verify
{
    /// <summary>The annotations and a small mapping API shaped like VmapSpace, declared in the test compilation.</summary>
    public const string FakeApi = FakeAnnotations.Source + """
        namespace Vmap
        {
            using System;
            using Vmap.Annotations;

            public readonly struct Page { }

            public sealed class VmapSpace
            {
                [return: MapsMemory("vmap-ram", CountParameter = "pages")]
                public nint MapRam(ReadOnlySpan<Page> pages) => 4096;

                public bool TryMapRam(ReadOnlySpan<Page> pages, [MapsMemory("vmap-ram", CountParameter = "pages")] out nint address) { address = 4096; return true; }

                public void UnmapRam([UnmapsMemory("vmap-ram", CountParameter = "pageCount")] nint address, int pageCount) { }

                [return: MapsMemory("vmap", CountParameter = "pages")]
                public nint Vmap(ReadOnlySpan<Page> pages) => 4096;

                public void Vunmap([UnmapsMemory("vmap")] nint address) { }

                [return: MapsMemory("vmalloc")]
                public nint Vmalloc(nuint size) => 4096;

                public void Vfree([UnmapsMemory("vmalloc")] nint address) { }

                public Span<byte> GetSpan(nint address, int length) => default;
            }
        }
        """;

    static Verify() => PairingAnalyzer.ThrowOnEngineFailure = true;

    /// <summary>An expected diagnostic of rule <paramref name="id"/> (a rule may have one descriptor per message shape; the message is checked with WithMessage).</summary>
    public static DiagnosticResult Diagnostic(string id) => new(id, DiagnosticSeverity.Warning);

    /// <summary>Verifies exactly <paramref name="expected"/> (spans, additional locations and messages) over <paramref name="source"/>.</summary>
    public static Task Analyzer(string source, params DiagnosticResult[] expected) => Run(source, withFakeApi: true, expected);

    /// <summary>As <see cref="Analyzer"/>, with a second source file <paramref name="otherName"/> (markup allowed there too).</summary>
    public static Task Analyzer(string source, string otherName, string other, params DiagnosticResult[] expected) =>
        Run(source, withFakeApi: true, expected, (otherName, other));

    /// <summary>
    /// As <see cref="Analyzer"/>, without <see cref="FakeApi"/>: the compilation has no annotation
    /// attribute, as in a project that only uses .NET's own acquire/release APIs.
    /// </summary>
    public static Task BuiltIn(string source, params DiagnosticResult[] expected) => Run(source, withFakeApi: false, expected);

    private static Task Run(string source, bool withFakeApi, DiagnosticResult[] expected, params (string Name, string Text)[] others)
    {
        var test = new DualModeAnalyzerTest<PairingAnalyzer>
        {
            TestCode = source,
            ReferenceAssemblies = ReferenceAssemblies.Net.Net80,
        };
        if (withFakeApi)
        {
            test.TestState.Sources.Add(("FakeApi.cs", FakeApi));
        }

        foreach (var other in others)
        {
            test.TestState.Sources.Add(other);
        }

        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var options = (CSharpCompilationOptions)solution.GetProject(projectId)!.CompilationOptions!;
            return solution.WithProjectCompilationOptions(projectId, options.WithAllowUnsafe(true));
        });
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>Every Vmap analyzer's diagnostics over <paramref name="sources"/>, for assertions on properties; fails on compiler errors and engine failures.</summary>
    public static async Task<ImmutableArray<Diagnostic>> Diagnostics(IEnumerable<MetadataReference>? references, params string[] sources)
    {
        var referenceSet = references?.ToList() ?? (await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None)).ToList();
        var trees = sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest), path: $"Source{i}.cs"));
        var compilation = CSharpCompilation.Create(
            "Analyzed",
            trees,
            referenceSet,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));

        // Both registrations, which must agree (BuildModes).
        return await BuildModes.Both(async build =>
        {
            var failures = new List<Exception>();
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(BuildModes.Files(ImmutableArray<AdditionalText>.Empty, build)),
                (exception, _, _) => failures.Add(exception),
                concurrentAnalysis: false,
                logAnalyzerExecutionTime: false);
            var diagnostics = await compilation.WithAnalyzers(VmapAnalyzers.All().ToImmutableArray(), options).GetAnalyzerDiagnosticsAsync();
            Assert.Empty(failures);
            return diagnostics;
        });
    }
}
