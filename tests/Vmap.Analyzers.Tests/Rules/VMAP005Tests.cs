namespace Vmap.Analyzers.Tests.Rules;

public class VMAP005Tests
{
    [Fact]
    public Task Length_plus_one_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam({|#1:pages|});
                space.UnmapRam(p, {|#0:pages.Length + 1|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped with a count of 'pages.Length + 1' but MapRam mapped 'pages.Length' pages at line 7"));

    [Fact]
    public Task Twice_the_mapped_length_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam({|#1:pages|});
                space.UnmapRam(p, {|#0:pages.Length * 2|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped with a count of 'pages.Length * 2' but MapRam mapped 'pages.Length' pages at line 7"));

    [Fact]
    public Task Constant_count_against_a_known_array_length_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space)
            {
                var pages = new Page[4];
                var p = space.MapRam({|#1:pages|});
                space.UnmapRam(p, {|#0:1|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped with a count of '1' but MapRam mapped 'pages.Length' (4) pages at line 8"));

    [Fact]
    public Task Collection_expression_count_is_known() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page a, Page b, Page c)
            {
                space.TryMapRam({|#1:[a, b, c]|}, out var p);
                space.UnmapRam(p, {|#0:2|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped with a count of '2' but TryMapRam mapped '3' pages at line 7"));

    [Fact]
    public Task Different_local_constants_are_reported() => Verify.Analyzer(
        """
        using System;
        using Vmap;

        class C
        {
            void M(VmapSpace space)
            {
                const int count = 8;
                Span<Page> pages = stackalloc Page[count];
                var p = space.MapRam({|#1:pages|});
                int n = 4;
                space.UnmapRam(p, {|#0:n|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped with a count of 'n' but MapRam mapped 'pages.Length' (8) pages at line 10"));

    [Fact]
    public async Task Mapped_count_text_is_carried_for_the_fix()
    {
        var diagnostics = await Verify.Diagnostics(
            null,
            Verify.FakeApi,
            "using Vmap; class C { void M(VmapSpace s, Page[] pages) { var p = s.MapRam(pages); s.UnmapRam(p, pages.Length - 1); } }");

        Assert.Equal("pages.Length", Assert.Single(diagnostics).Properties[DiagnosticProperties.MappedCount]);
    }
}
