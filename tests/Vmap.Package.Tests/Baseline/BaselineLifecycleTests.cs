using System.Text;
using System.Text.Json;
using Vmap.Package.Tests.Infrastructure;

namespace Vmap.Package.Tests.Baseline;

/// <summary>
/// A team adopts the rules on code with findings, through the installed package only: write the
/// baseline, keep building while the code changes around the accepted findings, fix one, rewrite.
/// One consumer goes through every step, so the story costs five builds.
/// </summary>
[Collection(PackedVmapCollection.Name)]
public sealed class BaselineLifecycleTests(PackedVmap package)
{
    private const string BaselineName = "vmap-baseline.txt";
    private const string SetPtrFile = "LogBuffer.cs";
    private const string Repointing = "        buf.Addr = other;\n";
    private const string SetPtrMember = "App.LogBufferCache.SetPtr(LogBuffer,nint)";
    private const string HelpUriBase = "https://github.com/vmapanalyzers/vmapanalyzers/blob/main/docs/rules/";

    [Fact]
    public void Baseline_accepts_existing_findings_survives_edits_around_them_reports_new_ones_and_shrinks_when_one_is_fixed()
    {
        var consumer = ConsumerProject.Create(package, Path.Combine(package.WorkDirectory, "baseline-lifecycle"), "SetPtr");
        var source = consumer.PathOf(SetPtrFile);
        var baseline = consumer.PathOf(BaselineName);

        // 1. Adopt: the update build accepts every finding and writes them; it prints none.
        // The fingerprint is FNV-1a 64 of the tokens on the finding's line, one blank apart.
        var setPtrPrint = Fnv1a("buf . Addr = other ;");
        Update(consumer, "(2 added, 0 removed)", SetPtrMember, setPtrPrint, "buf.Addr = other;");

        // 2. Lines inserted above the accepted findings move them; a new member re-points the field too.
        var original = File.ReadAllText(source);
        File.WriteAllText(source, original
            .Replace("public static class LogBufferCache\n{\n", "public static class LogBufferCache\n{\n    // Unrelated: the cache's size limit.\n    public const int Limit = 64;\n\n", StringComparison.Ordinal)
            .Replace("    public static void Free(", "    public static void Adopt(LogBuffer buf, nint linear)\n    {\n        buf.Addr = linear;\n    }\n\n    public static void Free(", StringComparison.Ordinal));
        var edited = consumer.Build("-p:ErrorLog=baseline.sarif%2Cversion=2.1");
        Assert.True(edited.Cli.ExitCode == 0, edited.Cli.Transcript);
        Assert.Equal(NewFindings(consumer), edited.Diagnostics.OrderBy(d => d.Id));
        var results = SarifResults(consumer.PathOf("baseline.sarif"));
        var setPtrLine = Line(source, "buf.Addr = other;");
        var adoptLine = Line(source, "buf.Addr = linear;");
        Assert.Equal(
            [
                ("VMAP001", setPtrLine, "VMAPB001"),
                ("VMAP001", adoptLine, null),
                ("VMAP002", setPtrLine, "VMAPB002"),
                ("VMAP002", adoptLine, null),
            ],
            results.OrderBy(r => r.Rule).ThenBy(r => r.Line));

        // 3. The accepted finding is fixed: its entries match nothing and say so, at their lines.
        File.WriteAllText(source, File.ReadAllText(source).Replace(Repointing, "        buf.PageCount = 0;\n", StringComparison.Ordinal));
        var fixedBuild = consumer.Build();
        Assert.True(fixedBuild.Cli.ExitCode == 0, fixedBuild.Cli.Transcript);
        Assert.Equal(
            [
                .. NewFindings(consumer),
                Stale(baseline, 4, $"VMAP001 {SetPtrFile} {SetPtrMember} {setPtrPrint} 0"),
                Stale(baseline, 5, $"VMAP002 {SetPtrFile} {SetPtrMember} {setPtrPrint} 0"),
            ],
            fixedBuild.Diagnostics.OrderBy(d => d.Id));

        // 4. Rewriting drops the fixed finding's entries and accepts the new ones; the build is quiet.
        Update(consumer, "(2 added, 2 removed)", "App.LogBufferCache.Adopt(LogBuffer,nint)", Fnv1a("buf . Addr = linear ;"), "buf.Addr = linear;");
        var quiet = consumer.Build();
        Assert.True(quiet.Cli.ExitCode == 0, quiet.Cli.Transcript);
        Assert.Empty(quiet.Diagnostics);
    }

