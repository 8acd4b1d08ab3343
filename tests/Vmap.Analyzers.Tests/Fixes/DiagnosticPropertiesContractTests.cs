using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Vmap.Analyzers.Tests.Fixes;

/// <summary>
/// The fixes start from the additional locations the analyzers promise in
/// <c>DiagnosticProperties</c> (the contract between the two assemblies). Each case here is one
/// bullet of that contract: the diagnostic's primary location and <c>AdditionalLocations[0]</c>
/// must be exactly the marked spans (#0, #1), and the node there must be the kind of syntax the
/// contract names, which is what the fix looks for.
/// </summary>
public class DiagnosticPropertiesContractTests
{
    private const string Buffer = """
        using Vmap;

        sealed class LogBuffer
        {
            public nint Addr;
            public bool Mapped;
            public Page[] Pages = new Page[0];
        }

        sealed class BufferCache
        {
            private readonly VmapSpace _space;

            public BufferCache(VmapSpace space) => _space = space;

            public void Map(LogBuffer bp)
            {
                bp.Addr = {|#2:_space.MapRam(bp.Pages)|};
                bp.Mapped = true;
            }

            public void Free(LogBuffer buffer)
            {
                if (buffer.Mapped)
                    _space.UnmapRam({|#3:buffer.Addr|}, buffer.Pages.Length);
            }

            public void SetPtr(LogBuffer bp, nint linear)
            {
                {|#4:bp.Addr = linear|};
            }
        }
        """;

    public static TheoryData<string, string, string, string, string, string> Contract() => new()
    {
        {
            "VMAP001 local: the unmapped argument; [0] the reassignment",
            RuleIds.VMAP001, "Local",
            "void M(VmapSpace s, Page[] pages) { nint p = s.MapRam(pages); {|#1:p += 64|}; s.UnmapRam({|#0:p|}, pages.Length); }",
            nameof(IdentifierNameSyntax), nameof(AssignmentExpressionSyntax)
        },
        {
            "VMAP001 local: the unmapped argument; [0] the arithmetic that made a pointer from the mapping",
            RuleIds.VMAP001, "Local",
            "void M(VmapSpace s, Page[] pages) { nint p = s.MapRam(pages); var header = {|#1:p + 64|}; s.UnmapRam({|#0:header|}, pages.Length); }",
            nameof(IdentifierNameSyntax), nameof(BinaryExpressionSyntax)
        },
        {
            "VMAP001 foreign: the released argument; [0] the argument itself (a new array)",
            RuleIds.VMAP001, "Foreign",
            "void M() { System.Buffers.ArrayPool<byte>.Shared.Return({|#0:{|#1:new byte[16]|}|}); }",
            nameof(ArrayCreationExpressionSyntax), nameof(ArrayCreationExpressionSyntax)
        },
        {
            "VMAP002 overwrite: the overwriting assignment; [0] the map call",
            RuleIds.VMAP002, "Overwrite",
            "void M(VmapSpace s, Page[] pages) { nint p = {|#1:s.MapRam(pages)|}; {|#0:p = s.MapRam(pages)|}; s.UnmapRam(p, pages.Length); }",
            nameof(AssignmentExpressionSyntax), nameof(InvocationExpressionSyntax)
        },
        {
            "VMAP002 out of scope: the map call; [0] the return where the mapping goes out of scope",
            RuleIds.VMAP002, "OutOfScope",
            "int M(VmapSpace s, Page[] pages) { nint p = {|#0:s.MapRam(pages)|}; {|#1:return 1;|} }",
            nameof(InvocationExpressionSyntax), nameof(ReturnStatementSyntax)
        },
        {
            "VMAP002 out of scope: the map call; [0] the closing brace of the body",
            RuleIds.VMAP002, "OutOfScope",
            "void M(VmapSpace s, Page[] pages) { nint p = {|#0:s.MapRam(pages)|}; {|#1:}|}",
            nameof(InvocationExpressionSyntax), nameof(BlockSyntax)
        },
        {
            "VMAP003: the argument of the second unmap; [0] the argument of the first",
            RuleIds.VMAP003, "true",
            "void M(VmapSpace s, Page[] pages) { nint p = s.MapRam(pages); s.UnmapRam({|#1:p|}, pages.Length); s.UnmapRam({|#0:p|}, pages.Length); }",
            nameof(IdentifierNameSyntax), nameof(IdentifierNameSyntax)
        },
        {
            "VMAP004: the use; [0] the argument of the unmap",
            RuleIds.VMAP004, "",
            "void M(VmapSpace s, Page[] pages) { nint p = s.MapRam(pages); s.UnmapRam({|#1:p|}, pages.Length); s.GetSpan({|#0:p|}, 16).Clear(); }",
            nameof(IdentifierNameSyntax), nameof(IdentifierNameSyntax)
        },
        {
            "VMAP005: the count argument of the unmap; [0] the count argument of the map call",
            RuleIds.VMAP005, "pages.Length",
            "void M(VmapSpace s, Page[] pages) { nint p = s.MapRam({|#1:pages|}); s.UnmapRam(p, {|#0:pages.Length + 1|}); }",
            nameof(BinaryExpressionSyntax), nameof(IdentifierNameSyntax)
        },
        {
            "VMAP006: the argument of the release; [0] the map call",
            RuleIds.VMAP006, "vmap-ram",
            "void M(VmapSpace s, Page[] pages) { nint p = {|#1:s.MapRam(pages)|}; s.Vfree({|#0:p|}); }",
            nameof(IdentifierNameSyntax), nameof(InvocationExpressionSyntax)
        },
    };

