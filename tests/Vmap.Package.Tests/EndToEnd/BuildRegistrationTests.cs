using System.Text.Json;
using Vmap.Package.Tests.Infrastructure;

namespace Vmap.Package.Tests.EndToEnd;

/// <summary>
/// Build mode (docs/configuration.md, "Build mode"): a build passes the package's
/// <c>vmap.build</c> marker to the compiler, so the analyzers register syntax tree actions; a
/// design-time build (the IDE's command line, <c>dotnet format</c>'s) does not, nor a build with
/// <c>VmapBuildRegistration=false</c>; and the warnings are the same either way.
/// </summary>
[Collection(PackedVmapCollection.Name)]
public sealed class BuildRegistrationTests(PackedVmap package)
{
    private const string Marker = "vmap.build";

    /// <summary>
    /// A real build (its compiler command line logged at detailed verbosity) passes the marker, one
    /// opted out does not, and both print the same two warnings at the same places. Then the
    /// arguments the Csc task would hand the compiler (<c>CscCommandLineArgs</c>, which the IDE's
    /// project system reads from its design-time builds), without running it: a design-time
    /// build's have everything the build's have but the marker.
    /// </summary>
    [Fact]
    public void A_build_passes_the_marker_and_a_design_time_build_does_not_with_the_same_warnings()
    {
        var consumer = package.Consumer;
        var markerArgument = "/additionalfile:obj/Debug/net10.0/" + Marker;

        var build = consumer.Build("-v:detailed");

        // Written into obj/ and listed in FileWrites: the next build's clean (--no-incremental) removes it.
        Assert.True(File.Exists(consumer.PathOf(Path.Combine("obj", "Debug", "net10.0", Marker))));
        var optedOut = consumer.Build("-v:detailed", "-p:VmapBuildRegistration=false");
        Assert.False(File.Exists(consumer.PathOf(Path.Combine("obj", "Debug", "net10.0", Marker))));

        Assert.True(build.Cli.ExitCode == 0, build.Cli.Transcript);
        Assert.True(optedOut.Cli.ExitCode == 0, optedOut.Cli.Transcript);
        Assert.Contains(CscCommandLines(build), line => line.Contains(markerArgument, StringComparison.Ordinal));
        Assert.DoesNotContain(CscCommandLines(optedOut), line => line.Contains(Marker, StringComparison.Ordinal));
        Assert.Equal(["VMAP001", "VMAP002"], Warnings(build).Select(d => d.Id));
        Assert.Equal(Warnings(optedOut), Warnings(build));

        var buildArguments = CompilerArguments(consumer, "-t:Build");
        // As Visual Studio's project system asks: BuildingInsideVisualStudio makes CoreCompile run (its
        // inputs get a file that never exists) even when the compile is up to date.
        var designTime = CompilerArguments(consumer, "-t:Compile", "-p:DesignTimeBuild=true", "-p:BuildingProject=false", "-p:BuildingInsideVisualStudio=true");

        Assert.Equal([markerArgument], buildArguments.Where(a => a.Contains(Marker, StringComparison.Ordinal)));
        Assert.DoesNotContain(designTime, a => a.Contains(Marker, StringComparison.Ordinal));
        Assert.Contains(designTime, a => a.EndsWith("LogBuffer.cs", StringComparison.Ordinal));
        Assert.Equal(
            buildArguments.Where(a => a.StartsWith("/additionalfile:", StringComparison.Ordinal) && !a.Contains(Marker, StringComparison.Ordinal)),
            designTime.Where(a => a.StartsWith("/additionalfile:", StringComparison.Ordinal)));
    }

    /// <summary>
    /// The distinct warnings of a detailed build, by file name, position, id and message (detailed
    /// output prints each line once more with the node's "1>" in front of the path).
    /// </summary>
    private static List<(string File, int Line, int Column, string Id, string Message)> Warnings(BuildResult build) =>
        build.Diagnostics
            .Select(d => (File: Path.GetFileName(d.File), d.Line, d.Column, d.Id, d.Message))
            .Distinct()
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .ToList();

    /// <summary>The compiler's command line as the Csc task logs it (detailed verbosity).</summary>
    private static IEnumerable<string> CscCommandLines(BuildResult build)
    {
        // ".../Roslyn/bincore/csc /noconfig ... /out:obj/Debug/net10.0/App.dll ..." (through the compiler
        // server), or "dotnet exec .../csc.dll ..." without it.
        var lines = build.Cli.StandardOutput.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Contains(" /out:", StringComparison.Ordinal) &&
                (l.Split(' ')[0].EndsWith("/csc", StringComparison.Ordinal) || l.Contains("csc.dll ", StringComparison.Ordinal)))
            .ToList();
        Assert.True(lines.Count > 0, build.Cli.Transcript);
        return lines;
    }

    private static IReadOnlyList<string> CompilerArguments(ConsumerProject consumer, params string[] arguments)
    {
        var result = DotnetCli.Run(consumer.Directory,
            ["msbuild", "-restore:false", "-p:SkipCompilerExecution=true", "-p:ProvideCommandLineArgs=true", "-getItem:CscCommandLineArgs", .. arguments]);
        Assert.True(result.ExitCode == 0, result.Transcript);
        using var json = JsonDocument.Parse(result.StandardOutput);
        return json.RootElement.GetProperty("Items").GetProperty("CscCommandLineArgs").EnumerateArray()
            .Select(item => item.GetProperty("Identity").GetString()!.Replace('\\', '/'))
            .ToList();
    }
}
