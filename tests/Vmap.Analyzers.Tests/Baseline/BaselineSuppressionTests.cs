using System.Text;
using static Vmap.Analyzers.Tests.Baseline.BaselineCompilation;

namespace Vmap.Analyzers.Tests.Baseline;

/// <summary>
/// The baseline through the compiler's driver: the suppressor suppresses what the file lists, the
/// analyzers report entries nothing matches and lines that are no entry, and an update build
/// accepts and records everything.
/// </summary>
public class BaselineSuppressionTests
{
    // Line 12: VMAP003 at 'p' (column 29); line 18: VMAP002 at the overwrite (column 9).
    private const string Source = """
        using System;
        using System.Runtime.InteropServices;

        namespace Cache;

        public static class Buffers
        {
            public static void Twice()
            {
                var p = Marshal.AllocHGlobal(16);
                Marshal.FreeHGlobal(p);
                Marshal.FreeHGlobal(p);
            }

            public static void Lost(int n)
            {
                var q = Marshal.AllocHGlobal(n);
                q = IntPtr.Zero;
            }
        }
        """;

    private const string File = "Cache/Buffers.cs";
    private const string Header = "# accepted findings\n\n";
    private const string StaleMessage = "Baseline entry '{0}' matches no finding any more; remove it or rewrite the baseline with 'dotnet build -p:VmapUpdateBaseline=true'";

    private static readonly string FreePrint = Fnv1a("Marshal . FreeHGlobal ( p ) ;");
    private static readonly string OverwritePrint = Fnv1a("q = IntPtr . Zero ;");
    private static readonly string TwiceEntry = $"VMAP003 {File} Cache.Buffers.Twice() {FreePrint} 0";
    private static readonly string LostEntry = $"VMAP002 {File} Cache.Buffers.Lost(int) {OverwritePrint} 0";

    [Fact]
    public async Task A_listed_finding_is_suppressed_and_an_unlisted_one_reported()
    {
        var diagnostics = await AnalyzeAsync(Source, Header + TwiceEntry + " Marshal.FreeHGlobal(p);\n");

        Assert.Equal(
            [("VMAP003", SourcePath, 12, 29, true), ("VMAP002", SourcePath, 18, 9, false)],
            diagnostics.Select(Shape).Select(d => (d.Id, d.File, d.Line, d.Column, d.Suppressed)));
    }

    [Fact]
    public async Task Lines_inserted_above_and_the_finding_reformatted_and_commented_keep_the_entry_matching()
    {
        var edited = Source
            .Replace("public static class Buffers\n{\n", "public static class Buffers\n{\n    private const int Limit = 64;\n\n    // Unrelated.\n", StringComparison.Ordinal)
            .Replace("        Marshal.FreeHGlobal(p);\n    }", "        Marshal . FreeHGlobal( p );   // known double free\n    }", StringComparison.Ordinal);

        var diagnostics = await AnalyzeAsync(edited, Header + TwiceEntry + "\n" + LostEntry + "\n");

        Assert.Equal(
            [("VMAP003", 15, true), ("VMAP002", 21, true)],
            diagnostics.Select(Shape).Select(d => (d.Id, d.Line, d.Suppressed)));
    }

    [Fact]
    public async Task Findings_with_the_same_key_are_told_apart_by_occurrence_in_file_order()
    {
        var thrice = Source.Replace("        Marshal.FreeHGlobal(p);\n    }", "        Marshal.FreeHGlobal(p);\n        Marshal.FreeHGlobal(p);\n    }", StringComparison.Ordinal);

        var diagnostics = await AnalyzeAsync(thrice, Header + TwiceEntry + "\n" + LostEntry + "\n");

        Assert.Equal(
            [("VMAP003", 12, true), ("VMAP003", 13, false), ("VMAP002", 19, true)],
            diagnostics.Select(Shape).Select(d => (d.Id, d.Line, d.Suppressed)));
    }

    [Fact]
    public async Task An_entry_that_matches_nothing_is_reported_once_at_its_line_and_the_finding_it_missed_stays()
    {
        // The finding moved to another member: same rule, file and line text, different member.
        var otherMember = $"VMAP002 {File} Cache.Buffers.Gone(int) {OverwritePrint} 0";
        var baseline = Header + TwiceEntry + "\n" + otherMember + " q = IntPtr.Zero;\n";

        var diagnostics = await AnalyzeAsync(Source, baseline);

        Assert.Equal(
            [
                ("VMAP003", SourcePath, 12, 29, null, true),
                ("VMAP002", SourcePath, 18, 9, null, false),
                ("VMAP900", BaselinePath, 4, 1, string.Format(StaleMessage, otherMember), false),
            ],
            diagnostics.Select(Shape).Select(d => (d.Id, d.File, d.Line, d.Column, BaselineMessage(d), d.Suppressed)));
    }

