using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyFix = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP002_UnmapBeforeMappingIsLostFix>;

namespace Vmap.Analyzers.Tests.Fixes;

public class VMAP002_UnmapBeforeOverwriteFixTests
{
    [Fact]
    public Task Unmaps_the_old_mapping_before_the_local_is_overwritten()
    {
        const string Source = """
            using Vmap;

            class Pager
            {
                void Remap(VmapSpace space, Page[] pages, Page[] next)
                {
                    nint p = {|#1:space.MapRam(pages)|};
                    {|#0:p = space.MapRam(next)|};
                    space.UnmapRam(p, next.Length);
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Pager
            {
                void Remap(VmapSpace space, Page[] pages, Page[] next)
                {
                    nint p = space.MapRam(pages);
                    space.UnmapRam(p, pages.Length);
                    p = space.MapRam(next);
                    space.UnmapRam(p, next.Length);
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Unmaps_the_old_mapping_before_a_field_is_overwritten()
    {
        const string Source = """
            using Vmap;

            class Window
            {
                private readonly VmapSpace _space;
                private nint _view;

                public Window(VmapSpace space) => _space = space;

                // Releases what it holds (else VMAP009: a member its owner never releases).
                public void Hide(int pages)
                {
                    _space.UnmapRam(_view, pages);
                    _view = 0;
                }

                public void Show(Page[] first, Page[] second)
                {
                    _view = {|#1:_space.MapRam(first)|};
                    _space.GetSpan(_view, 16).Clear();
                    {|#0:_view = _space.MapRam(second)|};
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Window
            {
                private readonly VmapSpace _space;
                private nint _view;

                public Window(VmapSpace space) => _space = space;

                // Releases what it holds (else VMAP009: a member its owner never releases).
                public void Hide(int pages)
                {
                    _space.UnmapRam(_view, pages);
                    _view = 0;
                }

                public void Show(Page[] first, Page[] second)
                {
                    _view = _space.MapRam(first);
                    _space.GetSpan(_view, 16).Clear();
                    _space.UnmapRam(_view, first.Length);
                    _view = _space.MapRam(second);
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_a_call_between_could_have_changed_the_field()
    {
        // Publish may have released or replaced _view; releasing it again could free a live mapping.
        const string Source = """
            using Vmap;

            class Window
            {
                private readonly VmapSpace _space;
                private nint _view;

                public Window(VmapSpace space) => _space = space;

                // Releases what it holds (else VMAP009: a member its owner never releases).
                public void Hide(int pages)
                {
                    _space.UnmapRam(_view, pages);
                    _view = 0;
                }

                void Publish()
                {
                }

                public void Show(Page[] first, Page[] second)
                {
                    _view = {|#1:_space.MapRam(first)|};
                    Publish();
                    {|#0:_view = _space.MapRam(second)|};
                }
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_the_mapped_array_variable_changed_since_the_mapping()
    {
        // 'pages.Length' before the overwrite would be the length of the other array.
        const string Source = """
            using Vmap;

            class Pager
            {
                void Remap(VmapSpace space, Page[] pages)
                {
                    nint p = {|#1:space.MapRam(pages)|};
                    pages = new Page[1];
                    {|#0:p = space.MapRam(pages)|};
                    space.UnmapRam(p, pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Fix_all_unmaps_before_every_overwrite_in_the_solution()
    {
        const string First = """
            using Vmap;

            class First
            {
                void A(VmapSpace space, Page[] pages)
                {
                    nint p = {|#1:space.Vmap(pages)|};
                    {|#0:p = space.Vmap(pages)|};
                    space.Vunmap(p);
                }

                void B(VmapSpace space)
                {
                    nint v = {|#3:space.Vmalloc(4096)|};
                    {|#2:v = space.Vmalloc(8192)|};
                    space.Vfree(v);
                }
            }
            """;
        const string FirstFixed = """
            using Vmap;

            class First
            {
                void A(VmapSpace space, Page[] pages)
                {
                    nint p = space.Vmap(pages);
                    space.Vunmap(p);
                    p = space.Vmap(pages);
                    space.Vunmap(p);
                }

                void B(VmapSpace space)
                {
                    nint v = space.Vmalloc(4096);
                    space.Vfree(v);
                    v = space.Vmalloc(8192);
                    space.Vfree(v);
                }
            }
            """;
        var test = VerifyFix.Create(First, FirstFixed,
            VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(2).WithLocation(3));
        FixAll.AddSecondProject(test, """
            using Vmap;

            class Third
            {
                void C(VmapSpace space, Page[] pages, Page[] next)
                {
                    nint r = {|#5:space.MapRam(pages)|};
                    {|#4:r = space.MapRam(next)|};
                    space.UnmapRam(r, next.Length);
                }
            }
            """, """
            using Vmap;

            class Third
            {
                void C(VmapSpace space, Page[] pages, Page[] next)
                {
                    nint r = space.MapRam(pages);
                    space.UnmapRam(r, pages.Length);
                    r = space.MapRam(next);
                    space.UnmapRam(r, next.Length);
                }
            }
            """, VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(4).WithLocation(5));
        FixAll.ExpectOnePassPerScope(test, documents: 2, projects: 2);
        return test.RunAsync(CancellationToken.None);
    }
}
