using System.Text.Json;
using System.Text.RegularExpressions;
using Vmap.Package.Tests.Infrastructure;

namespace Vmap.Package.Tests.EndToEnd;

/// <summary>
/// The README's SARIF command, run on a consumer of the package: a SARIF 2.1 log (the version
/// code-scanning services accept) in which every VMAP result names its rule, the rule carries its
/// help link, and the diagnostic's additional locations, the steps of its path, are the result's
/// related locations in order.
/// </summary>
[Collection(PackedVmapCollection.Name)]
public sealed partial class SarifLogTests(PackedVmap package)
{
    private const string HelpUriBase = "https://github.com/vmapanalyzers/vmapanalyzers/blob/main/docs/rules/";

    [Fact]
    public void The_readme_s_ErrorLog_argument_writes_SARIF_2_1_with_rules_help_links_and_the_path_as_related_locations()
    {
        var consumers = package.FrameworkConsumers;
        const string Project = "Net10";
        var errorLog = ReadmeErrorLogArgument();
        var logPath = Path.Combine(consumers.ProjectDirectory(Project), Uri.UnescapeDataString(errorLog["-p:ErrorLog=".Length..]).Split(',')[0]);

        var build = DotnetCli.Run(consumers.ProjectDirectory(Project), "build", "--no-restore", "--no-incremental", "-tl:off", errorLog);

        Assert.True(build.ExitCode == 0, build.Transcript);
        using var sarif = JsonDocument.Parse(File.ReadAllText(logPath));
        Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
        var run = Assert.Single(sarif.RootElement.GetProperty("runs").EnumerateArray());
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().ToList();
        var results = run.GetProperty("results").EnumerateArray()
            .Where(r => r.GetProperty("ruleId").GetString()!.StartsWith("VMAP", StringComparison.Ordinal))
            .ToList();

        // The same findings as the console build, each tied to its rule and its page.
        var program = consumers.SourceFile(Project, "Program.cs");
        Assert.Equal(
            FrameworkConsumerTests.RuntimeAppDiagnostics(consumers, Project).Select(d => (d.Id, d.Line, d.Column, d.Message.Replace($" ({HelpUriBase}{d.Id}.md)", string.Empty, StringComparison.Ordinal))),
            results.Select(r => (r.GetProperty("ruleId").GetString()!, Start(Primary(r)).Line, Start(Primary(r)).Column, r.GetProperty("message").GetProperty("text").GetString()!)));
        Assert.All(results, r =>
        {
            var rule = rules[r.GetProperty("ruleIndex").GetInt32()];
            var id = r.GetProperty("ruleId").GetString();
            Assert.Equal((id, HelpUriBase + id + ".md"), (rule.GetProperty("id").GetString(), rule.GetProperty("helpUri").GetString()));
            Assert.Equal(new Uri(program).AbsoluteUri, Primary(r).GetProperty("artifactLocation").GetProperty("uri").GetString());
        });

        // The related locations, in the order DiagnosticProperties documents: VMAP005 the mapped
        // count; VMAP003 the first release, then the released argument inside each helper.
        var mappedCount = SourcePosition.Of(program, "nint address = space.MapRam(pages);", at: "pages");
        var firstBlock = SourcePosition.Of(program, "Marshal.FreeHGlobal(block);", at: "block");
        var firstFrame = SourcePosition.Of(program, "Frames.Release(frame);", at: "frame");
        var firstScratch = SourcePosition.Of(program, "Scratch.Drop(scratch);", at: "scratch");
        var insideDrop = SourcePosition.Of(program, "=> Marshal.FreeHGlobal(block);", at: "block");
        Assert.Equal(
            [
                [mappedCount],
                [firstBlock],
                [firstFrame],
                [firstScratch, insideDrop, insideDrop],
            ],
            results.Select(r => r.GetProperty("relatedLocations").EnumerateArray().Select(l => Start(l.GetProperty("physicalLocation"))).ToArray()));
    }

    /// <summary>The <c>-p:ErrorLog=...</c> argument of the README's SARIF command, as a user copies it.</summary>
    private static string ReadmeErrorLogArgument()
    {
        var matches = ErrorLogArgument().Matches(File.ReadAllText(RepositoryLayout.Readme)).Select(m => m.Value).Distinct().ToList();
        return Assert.Single(matches);
    }

    private static JsonElement Primary(JsonElement result) =>
        Assert.Single(result.GetProperty("locations").EnumerateArray()).GetProperty("physicalLocation");

    private static (int Line, int Column) Start(JsonElement physicalLocation)
    {
        var region = physicalLocation.GetProperty("region");
        return (region.GetProperty("startLine").GetInt32(), region.GetProperty("startColumn").GetInt32());
    }

    [GeneratedRegex(@"-p:ErrorLog=[^\s`]+")]
    private static partial Regex ErrorLogArgument();
}
