using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace Vmap.Analyzers.Tests.BuildMode;

/// <summary>
/// The two registrations of the analyzers: code block and symbol actions (the IDE's) and syntax
/// tree actions (a build's, <see cref="BuildRegistration"/>), switched on by the additional file the
/// package's targets add. The harnesses of the tests run both and require the same diagnostics.
/// </summary>
internal static class BuildModes
{
    /// <summary>The additional file a build passes, where the package's targets write it.</summary>
    public static AdditionalText Marker { get; } = new MarkerText("/project/obj/Release/net8.0/" + BuildRegistration.MarkerFileName);

    /// <summary><paramref name="files"/>, with the build's marker when <paramref name="build"/>.</summary>
    public static ImmutableArray<AdditionalText> Files(ImmutableArray<AdditionalText> files, bool build) => build ? files.Add(Marker) : files;

    /// <summary>A diagnostic as the two modes must agree on it: id, file, span, message, additional locations, suppression.</summary>
    public static string Shape(Diagnostic d) =>
        $"{d.Id} {Where(d.Location)} {d.GetMessage()} [{string.Join("; ", d.AdditionalLocations.Select(Where))}]{(d.IsSuppressed ? " suppressed" : "")}";

    /// <summary>
    /// Runs <paramref name="analyze"/> in the code block mode and in build mode, asserts the two
    /// report the same diagnostics (in any order: the driver's order is not a contract) and returns
    /// the code block mode's.
    /// </summary>
    public static async Task<ImmutableArray<Diagnostic>> Both(Func<bool, Task<ImmutableArray<Diagnostic>>> analyze)
    {
        var blocks = await analyze(false);
        var build = await analyze(true);
        Assert.Equal(Sorted(blocks), Sorted(build));
        return blocks;
    }

    /// <summary>The shapes of <paramref name="diagnostics"/>, sorted.</summary>
    public static string[] Sorted(IEnumerable<Diagnostic> diagnostics) => diagnostics.Select(Shape).OrderBy(s => s, StringComparer.Ordinal).ToArray();

    private static string Where(Location location) =>
        location.IsInSource ? $"{location.SourceTree!.FilePath}{location.SourceSpan}" : location.Kind.ToString();

    private sealed class MarkerText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) =>
            SourceText.From("Vmap.Analyzers: this compilation is a build's (syntax tree registration)");
    }
}

/// <summary>
/// A <see cref="CSharpAnalyzerTest{TAnalyzer, TVerifier}"/> that runs twice: as the IDE registers the
/// analyzers, then in build mode (the marker added as an additional file); both runs must report
/// exactly the expected diagnostics. The testing library's own checks run in both: the sources made
/// generated code (no diagnostic may come from them) and wrapped in <c>#pragma warning disable</c>.
/// </summary>
internal sealed class DualModeAnalyzerTest<TAnalyzer> : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>Both runs; hides the base method, so callers must hold this type (the tests' helpers return it).</summary>
    public new async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await base.RunAsync(cancellationToken);
        TestState.AdditionalFiles.Add((BuildModes.Marker.Path, BuildModes.Marker.GetText(cancellationToken)!.ToString()));
        await base.RunAsync(cancellationToken);
    }
}
