using Microsoft.CodeAnalysis.Testing;
using Vmap.CodeFixes;
using VerifyFix = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP003_RemoveSecondUnmapFix>;

namespace Vmap.Analyzers.Tests.Fixes;

public class VMAP003_RemoveSecondUnmapFixTests
{
    [Fact]
    public Task Removes_an_unmap_that_always_follows_the_same_unmap()
    {
        const string Source = """
            using Vmap;

            class Cache
            {
                void Drop(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    space.UnmapRam({|#1:p|}, pages.Length);
                    space.UnmapRam({|#0:p|}, pages.Length);
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Cache
            {
                void Drop(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    space.UnmapRam(p, pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic("VMAP003").WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Removes_a_second_unmap_of_the_same_field()
    {
        const string Source = """
            using Vmap;

            class Buffer
            {
                private readonly VmapSpace _space;
                private nint _addr;
                private Page[] _pages = new Page[0];

                public Buffer(VmapSpace space) => _space = space;

                public void Cycle(Page[] pages)
                {
                    _pages = pages;
                    _addr = _space.MapRam(pages);
                    _space.UnmapRam({|#1:_addr|}, _pages.Length);
                    _space.GetSpan(0, 0).Clear();
                    _space.UnmapRam({|#0:_addr|}, _pages.Length);
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Buffer
            {
                private readonly VmapSpace _space;
                private nint _addr;
                private Page[] _pages = new Page[0];

                public Buffer(VmapSpace space) => _space = space;

                public void Cycle(Page[] pages)
                {
                    _pages = pages;
                    _addr = _space.MapRam(pages);
                    _space.UnmapRam(_addr, _pages.Length);
                    _space.GetSpan(0, 0).Clear();
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic("VMAP003").WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_a_call_between_may_have_mapped_the_field_again()
    {
        // Refill may store a fresh mapping in _addr; the second unmap would then be the right one.
        const string Source = """
            using Vmap;

            class Buffer
            {
                private readonly VmapSpace _space;
                private nint _addr;
                private Page[] _pages = new Page[0];

                public Buffer(VmapSpace space) => _space = space;

                private static void Refill()
                {
                }

                public void Cycle(Page[] pages)
                {
                    _pages = pages;
                    _addr = _space.MapRam(pages);
                    _space.UnmapRam({|#1:_addr|}, _pages.Length);
                    Refill();
                    _space.UnmapRam({|#0:_addr|}, _pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic("VMAP003").WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_the_first_unmap_runs_on_some_paths_only()
    {
        // Removing either release would leak the mapping on the other path.
        const string Source = """
            using Vmap;

            class Cache
            {
                void Drop(VmapSpace space, Page[] pages, bool failed)
                {
                    nint p = space.MapRam(pages);
                    if (failed)
                        space.UnmapRam({|#1:p|}, pages.Length);
                    space.UnmapRam({|#0:p|}, pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic("VMAP003").WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Fix_all_removes_every_redundant_unmap_in_the_solution()
    {
        const string First = """
            using Vmap;

            class First
            {
                void A(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    space.UnmapRam({|#1:p|}, pages.Length);
                    space.UnmapRam({|#0:p|}, pages.Length);
                }

                void B(VmapSpace space)
                {
                    nint v = space.Vmalloc(4096);
                    space.Vfree({|#3:v|});
                    space.Vfree({|#2:v|});
                }
            }
            """;
        const string FirstFixed = """
            using Vmap;

            class First
            {
                void A(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    space.UnmapRam(p, pages.Length);
                }

                void B(VmapSpace space)
                {
                    nint v = space.Vmalloc(4096);
                    space.Vfree(v);
                }
            }
            """;
        const string Second = """
            using Vmap;

            class Second
            {
                void C(VmapSpace space, Page[] pages)
                {
                    nint q = space.Vmap(pages);
                    space.Vunmap({|#5:q|});
                    space.Vunmap({|#4:q|});
                }
            }
            """;
        const string SecondFixed = """
            using Vmap;

            class Second
            {
                void C(VmapSpace space, Page[] pages)
                {
                    nint q = space.Vmap(pages);
                    space.Vunmap(q);
                }
            }
            """;
        var test = VerifyFix.Create(First, FirstFixed,
            VerifyFix.Diagnostic("VMAP003").WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic("VMAP003").WithLocation(2).WithLocation(3),
            VerifyFix.Diagnostic("VMAP003").WithLocation(4).WithLocation(5));
        test.TestState.Sources.Add(("/0/Test1.cs", Second));
        test.FixedState.Sources.Add(("/0/Test1.cs", SecondFixed));
        FixAll.AddSecondProject(test, """
            using Vmap;

            class Third
            {
                void D(VmapSpace space, Page[] pages)
                {
                    nint r = space.MapRam(pages);
                    space.UnmapRam({|#7:r|}, pages.Length);
                    space.UnmapRam({|#6:r|}, pages.Length);
                }
            }
            """, """
            using Vmap;

            class Third
            {
                void D(VmapSpace space, Page[] pages)
                {
                    nint r = space.MapRam(pages);
                    space.UnmapRam(r, pages.Length);
                }
            }
            """, VerifyFix.Diagnostic("VMAP003").WithLocation(6).WithLocation(7));
        FixAll.ExpectOnePassPerScope(test, documents: 3, projects: 2);
        return test.RunAsync(CancellationToken.None);
    }
}
