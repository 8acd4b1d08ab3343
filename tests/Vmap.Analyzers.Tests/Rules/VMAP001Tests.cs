using Microsoft.CodeAnalysis;

namespace Vmap.Analyzers.Tests.Rules;

public class VMAP001Tests
{
    [Fact]
    public Task Local_repointed_at_another_pointer_is_reported_at_the_unmap() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages, nint q)
            {
                var p = space.MapRam(pages);
                {|#1:p = q|};
                space.UnmapRam({|#0:p|}, pages.Length);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped here but holds memory that was never mapped: it became 'q' at line 8 after MapRam mapped it at line 7"));

    [Fact]
    public Task Local_moved_by_an_offset_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                {|#1:p += 4096|};
                space.UnmapRam({|#0:p|}, pages.Length);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped here but holds memory that was never mapped: it became an offset of the mapping at line 8 after MapRam mapped it at line 7"));

    [Fact]
    public Task Local_set_to_a_constant_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages)
            {
                nint p = space.Vmalloc(8192);
                {|#1:p = 0x1000|};
                space.Vfree({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped here but holds memory that was never mapped: it became the constant 0x1000 at line 8 after Vmalloc mapped it at line 7"));

    [Fact]
    public Task Local_set_to_memory_from_elsewhere_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            static nint Linear() => 64;

            void M(VmapSpace space, Page[] pages)
            {
                nint p = space.Vmap(pages);
                if (pages.Length == 1)
                {
                    {|#1:p = Linear()|};
                }

                space.Vunmap({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped here but on some path holds memory that was never mapped: on every path through line 12 it became memory from elsewhere ('Linear()'), not the start Vmap mapped at line 9"));

    [Fact]
    public Task Unmapping_an_offset_kept_in_another_local_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                var header = {|#1:p + 64|};
                space.UnmapRam({|#0:header|}, pages.Length);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'header' is unmapped here but holds memory that was never mapped: it became an offset of the mapping at line 8 after MapRam mapped it at line 7"));

    private const string XfsBuffer = """
        using Vmap;

        class XfsBuf
        {
            public nint Addr;
            public bool Mapped;
            public int PageCount;
            public Page[] Pages = new Page[0];
        }

        class BufCache
        {
            public void MapBuffer(VmapSpace space, XfsBuf bp)
            {
                if (bp.PageCount > 1)
                {
                    bp.Addr = space.MapRam(bp.Pages);
                    bp.Mapped = true;
                }
            }

            public void FreeBuffer(VmapSpace space, XfsBuf bp)
            {
                if (bp.Mapped && bp.PageCount > 1)
                {
                    space.UnmapRam({|#1:bp.Addr|}, bp.PageCount);
                }
            }
        }

        """;

    [Fact]
    public Task Xfs_shape_is_reported_at_the_repointing() => Verify.Analyzer(
        XfsBuffer + """
        class Log
        {
            public void SetPtr(XfsBuf bp, nint ptr)
            {
                {|#0:bp.Addr = ptr|};
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'bp.Addr' is unmapped holding memory that was never mapped: it is re-pointed at 'ptr' at line 34 while it is unmapped by FreeBuffer at line 26 when 'Mapped' is set"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithSpan(17, 23, 17, 45)
            .WithMessage("The mapping in 'bp.Addr' from MapRam at line 17 is lost: it is re-pointed at line 34 without being unmapped first"));

    [Fact]
    public Task Xfs_shape_fixed_by_unmapping_and_clearing_the_flag_first_is_not_reported() => Verify.Analyzer(
        XfsBuffer.Replace("{|#1:bp.Addr|}", "bp.Addr") + """
        class Log
        {
            public void SetPtr(VmapSpace space, XfsBuf bp, nint ptr)
            {
                if (bp.Mapped)
                {
                    space.UnmapRam(bp.Addr, bp.PageCount);
                    bp.Mapped = false;
                }

                bp.Addr = ptr;
            }
        }
        """);

    [Fact]
    public Task Xfs_shape_unmapped_but_flag_left_set_is_reported() => Verify.Analyzer(
        XfsBuffer + """
        class Log
        {
            public void SetPtr(VmapSpace space, XfsBuf bp, nint ptr)
            {
                if (bp.Mapped)
                {
                    space.UnmapRam(bp.Addr, bp.PageCount);
                }

                {|#0:bp.Addr = ptr|};
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'bp.Addr' is unmapped holding memory that was never mapped: it is re-pointed at 'ptr' at line 39 while it is unmapped by FreeBuffer at line 26 when 'Mapped' is set"));

    [Fact]
    public Task Repointing_a_field_of_this_is_reported_across_types() => Verify.Analyzer(
        """
        using Vmap;

        class Buffer
        {
            private readonly VmapSpace _space;
            private nint _addr;
            private int _pages;

            public Buffer(VmapSpace space) { _space = space; }

            public void Map(Page[] pages)
            {
                _addr = _space.MapRam(pages);
                _pages = pages.Length;
            }

            public void Borrow(nint linear)
            {
                {|#0:_addr = linear|};
            }

            public void Free()
            {
                _space.UnmapRam({|#1:_addr|}, _pages);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'_addr' is unmapped holding memory that was never mapped: it is re-pointed at 'linear' at line 19 while it is unmapped by Free at line 24"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithSpan(13, 17, 13, 37)
            .WithMessage("The mapping in '_addr' from MapRam at line 13 is lost: it is re-pointed at line 19 without being unmapped first"));

    [Fact]
    public async Task Field_shape_carries_field_and_flag_names_for_the_fix()
    {
        var diagnostics = await Verify.Diagnostics(
            null,
            Verify.FakeApi,
            XfsBuffer.Replace("{|#1:bp.Addr|}", "bp.Addr") + "class Log { public void SetPtr(XfsBuf bp, nint ptr) { bp.Addr = ptr; } }");

        Assert.Equal(new[] { RuleIds.VMAP001, RuleIds.VMAP002 }, diagnostics.Select(d => d.Id).OrderBy(id => id));
        var lost = diagnostics.Single(d => d.Id == RuleIds.VMAP002);
        Assert.Equal(DiagnosticProperties.LossRepointed, lost.Properties[DiagnosticProperties.LossKind]);
        var diagnostic = diagnostics.Single(d => d.Id == RuleIds.VMAP001);
        Assert.Equal(diagnostic.Location, lost.Location);
        Assert.Equal("Field", diagnostic.Properties[DiagnosticProperties.Shape]);
        Assert.Equal("Addr", diagnostic.Properties[DiagnosticProperties.FieldName]);
        Assert.Equal("Mapped", diagnostic.Properties[DiagnosticProperties.FlagName]);
        Assert.Equal("bp.Addr", diagnostic.Properties[DiagnosticProperties.Target]);
        Assert.Equal("bp.Addr", Assert.Single(diagnostic.AdditionalLocations).SourceTree!.GetText().ToString(Assert.Single(diagnostic.AdditionalLocations).SourceSpan));
    }

    [Fact]
    public async Task Local_shape_has_no_field_properties()
    {
        var diagnostics = await Verify.Diagnostics(
            null,
            Verify.FakeApi,
            "using Vmap; class C { void M(VmapSpace s, Page[] pages, nint q) { var p = s.MapRam(pages); p = q; s.UnmapRam(p, pages.Length); } }");

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("Local", diagnostic.Properties[DiagnosticProperties.Shape]);
        Assert.False(diagnostic.Properties.ContainsKey(DiagnosticProperties.FieldName));
        Assert.False(diagnostic.Properties.ContainsKey(DiagnosticProperties.FlagName));
    }
}
