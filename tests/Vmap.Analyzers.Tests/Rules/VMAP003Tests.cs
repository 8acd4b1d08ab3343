namespace Vmap.Analyzers.Tests.Rules;

public class VMAP003Tests
{
    [Fact]
    public Task Second_unmap_on_every_path_is_reported_as_redundant() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                space.UnmapRam({|#1:p|}, pages.Length);
                space.UnmapRam({|#0:p|}, pages.Length);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped again here; it was already unmapped at line 8"));

    [Fact]
    public Task Second_unmap_after_a_conditional_one_is_reported_on_some_path() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            bool Failed() => false;

            void M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                if (Failed())
                {
                    space.Vfree({|#1:p|});
                }

                space.Vfree({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped again here; it was already unmapped at line 12 on some path"));

    [Fact]
    public Task Unmap_in_finally_after_an_unmap_in_the_try_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages)
            {
                var p = space.Vmap(pages);
                try
                {
                    space.Vunmap({|#1:p|});
                }
                finally
                {
                    space.Vunmap({|#0:p|});
                }
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped again here; it was already unmapped at line 10"));

    [Fact]
    public Task Unmapping_a_field_twice_in_one_method_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            private nint _addr;

            void M(VmapSpace space)
            {
                _addr = space.Vmalloc(4096);
                space.Vfree({|#1:_addr|});
                space.Vfree({|#0:_addr|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'_addr' is unmapped again here; it was already unmapped at line 10"));

    [Fact]
    public async Task Redundant_property_separates_every_path_from_some_path()
    {
        var diagnostics = await Verify.Diagnostics(
            null,
            Verify.FakeApi,
            "using Vmap; class C { bool F() => true; void A(VmapSpace s) { var p = s.Vmalloc(1); s.Vfree(p); s.Vfree(p); } void B(VmapSpace s) { var p = s.Vmalloc(1); if (F()) s.Vfree(p); s.Vfree(p); } }");

        Assert.Equal(
            new[] { "true", "false" },
            diagnostics.OrderBy(d => d.Location.SourceSpan.Start).Select(d => d.Properties[DiagnosticProperties.Redundant]).ToArray());
    }
    [Fact]
    public async Task Redundant_is_false_after_a_free_on_some_paths_of_a_built_in_pair()
    {
        // The first free runs only when early is true: deleting the second one leaks otherwise.
        var diagnostics = await Verify.Diagnostics(
            null,
            "using System.Runtime.InteropServices; unsafe class C { static void Run(bool early) { void* p = NativeMemory.Alloc(16); if (early) NativeMemory.Free(p); NativeMemory.Free(p); } static void Braced(bool early) { void* p = NativeMemory.Alloc(16); if (early) { NativeMemory.Free(p); } NativeMemory.Free(p); } static void Always() { void* p = NativeMemory.Alloc(16); NativeMemory.Free(p); NativeMemory.Free(p); } }");

        Assert.Equal(
            new (string, string?)[] { (RuleIds.VMAP003, "false"), (RuleIds.VMAP003, "false"), (RuleIds.VMAP003, "true") },
            diagnostics.OrderBy(d => d.Location.SourceSpan.Start).Select(d => (d.Id, d.Properties[DiagnosticProperties.Redundant])).ToArray());
    }
}
