using Microsoft.CodeAnalysis.Testing;
using VerifyFix = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP002_UnmapInFinallyFix>;

namespace Vmap.Analyzers.Tests.Fixes;

public class VMAP002_UnmapInFinallyFixTests
{
    [Fact]
    public Task Moves_the_closing_unmap_into_a_finally_around_the_early_return()
    {
        const string Source = """
            using Vmap;

            class Reader
            {
                private int _reads;

                void Read(VmapSpace space, Page[] pages, bool valid)
                {
                    nint p = {|#0:space.MapRam(pages)|};
                    if (!valid)
                        return;
                    _reads++;
                    space.GetSpan(p, 16).Clear();
                    space.UnmapRam(p, pages.Length);
                {|#1:}|}
            }
            """;
        const string Fixed = """
            using Vmap;

            class Reader
            {
                private int _reads;

                void Read(VmapSpace space, Page[] pages, bool valid)
                {
                    nint p = space.MapRam(pages);
                    try
                    {
                        if (!valid)
                            return;
                        _reads++;
                        space.GetSpan(p, 16).Clear();
                    }
                    finally
                    {
                        space.UnmapRam(p, pages.Length);
                    }
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic("VMAP002").WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_the_mapping_is_returned_on_another_path()
    {
        // A finally would release the mapping the caller receives.
        const string Source = """
            using Vmap;

            class Reader
            {
                nint Read(VmapSpace space, Page[] pages, bool keep)
                {
                    nint p = {|#0:space.MapRam(pages)|};
                    if (keep)
                        return p;
                    {|#1:return 0;|}
                }
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic("VMAP002").WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_another_path_hands_the_mapping_to_other_code()
    {
        // Queue may own the mapping from then on; a finally would release it behind its back.
        const string Source = """
            using Vmap;

            class Reader
            {
                static void Queue(nint address)
                {
                }

                void Read(VmapSpace space, Page[] pages, bool handOff, bool valid)
                {
                    nint p = {|#0:space.MapRam(pages)|};
                    if (handOff)
                    {
                        Queue(p);
                        return;
                    }

                    if (!valid)
                        return;
                    space.UnmapRam(p, pages.Length);
                {|#1:}|}
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic("VMAP002").WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_the_closing_unmap_reads_a_count_the_block_computes()
    {
        // In a finally, 'count' would be out of scope (and on the early path, not yet computed).
        const string Source = """
            using Vmap;

            class Reader
            {
                void Read(VmapSpace space, Page[] pages, bool valid)
                {
                    nint p = {|#0:space.MapRam(pages)|};
                    if (!valid)
                        return;
                    int count = pages.Length;
                    space.UnmapRam(p, count);
                {|#1:}|}
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic("VMAP002").WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Fix_all_wraps_every_leaking_mapping_in_the_solution()
    {
        const string First = """
            using Vmap;

            class First
            {
                void A(VmapSpace space, Page[] pages, bool valid)
                {
                    nint p = {|#0:space.Vmap(pages)|};
                    if (!valid)
                        return;
                    space.Vunmap(p);
                {|#1:}|}

                void B(VmapSpace space, bool valid)
                {
                    nint v = {|#2:space.Vmalloc(4096)|};
                    if (!valid)
                        return;
                    space.Vfree(v);
                {|#3:}|}
            }
            """;
        const string FirstFixed = """
            using Vmap;

            class First
            {
                void A(VmapSpace space, Page[] pages, bool valid)
                {
                    nint p = space.Vmap(pages);
                    try
                    {
                        if (!valid)
                            return;
                    }
                    finally
                    {
                        space.Vunmap(p);
                    }
                }

                void B(VmapSpace space, bool valid)
                {
                    nint v = space.Vmalloc(4096);
                    try
                    {
                        if (!valid)
                            return;
                    }
                    finally
                    {
                        space.Vfree(v);
                    }
                }
            }
            """;
        var test = VerifyFix.Create(First, FirstFixed,
            VerifyFix.Diagnostic("VMAP002").WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic("VMAP002").WithLocation(2).WithLocation(3));
        FixAll.AddSecondProject(test, """
            using Vmap;

            class Third
            {
                void C(VmapSpace space, Page[] pages, bool valid)
                {
                    nint r = {|#4:space.MapRam(pages)|};
                    if (!valid)
                        return;
                    space.UnmapRam(r, pages.Length);
                {|#5:}|}
            }
            """, """
            using Vmap;

            class Third
            {
                void C(VmapSpace space, Page[] pages, bool valid)
                {
                    nint r = space.MapRam(pages);
                    try
                    {
                        if (!valid)
                            return;
                    }
                    finally
                    {
                        space.UnmapRam(r, pages.Length);
                    }
                }
            }
            """, VerifyFix.Diagnostic("VMAP002").WithLocation(4).WithLocation(5));
        FixAll.ExpectOnePassPerScope(test, documents: 2, projects: 2);
        return test.RunAsync(CancellationToken.None);
    }
}
