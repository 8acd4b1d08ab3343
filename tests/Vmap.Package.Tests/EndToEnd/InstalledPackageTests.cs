using Vmap.Package.Tests.Infrastructure;

namespace Vmap.Package.Tests.EndToEnd;

/// <summary>
/// A user's console project installs <c>Vmap</c> from the run's feed and gets the runtime, the
/// build-time rules and their configuration from that one package reference.
/// </summary>
[Collection(PackedVmapCollection.Name)]
public sealed class InstalledPackageTests(PackedVmap package)
{
    private const string SetPtrFile = "LogBuffer.cs";
    private const string Repointing = "buf.Addr = other;";
    private const string SetPtrUnmap = "space.UnmapRam(buf.Addr, buf.PageCount);";
    private const string SetPtrMap = "space.MapRam(pages)";
    private const string HelpUriBase = "https://github.com/vmapanalyzers/vmapanalyzers/blob/main/docs/rules/";

    [Fact]
    public void Build_warns_VMAP001_and_VMAP002_at_the_repointing_of_the_mapped_field()
    {
        var build = package.Consumer.Build();

        Assert.True(build.Cli.ExitCode == 0, build.Cli.Transcript);
        Assert.Equal([RepointingDiagnostic(package.Consumer, "warning"), LostMappingDiagnostic(package.Consumer, "warning")], build.Diagnostics.OrderBy(d => d.Id));
    }

    [Fact]
    public void TreatWarningsAsErrors_fails_the_build_on_VMAP001()
    {
        var build = package.Consumer.Build("-p:TreatWarningsAsErrors=true");

        Assert.True(build.Cli.ExitCode == 1, build.Cli.Transcript);
        Assert.Equal([RepointingDiagnostic(package.Consumer, "error"), LostMappingDiagnostic(package.Consumer, "error")], build.Diagnostics.OrderBy(d => d.Id));
    }

    [Fact]
    public void Editorconfig_severity_none_silences_VMAP001_and_only_it()
    {
        var silenced = ConsumerProject.Create(
            package,
            Path.Combine(package.WorkDirectory, "silenced"),
            "SetPtr",
            new Dictionary<string, string>
            {
                [".editorconfig"] = "root = true\n\n[*.cs]\ndotnet_diagnostic.VMAP001.severity = none\n",
            });

        var build = silenced.Build();

        Assert.True(build.Cli.ExitCode == 0, build.Cli.Transcript);
        Assert.Equal([LostMappingDiagnostic(silenced, "warning")], build.Diagnostics);
    }

    [Fact]
    public void Internal_copies_of_the_annotations_in_a_library_get_its_callers_checked()
    {
        var consumer = ConsumerProject.Create(package, Path.Combine(package.WorkDirectory, "dma"), "DmaApp", libraries: ["DmaLib"]);

        var build = consumer.Build();

        Assert.True(build.Cli.ExitCode == 0, build.Cli.Transcript);
        var program = consumer.PathOf("Program.cs");
        var map = SourcePosition.Of(program, "window.MapCoherent(4);");
        var unmapCount = SourcePosition.Of(program, "window.UnmapCoherent(ring, 1);", at: "1");
        Assert.Equal(
            [
                new BuildDiagnostic(
                    program,
                    unmapCount.Line,
                    unmapCount.Column,
                    "warning",
                    RuleIds.VMAP005,
                    $"'ring' is released with a count of '1' but MapCoherent acquired '4' pages at line {map.Line} ({HelpUriBase}VMAP005.md)"),
            ],
            build.Diagnostics);
    }

    [Fact]
    public void Program_runs_on_the_packaged_runtime_and_its_checked_unmap_catches_SET_PTR()
    {
        var consumer = package.Consumer;
        var build = consumer.Build();
        Assert.True(build.Cli.ExitCode == 0, build.Cli.Transcript);

        var run = consumer.Run();

        Assert.True(run.ExitCode == 0, run.Transcript);
        Assert.Equal(
            [
                $"runtime {package.Version}",
                "mapped 4 pages, page aligned: True",
                "unmapped",
                "set_ptr: VmapMisuseException VMAP001",
            ],
            run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')));
    }

    /// <summary>
    /// Where VMAP001 belongs: the statement of the SET_PTR file that re-points the field; the
    /// message names the field, what it became and both lines. MSBuild's console logger appends
    /// the rule's help link to the message.
    /// </summary>
    private static BuildDiagnostic RepointingDiagnostic(ConsumerProject consumer, string severity)
    {
        var path = consumer.PathOf(SetPtrFile);
        var repointing = SourcePosition.Of(path, Repointing);
        var unmap = SourcePosition.Of(path, SetPtrUnmap);
        var message = $"'buf.Addr' is unmapped holding memory that was never mapped: it is re-pointed at 'other' at line {repointing.Line} while it is unmapped by Free at line {unmap.Line}";
        return new BuildDiagnostic(
            path,
            repointing.Line,
            repointing.Column,
            severity,
            RuleIds.VMAP001,
            $"{message} ({HelpUriBase}VMAP001.md)");
    }

    /// <summary>VMAP002 beside VMAP001 at the re-pointing: the mapping the field held is never unmapped.</summary>
    private static BuildDiagnostic LostMappingDiagnostic(ConsumerProject consumer, string severity)
    {
        var path = consumer.PathOf(SetPtrFile);
        var repointing = SourcePosition.Of(path, Repointing);
        var map = SourcePosition.Of(path, SetPtrMap);
        var message = $"The mapping in 'buf.Addr' from MapRam at line {map.Line} is lost: it is re-pointed at line {repointing.Line} without being unmapped first";
        return new BuildDiagnostic(path, repointing.Line, repointing.Column, severity, RuleIds.VMAP002, $"{message} ({HelpUriBase}VMAP002.md)");
    }
}
