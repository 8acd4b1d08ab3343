namespace Vmap.Analyzers.Tests.Rules;

public class VMAP004Tests
{
    [Fact]
    public Task Dereference_after_unmap_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        unsafe class C
        {
            void M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                space.UnmapRam({|#1:p|}, pages.Length);
                {|#0:*(byte*)p|} = 1;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'*(byte*)p' is dereferenced after it was unmapped at line 8"));

    [Fact]
    public Task Wrapping_in_a_span_after_unmap_is_reported() => Verify.Analyzer(
        """
        using System;
        using Vmap;

        unsafe class C
        {
            byte M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                space.Vfree({|#1:p|});
                var span = new Span<byte>({|#0:(void*)p|}, 4096);
                return span[0];
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is wrapped in a span after it was unmapped at line 9"));

    [Fact]
    public Task Passing_on_after_unmap_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            static void Fill(nint address) { }

            void M(VmapSpace space, Page[] pages)
            {
                var p = space.Vmap(pages);
                space.Vunmap({|#1:p|});
                Fill({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is passed to 'Fill' after it was unmapped at line 10"));

    [Fact]
    public Task Reading_through_the_api_after_a_conditional_unmap_is_reported_with_the_leak_of_the_other_path() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            byte M(VmapSpace space, Page[] pages, bool done)
            {
                var p = {|#2:space.MapRam(pages)|};
                if (done)
                {
                    space.UnmapRam({|#1:p|}, pages.Length);
                }

                {|#3:return space.GetSpan({|#0:p|}, 16)[0];|}
            }
        }
        """,
        // "done" is a parameter: the paths where it is false reach the use apart, with p still mapped.
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is passed to 'GetSpan' after it was unmapped at line 10 on some path"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(2).WithLocation(3)
            .WithMessage("The mapping in 'p' from MapRam at line 7 is lost: it goes out of scope at line 13 without being unmapped, returned, stored or passed on"));

    [Fact]
    public Task Use_after_an_unmap_on_an_unknown_path_says_so() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            static bool Failed() => false;

            byte M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                if (Failed())
                {
                    space.Vfree({|#1:p|});
                }

                var first = space.GetSpan({|#0:p|}, 16)[0];
                space.Vfree({|#2:p|});
                return first;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is passed to 'GetSpan' after it was unmapped at line 12 on some path"),
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(2).WithLocation(1)
            .WithMessage("'p' is unmapped again here; it was already unmapped at line 12 on some path"));

    [Fact]
    public Task Returning_after_unmap_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            nint M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                space.Vfree({|#1:p|});
                return {|#0:p|};
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is returned after it was unmapped at line 8"));

    [Fact]
    public Task Element_access_through_a_pointer_after_unmap_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        unsafe class C
        {
            byte M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                var bytes = (byte*)p;
                space.UnmapRam({|#1:p|}, pages.Length);
                return {|#0:bytes[3]|};
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'bytes[3]' is dereferenced after it was unmapped at line 9"));
}