    [Theory]
    [MemberData(nameof(Contract))]
    public async Task Each_rule_puts_its_locations_where_the_contract_says(string bullet, string id, string property, string method, string primaryKind, string additionalKind)
    {
        var (source, spans) = Markup("using Vmap;\n\nclass C\n{\n    " + method + "\n}\n");
        var diagnostic = Assert.Single((await Verify.Diagnostics(null, Verify.FakeApi, source)).Where(d => d.Id == id));

        Assert.Equal(spans[0], diagnostic.Location.SourceSpan);
        Assert.Equal(spans[1], Assert.Single(diagnostic.AdditionalLocations).SourceSpan);
        var root = await diagnostic.Location.SourceTree!.GetRootAsync();
        Assert.Equal(primaryKind, root.FindNode(spans[0], getInnermostNodeForTie: true).GetType().Name);
        Assert.Equal(additionalKind, root.FindNode(spans[1], getInnermostNodeForTie: true).GetType().Name);
        Assert.Equal(property, PickingProperty(diagnostic) ?? string.Empty);
        Assert.False(string.IsNullOrEmpty(bullet));
    }

    [Fact]
    public async Task VMAP001_field_and_VMAP002_repointed_share_the_re_pointing_and_name_the_unmap_and_the_map_call()
    {
        var (source, spans) = Markup(Buffer);
        var diagnostics = await Verify.Diagnostics(null, Verify.FakeApi, source);

        // VMAP001 field: the re-pointing assignment; [0] the unmapped argument in the method that unmaps the field.
        var field = Assert.Single(diagnostics.Where(d => d.Id == RuleIds.VMAP001));
        Assert.Equal(("Field", spans[4], spans[3]), (field.Properties["Shape"], field.Location.SourceSpan, Assert.Single(field.AdditionalLocations).SourceSpan));

        // VMAP002 re-pointed: the same assignment; [0] the map call that gave the member its mapping.
        var lost = Assert.Single(diagnostics.Where(d => d.Id == RuleIds.VMAP002));
        Assert.Equal(("Repointed", spans[4], spans[2]), (lost.Properties["LossKind"], lost.Location.SourceSpan, Assert.Single(lost.AdditionalLocations).SourceSpan));

        var root = await field.Location.SourceTree!.GetRootAsync();
        Assert.IsType<AssignmentExpressionSyntax>(root.FindNode(spans[4], getInnermostNodeForTie: true));
        Assert.IsType<MemberAccessExpressionSyntax>(root.FindNode(spans[3], getInnermostNodeForTie: true));
        Assert.IsType<InvocationExpressionSyntax>(root.FindNode(spans[2], getInnermostNodeForTie: true));
    }

    [Fact]
    public Task VMAP007_has_no_location_at_all()
    {
        // The framework asserts a result without locations has none, additional ones included.
        const string Source = "class C { }";
        return FixVerifier<Vmap.CodeFixes.VMAP005_UseMappedCountFix>.VerifyBuiltInNoFixAsync(
            Source,
            FixVerifier<Vmap.CodeFixes.VMAP005_UseMappedCountFix>.EditorConfig(("bad", "acquire: Native.Missing.Open")),
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult(RuleIds.VMAP007, DiagnosticSeverity.Warning));
    }

    /// <summary>The property a fix picks its case by: VMAP001 Shape, VMAP002 LossKind, VMAP003 Redundant, VMAP005 MappedCount, VMAP006 Family.</summary>
    private static string? PickingProperty(Diagnostic diagnostic)
    {
        foreach (var key in new[] { "Shape", "LossKind", "Redundant", "MappedCount", "Family" })
        {
            if (diagnostic.Properties.TryGetValue(key, out var value))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Strips <c>{|#n:...|}</c> markup (nesting allowed) and returns each marked span by its number.</summary>
    private static (string Source, Dictionary<int, TextSpan> Spans) Markup(string markup)
    {
        var text = new System.Text.StringBuilder();
        var open = new Stack<(int Id, int Start)>();
        var spans = new Dictionary<int, TextSpan>();
        for (var i = 0; i < markup.Length; i++)
        {
            var start = Regex.Match(markup.Substring(i), @"^\{\|#(\d+):");
            if (start.Success)
            {
                open.Push((int.Parse(start.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), text.Length));
                i += start.Length - 1;
            }
            else if (markup[i] == '|' && i + 1 < markup.Length && markup[i + 1] == '}' && open.Count > 0)
            {
                var (id, from) = open.Pop();
                spans[id] = TextSpan.FromBounds(from, text.Length);
                i++;
            }
            else
            {
                text.Append(markup[i]);
            }
        }

        return (text.ToString(), spans);
    }
}
