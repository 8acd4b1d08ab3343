namespace Vmap.Analyzers.Tests.Rules;

public class VMAP002Tests
{
    [Fact]
    public Task Local_overwritten_by_a_second_mapping_is_reported_at_the_overwrite() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages)
            {
                var p = {|#1:space.MapRam(pages)|};
                {|#0:p = space.MapRam(pages)|};
                space.UnmapRam(p, pages.Length);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in 'p' from MapRam at line 7 is lost: 'p' is overwritten at line 8 without being unmapped"));

    [Fact]
    public Task Local_overwritten_without_a_later_unmap_is_reported_once() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages, nint other)
            {
                var p = {|#1:space.Vmap(pages)|};
                {|#0:p = other|};
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in 'p' from Vmap at line 7 is lost: 'p' is overwritten at line 8 without being unmapped"));

    [Fact]
    public Task Mapping_leaked_on_an_early_return_is_reported_at_the_map_call() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages, bool abort)
            {
                var p = {|#0:space.MapRam(pages)|};
                if (abort)
                {
                    {|#1:return;|}
                }

                space.UnmapRam(p, pages.Length);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in 'p' from MapRam at line 7 is lost: it goes out of scope at line 10 without being unmapped, returned, stored or passed on"));

    [Fact]
    public Task Mapping_never_unmapped_is_reported_at_the_end_of_the_method() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            int M(VmapSpace space)
            {
                var p = {|#0:space.Vmalloc(4096)|};
                {|#1:return 0;|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in 'p' from Vmalloc at line 7 is lost: it goes out of scope at line 8 without being unmapped, returned, stored or passed on"));

    [Fact]
    public Task Mapping_leaked_by_falling_off_the_end_points_at_the_closing_brace() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages)
            {
                space.TryMapRam(pages, out var p);
            {|#1:}|}
        }
        """.Replace("space.TryMapRam(pages, out var p)", "{|#0:space.TryMapRam(pages, out var p)|}"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in 'p' from TryMapRam at line 7 is lost: it goes out of scope at line 8 without being unmapped, returned, stored or passed on"));

    [Fact]
    public Task Field_overwritten_in_one_method_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            private nint _addr;

            void Remap(VmapSpace space, Page[] pages)
            {
                _addr = {|#1:space.MapRam(pages)|};
                {|#0:_addr = space.MapRam(pages)|};
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in '_addr' from MapRam at line 9 is lost: '_addr' is overwritten at line 10 without being unmapped"));

    [Fact]
    public Task Mapping_per_loop_iteration_without_unmap_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages, int n)
            {
                nint p = 0;
                for (var i = 0; i < n; i++)
                {
                    {|#0:p = {|#1:space.MapRam(pages)|}|};
                }

                space.UnmapRam(p, pages.Length);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in 'p' from MapRam at line 10 is lost: 'p' is overwritten at line 10 without being unmapped"));

    [Fact]
    public async Task Loss_kind_tells_overwrite_from_out_of_scope()
    {
        var diagnostics = await Verify.Diagnostics(
            null,
            Verify.FakeApi,
            "using Vmap; class C { void A(VmapSpace s) { var p = s.Vmalloc(1); p = s.Vmalloc(2); s.Vfree(p); } void B(VmapSpace s) { var p = s.Vmalloc(1); } }");

        Assert.Equal(
            new[] { "Overwrite", "OutOfScope" },
            diagnostics.OrderBy(d => d.Location.SourceSpan.Start).Select(d => d.Properties[DiagnosticProperties.LossKind]).ToArray());
    }

    [Fact]
    public Task Mapping_skipped_by_continue_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[][] batches)
            {
                foreach (var pages in batches)
                {
                    var p = {|#0:space.MapRam(pages)|};
                    if (pages.Length == 0)
                    {
                        continue;
                    }

                    space.UnmapRam(p, pages.Length);
                {|#1:}|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in 'p' from MapRam at line 9 is lost: it goes out of scope at line 16 without being unmapped, returned, stored or passed on"));

    [Fact]
    public Task Loop_local_leaked_on_every_iteration_is_reported_once_at_its_scope_end() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages, int rounds)
            {
                for (var i = 0; i < rounds; i++)
                {
                    var p = {|#0:space.MapRam(pages)|};
                    space.GetSpan(p, 8).Clear();
                {|#1:}|}

                space.UnmapAliases();
            }
        }
        """.Replace("space.UnmapAliases();", string.Empty),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in 'p' from MapRam at line 9 is lost: it goes out of scope at line 11 without being unmapped, returned, stored or passed on"));

    [Fact]
    public Task Static_field_overwritten_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        static class Scratch
        {
            private static nint s_area;

            public static void Grow(VmapSpace space)
            {
                s_area = {|#1:space.Vmalloc(4096)|};
                {|#0:s_area = space.Vmalloc(8192)|};
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in 'Scratch.s_area' from Vmalloc at line 9 is lost: 'Scratch.s_area' is overwritten at line 10 without being unmapped"));
}