    /// <summary>
    /// Runs the update: it prints no finding, says what changed, and leaves exactly the VMAP001 and
    /// VMAP002 entries of the one re-pointing in <paramref name="member"/>.
    /// </summary>
    private static void Update(ConsumerProject consumer, string change, string member, string fingerprint, string line)
    {
        var update = consumer.Build("-p:VmapUpdateBaseline=true");
        Assert.True(update.Cli.ExitCode == 0, update.Cli.Transcript);
        Assert.Empty(update.Diagnostics);
        var baseline = consumer.PathOf(BaselineName);
        Assert.Contains($"Vmap baseline: 2 entries in {baseline} {change}.", update.Cli.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(
            [
                $"VMAP001 {SetPtrFile} {member} {fingerprint} 0 {line}",
                $"VMAP002 {SetPtrFile} {member} {fingerprint} 0 {line}",
            ],
            File.ReadAllLines(baseline).Where(l => l.Length > 0 && l[0] != '#'));
    }

    /// <summary>VMAP001 and VMAP002 at the new member's re-pointing, which no entry accepts.</summary>
    private static BuildDiagnostic[] NewFindings(ConsumerProject consumer)
    {
        var path = consumer.PathOf(SetPtrFile);
        var line = Line(path, "buf.Addr = linear;");
        var map = Line(path, "space.MapRam(pages)");
        var unmap = Line(path, "space.UnmapRam(buf.Addr, buf.PageCount);");
        return
        [
            new(path, line, 9, "warning", "VMAP001", $"'buf.Addr' is unmapped holding memory that was never mapped: it is re-pointed at 'linear' at line {line} while it is unmapped by Free at line {unmap} ({HelpUriBase}VMAP001.md)"),
            new(path, line, 9, "warning", "VMAP002", $"The mapping in 'buf.Addr' from MapRam at line {map} is lost: it is re-pointed at line {line} without being unmapped first ({HelpUriBase}VMAP002.md)"),
        ];
    }

    private static BuildDiagnostic Stale(string baseline, int line, string key) =>
        new(baseline, line, 1, "warning", "VMAP900", $"Baseline entry '{key}' matches no finding any more; remove it or rewrite the baseline with 'dotnet build -p:VmapUpdateBaseline=true' ({HelpUriBase}VMAP900.md)");

    /// <summary>Each VMAP result of a SARIF 2.1 log: rule, line, and the id of the suppression that suppressed it (null if none).</summary>
    private static List<(string Rule, int Line, string? SuppressedBy)> SarifResults(string path)
    {
        using var sarif = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
        var run = Assert.Single(sarif.RootElement.GetProperty("runs").EnumerateArray());
        return run.GetProperty("results").EnumerateArray()
            .Where(r => r.GetProperty("ruleId").GetString()!.StartsWith("VMAP", StringComparison.Ordinal))
            .Select(r => (
                r.GetProperty("ruleId").GetString()!,
                r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32(),
                r.TryGetProperty("suppressions", out var suppressions) ? SuppressionId(Assert.Single(suppressions.EnumerateArray())) : null))
            .ToList();
    }

    /// <summary>
    /// Roslyn writes a suppressor's suppression as <c>kind: inSource</c> with the suppressor's id
    /// and justification in <c>properties.suppressionType</c>.
    /// </summary>
    private static string SuppressionId(JsonElement suppression)
    {
        Assert.Equal("inSource", suppression.GetProperty("kind").GetString());
        var type = suppression.GetProperty("properties").GetProperty("suppressionType").GetString()!;
        Assert.EndsWith("Suppression Justification: Accepted in the Vmap baseline file (docs/baseline.md) }", type, StringComparison.Ordinal);
        const string Marker = "Suppression Id: ";
        var start = type.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length;
        return type[start..type.IndexOf(',', start)];
    }

    private static int Line(string path, string text)
    {
        var index = Array.FindIndex(File.ReadAllLines(path), l => l.Contains(text, StringComparison.Ordinal));
        Assert.True(index >= 0, $"{path} has no '{text}'.");
        return index + 1;
    }

    private static string Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash.ToString("x16");
    }
}
