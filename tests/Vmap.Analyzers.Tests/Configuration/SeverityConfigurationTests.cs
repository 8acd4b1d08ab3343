using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace Vmap.Analyzers.Tests.Configuration;

/// <summary>
/// <c>dotnet_diagnostic.VMAP00n.severity</c> in .editorconfig is what users reach for first; each
/// rule's diagnostic must come out as an error, or not at all, when configured so, and the other
/// rules must not be affected. The compilation is built as csc builds it from an .editorconfig
/// (<see cref="EditorConfigCompilation"/>): the testing library's workspace path honours
/// <c>none</c> but not <c>error</c> for analyzer diagnostics, so it cannot prove this.
/// </summary>
public class SeverityConfigurationTests
{
    /// <summary>One method per rule, each producing exactly one diagnostic of that rule.</summary>
    private const string Source = """
        using Vmap;

        class Rules
        {
            void Vmap001(VmapSpace space, Page[] pages)
            {
                nint p = space.MapRam(pages);
                {|#1:p += 4096|};
                space.UnmapRam({|#0:p|}, pages.Length);
            }

            void Vmap002(VmapSpace space, Page[] pages, Page[] next)
            {
                nint p = {|#3:space.MapRam(pages)|};
                {|#2:p = space.MapRam(next)|};
                space.UnmapRam(p, next.Length);
            }

            void Vmap003(VmapSpace space, Page[] pages)
            {
                nint p = space.MapRam(pages);
                space.UnmapRam({|#5:p|}, pages.Length);
                space.UnmapRam({|#4:p|}, pages.Length);
            }

            void Vmap004(VmapSpace space, Page[] pages)
            {
                nint p = space.MapRam(pages);
                space.UnmapRam({|#7:p|}, pages.Length);
                space.GetSpan({|#6:p|}, 16);
            }

            void Vmap005(VmapSpace space, Page[] pages)
            {
                nint p = space.MapRam({|#9:pages|});
                space.UnmapRam(p, {|#8:pages.Length + 1|});
            }

            void Vmap006(VmapSpace space, Page[] pages)
            {
                nint p = {|#11:space.MapRam(pages)|};
                space.Vfree({|#10:p|});
            }
        }

        sealed class Vmap008 : System.IDisposable
        {
            private readonly VmapSpace _space = new();
            private nint _area;

            public Vmap008() => _area = _space.Vmalloc(4096);

            public void {|#13:Dispose|}() => _space.Vfree({|#12:_area|});
        }

        static class Vmap010
        {
            [System.Runtime.InteropServices.DllImport("libc")]
            static extern nint mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

            static nint Map()
            {
                var p = {|#15:mmap(0, 4096, 3, 0x22, -1, 0)|};
                return p == {|#14:0|} ? throw new System.OutOfMemoryException() : p;
            }
        }
        """;

    private static readonly string[] AllRuleIds = [RuleIds.VMAP001, RuleIds.VMAP002, RuleIds.VMAP003, RuleIds.VMAP004, RuleIds.VMAP005, RuleIds.VMAP006, RuleIds.VMAP008, RuleIds.VMAP010];

    [Fact]
    public Task Without_configuration_every_rule_warns()
        => VerifyAsync(editorConfig: null, configured: null, severity: DiagnosticSeverity.Warning);

    [Theory]
    [MemberData(nameof(Rules))]
    public Task Severity_error_turns_only_that_rule_into_an_error(string id)
        => VerifyAsync($"dotnet_diagnostic.{id}.severity = error", id, DiagnosticSeverity.Error);

    [Theory]
    [MemberData(nameof(Rules))]
    public Task Severity_none_silences_only_that_rule(string id)
        => VerifyAsync($"dotnet_diagnostic.{id}.severity = none", id, severity: null);

    public static TheoryData<string> Rules() => new(AllRuleIds);

    /// <summary>
    /// Every rule's diagnostic at its marked span (markup #2i, additional location #2i+1) as a
    /// warning, except <paramref name="configured"/> at <paramref name="severity"/> (null: absent).
    /// </summary>
    private static async Task VerifyAsync(string? editorConfig, string? configured, DiagnosticSeverity? severity)
    {
        TestFileMarkupParser.GetSpans(Source, out var text, out ImmutableDictionary<string, ImmutableArray<TextSpan>> spans);
        var config = editorConfig is null ? null : $"root = true\n\n[*.cs]\n{editorConfig}\n";
        var diagnostics = await EditorConfigCompilation.AnalyzeAsync(text, config);

        var expected = AllRuleIds
            .Select((id, i) => (Id: id, Severity: id == configured ? severity : DiagnosticSeverity.Warning, At: spans[$"#{2 * i}"].Single(), Related: spans[$"#{2 * i + 1}"].Single()))
            .Where(e => e.Severity is not null)
            .Select(e => $"{e.Id} {e.Severity} {e.At} {e.Related}");
        var actual = diagnostics.Select(d => $"{d.Id} {d.Severity} {d.Location.SourceSpan} {string.Join(",", d.AdditionalLocations.Select(l => l.SourceSpan))}");
        Assert.Equal(expected, actual);
    }
}
