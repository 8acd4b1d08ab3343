using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Vmap.Analyzers.Pairing;
using Vmap.Analyzers.Tests.BuildMode;

namespace Vmap.Analyzers.Tests.Robustness;

/// <summary>
/// Every Vmap analyzer over code that need not compile (code mid-typing), as an editor's host runs
/// them: what they report, what they threw (AD0001), and the failures they swallowed.
/// </summary>
internal static class Analysis
{
    private static int s_next;

    /// <summary>The .NET platform's own assemblies and the Vmap runtime (the ValidCode corpus and the samples use it).</summary>
    public static readonly IReadOnlyList<MetadataReference> References;

    /// <summary>The .NET platform's own assemblies only (for sources that declare the annotations themselves, <see cref="Verify.FakeApi"/>).</summary>
    public static readonly IReadOnlyList<MetadataReference> PlatformReferences =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "netstandard.dll" or "mscorlib.dll")
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList();

    static Analysis() => References = PlatformReferences.Append(MetadataReference.CreateFromFile(typeof(VmapSpace).Assembly.Location)).ToList();

    /// <summary>What one run produced.</summary>
    /// <param name="Diagnostics">The analyzers' diagnostics (AD0001 included).</param>
    /// <param name="Thrown">Exceptions that escaped an analyzer (each one an AD0001 for the user).</param>
    /// <param name="Skipped">Failures the analyzers caught and counted (<see cref="EngineFailureLog"/>).</param>
    public sealed record Result(ImmutableArray<Diagnostic> Diagnostics, IReadOnlyList<Exception> Thrown, IReadOnlyList<EngineFailure> Skipped);

    /// <summary>As <see cref="Run(IEnumerable{SyntaxTree}, IReadOnlyList{MetadataReference}, OutputKind, bool)"/>, over one source.</summary>
    public static Task<Result> Run(string source, OutputKind kind = OutputKind.DynamicallyLinkedLibrary, bool build = false) =>
        Run(new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "Source.cs") }, References, kind, build);

    public static Task<Result> Run(IEnumerable<SyntaxTree> trees, OutputKind kind = OutputKind.DynamicallyLinkedLibrary) => Run(trees, References, kind);

    /// <summary>The analyzers over <paramref name="trees"/>, registered as in the IDE or, with <paramref name="build"/>, as in a build (<see cref="BuildRegistration"/>).</summary>
    public static async Task<Result> Run(IEnumerable<SyntaxTree> trees, IReadOnlyList<MetadataReference> references, OutputKind kind = OutputKind.DynamicallyLinkedLibrary, bool build = false)
    {
        // The driver analyzes its own copy of the compilation; the name tells this run's failures
        // from those of tests running beside it.
        var name = "Robustness" + Interlocked.Increment(ref s_next);
        var compilation = CSharpCompilation.Create(
            name,
            trees,
            references,
            new CSharpCompilationOptions(kind, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        var thrown = new ConcurrentQueue<Exception>();
        var skipped = new ConcurrentQueue<EngineFailure>();
        void Note(EngineFailure failure)
        {
            if (failure.Compilation.AssemblyName == name)
            {
                skipped.Enqueue(failure);
            }
        }

        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(BuildModes.Files(ImmutableArray<AdditionalText>.Empty, build)),
            (exception, _, _) => thrown.Enqueue(exception),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        EngineFailureLog.Reported += Note;
        try
        {
            var diagnostics = await compilation.WithAnalyzers(VmapAnalyzers.All().ToImmutableArray(), options).GetAnalyzerDiagnosticsAsync();
            return new Result(diagnostics, thrown.ToList(), skipped.ToList());
        }
        finally
        {
            EngineFailureLog.Reported -= Note;
        }
    }
}
