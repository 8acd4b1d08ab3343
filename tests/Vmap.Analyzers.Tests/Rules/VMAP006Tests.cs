namespace Vmap.Analyzers.Tests.Rules;

public class VMAP006Tests
{
    [Fact]
    public Task Vfree_of_a_MapRam_result_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages)
            {
                var p = {|#1:space.MapRam(pages)|};
                space.Vfree({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1)
            .WithMessage("'p' was mapped by MapRam (family 'vmap-ram') at line 7 but is released by Vfree (family 'vmalloc'); release it with UnmapRam"));

    [Fact]
    public Task UnmapRam_of_a_Vmalloc_result_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space)
            {
                var p = {|#1:space.Vmalloc(8192)|};
                space.UnmapRam({|#0:p|}, 2);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1)
            .WithMessage("'p' was mapped by Vmalloc (family 'vmalloc') at line 7 but is released by UnmapRam (family 'vmap-ram'); release it with Vfree"));

    [Fact]
    public Task Family_without_a_release_method_names_none() => Verify.Analyzer(
        """
        using Vmap;
        using Vmap.Annotations;

        static class Foreign
        {
            [return: MapsMemory("ioremap")]
            public static nint Ioremap(long physical) => 4096;
        }

        class C
        {
            void M(VmapSpace space)
            {
                var p = {|#1:Foreign.Ioremap(0xfee00000)|};
                space.Vunmap({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1)
            .WithMessage("'p' was acquired by Ioremap (family 'ioremap') at line 14 but is released by Vunmap (family 'vmap')"));

    [Fact]
    public async Task Family_and_release_method_are_carried_for_the_fix()
    {
        var diagnostics = await Verify.Diagnostics(
            null,
            Verify.FakeApi,
            "using Vmap; class C { void M(VmapSpace s, Page[] pages) { var p = s.Vmap(pages); s.Vfree(p); } }");

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("vmap", diagnostic.Properties[DiagnosticProperties.Family]);
        Assert.Equal("Vunmap", diagnostic.Properties[DiagnosticProperties.ReleaseMethod]);
    }
}
