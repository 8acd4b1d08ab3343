using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Vmap.Analyzers.Tests.BuiltIn;

namespace Vmap.Analyzers.Tests.Configuration;

/// <summary>
/// VMAP007 for .editorconfig entries that used to be dropped without a word: a nested type written
/// with '.' where metadata names use '+', and a pair without a name. Read through the compiler's
/// own .editorconfig reader, beside a good entry that must go on applying.
/// </summary>
public class IgnoredEntryTests
{
    private const string Twice = "class C { void Twice() { var a = Native.Shm.Map(64); Native.Shm.Unmap(a, 64); Native.Shm.Unmap(a, 64); } }";

    private const string DoubleUnmap = "VMAP003 (0,95) 'a' is released again here; it was already released at line 1";

    [Theory]
    [InlineData(
        "vmap_pair.plane = acquire: Native.Frame.Planes.Lock | release: Native.Frame+Planes.Unlock(plane)",
        "vmap_pair.plane", "'Native.Frame.Planes' is not a type: a nested type is written 'Native.Frame+Planes'")]
    [InlineData(
        "vmap_pair.plane = acquire: Native.Frame+Planes.Lock | release: Native.Frame.Planes.Unlock(plane)",
        "vmap_pair.plane", "'Native.Frame.Planes' is not a type: a nested type is written 'Native.Frame+Planes'")]
    [InlineData(
        "vmap_pair.plane = acquire: Native.Frame.Plane.Lock | release: Native.Frame+Planes.Unlock(plane)",
        "vmap_pair.plane", "'Native.Frame' has no nested type 'Plane'")]
    [InlineData(
        "vmap_takes_ownership.plane = Native.Frame.Planes.Unlock(plane)",
        "vmap_takes_ownership.plane", "'Native.Frame.Planes' is not a type: a nested type is written 'Native.Frame+Planes'")]
    public async Task A_nested_type_written_with_a_dot_is_reported_when_its_outer_type_exists(string line, string key, string reason)
    {
        var diagnostics = await Analyze(line);

        Assert.Equal([DoubleUnmap, "VMAP007 None The .editorconfig entry '" + key + "' is ignored: " + reason], diagnostics);
    }

    [Theory]
    [InlineData("vmap_pair.plane = acquire: Native.Frame+Planes.Lock | release: Native.Frame+Planes.Unlock(plane)")]
    [InlineData("vmap_pair.other = acquire: Native.Video.Open | release: Native.Video.Close(handle)")]
    [InlineData("vmap_pair.other = acquire: Other.Library.Open | release: Other.Library.Close(handle)")]
    [InlineData("vmap_takes_ownership.other = Native.Video.Keep(handle)")]
    public async Task A_nested_type_written_with_a_plus_or_a_type_of_another_project_is_not_reported(string line)
    {
        // 'Native' is a namespace of this project, not a type: 'Native.Video' may be another project's.
        var diagnostics = await Analyze(line);

        Assert.Equal([DoubleUnmap], diagnostics);
    }

    [Theory]
    [InlineData("vmap_pair.")]
    [InlineData("vmap_pair...")]
    public async Task A_pair_without_a_name_is_reported(string key)
    {
        var diagnostics = await Analyze(key + " = acquire: Native.Shm.TryOpen(region) | release: Native.Shm.Close(region)");

        Assert.Equal(
            [
                DoubleUnmap,
                "VMAP007 None The .editorconfig entry '" + key + "' is ignored: the pair has no name (write 'vmap_pair.<name>'; the name is its family unless 'family:' gives one)",
            ],
            diagnostics);
    }

    [Fact]
    public async Task A_name_with_dots_in_it_is_a_name()
    {
        var diagnostics = await Analyze("vmap_pair.shm.v2 = acquire: Native.Shm.TryOpen(region) | release: Native.Shm.Close(region)");

        Assert.Equal([DoubleUnmap], diagnostics);
    }

    /// <summary>The diagnostics over <see cref="Twice"/> with <paramref name="line"/> and the good Shm pair in an .editorconfig.</summary>
    private static Task<string[]> Analyze(string line)
    {
        var config = AnalyzerConfig.Parse(
            "root = true\n\n[*.cs]\nvmap_pair.shm = " + ConfiguredPairTests.ShmPair + "\n" + line + "\n",
            "/project/.editorconfig");
        var options = AnalyzerConfigSet.Create(ImmutableArray.Create(config)).GetOptionsForSourcePath("/project/Test0.cs").AnalyzerOptions;
        return ConfiguredPairTests.Analyze(Twice, tree: options.ToDictionary(pair => pair.Key, pair => pair.Value));
    }
}