    [Fact]
    public async Task Stale_entries_are_not_reported_where_the_targets_turn_that_off()
    {
        var baseline = Header + TwiceEntry + "\n" + $"VMAP002 {File} Cache.Buffers.Gone(int) {OverwritePrint} 0\n";

        var diagnostics = await AnalyzeAsync(Source, baseline, reportStale: false);

        Assert.Equal(
            [("VMAP003", true), ("VMAP002", false)],
            diagnostics.Select(Shape).Select(d => (d.Id, d.Suppressed)));
    }

    [Fact]
    public async Task Each_line_that_is_no_entry_is_reported_once_with_the_reason()
    {
        var baseline = Header + string.Join("\n", [
            TwiceEntry,
            "VMAP002 Cache/Buffers.cs",
            $"VMAP007 .editorconfig - {OverwritePrint} 0",
            TwiceEntry + " the same again",
            LostEntry,
        ]) + "\n";

        var diagnostics = await AnalyzeAsync(Source, baseline);

        Assert.Equal(
            [
                ("VMAP003", SourcePath, 12, true, null),
                ("VMAP002", SourcePath, 18, true, null),
                ("VMAP900", BaselinePath, 4, false, "Baseline line 'VMAP002 Cache/Buffers.cs' is not an entry and matches nothing: an entry has five fields (rule, file, member, fingerprint, occurrence); this line has 2"),
                ("VMAP900", BaselinePath, 5, false, $"Baseline line 'VMAP007 .editorconfig - {OverwritePrint} 0' is not an entry and matches nothing: no finding of VMAP007 can be in a baseline (only VMAP001-VMAP006 and VMAP008)"),
                ("VMAP900", BaselinePath, 6, false, $"Baseline line '{TwiceEntry} the same again' is not an entry and matches nothing: the same entry is on line 3 already"),
            ],
            diagnostics.Select(Shape).Select(d => (d.Id, d.File, d.Line, d.Suppressed, BaselineMessage(d))));
    }

    [Fact]
    public async Task An_update_accepts_every_finding_and_records_each_as_its_entry()
    {
        var diagnostics = await AnalyzeAsync(Source, baseline: null, update: true);

        Assert.Equal(
            [
                ("VMAP003", 12, true, null),
                ("VMAP901", 12, true, $"Baseline entry: {TwiceEntry} Marshal.FreeHGlobal(p);"),
                ("VMAP002", 18, true, null),
                ("VMAP901", 18, true, $"Baseline entry: {LostEntry} q = IntPtr.Zero;"),
            ],
            diagnostics.Select(Shape).Select(d => (d.Id, d.Line, d.Suppressed, BaselineMessage(d))));
    }

    [Fact]
    public async Task An_update_ignores_the_old_baseline_and_reports_none_of_its_entries_stale()
    {
        var diagnostics = await AnalyzeAsync(Source, Header + $"VMAP002 {File} Cache.Buffers.Gone(int) {OverwritePrint} 0\nnot an entry\n", update: true);

        Assert.Equal(["VMAP003", "VMAP901", "VMAP002", "VMAP901"], diagnostics.Select(d => d.Id));
        Assert.All(diagnostics, d => Assert.True(d.IsSuppressed, d.ToString()));
    }

    [Fact]
    public async Task Without_a_baseline_or_an_update_nothing_is_suppressed_or_added()
    {
        var diagnostics = await AnalyzeAsync(Source, baseline: null);

        Assert.Equal([("VMAP003", false), ("VMAP002", false)], diagnostics.Select(Shape).Select(d => (d.Id, d.Suppressed)));
    }

    /// <summary>The message of a baseline diagnostic; null for a rule's finding, whose wording its own tests pin.</summary>
    private static string? BaselineMessage((string Id, string File, int Line, int Column, string Message, bool Suppressed) d) =>
        d.Id.StartsWith("VMAP9", StringComparison.Ordinal) ? d.Message : null;

    /// <summary>
    /// A member marked <c>[GeneratedCode]</c> in a hand-written file is skipped as the driver skips
    /// it for code block actions: its double free is never found, so its entry is stale. AnalyzeAsync
    /// runs the IDE's registration and the build's (BuildRegistration), which must agree; without
    /// build mode's own check the build would find the double free and keep the entry.
    /// </summary>
    [Fact]
    public async Task An_entry_for_a_finding_in_a_GeneratedCode_member_is_stale_in_both_registrations()
    {
        var generated = Source.Replace("    public static void Twice()", "    [System.CodeDom.Compiler.GeneratedCode(\"tool\", \"1\")] public static void Twice()", StringComparison.Ordinal);
        Assert.NotEqual(Source, generated);

        var diagnostics = await AnalyzeAsync(generated, Header + TwiceEntry + "\n");

        Assert.Equal(
            [
                ("VMAP002", SourcePath, 18, 9, null, false),
                ("VMAP900", BaselinePath, 3, 1, string.Format(StaleMessage, TwiceEntry), false),
            ],
            diagnostics.Select(Shape).Select(d => (d.Id, d.File, d.Line, d.Column, BaselineMessage(d), d.Suppressed)));
    }

    /// <summary>The fingerprint as docs/baseline.md specifies it, computed apart from the analyzer's code.</summary>
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
