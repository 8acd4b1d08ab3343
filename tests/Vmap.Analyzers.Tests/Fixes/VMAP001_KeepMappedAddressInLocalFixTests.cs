using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyFix = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP001_UnmapOfReassignedPointerFix>;

namespace Vmap.Analyzers.Tests.Fixes;

public class VMAP001_KeepMappedAddressInLocalFixTests
{
    [Fact]
    public Task Keeps_the_mapped_address_before_it_is_offset_and_unmaps_that()
    {
        const string Source = """
            using Vmap;

            class Scanner
            {
                void Scan(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    {|#1:p += 4096|};
                    space.UnmapRam({|#0:p|}, pages.Length);
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Scanner
            {
                void Scan(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    var mappedP = p;
                    p += 4096;
                    space.UnmapRam(mappedP, pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Picks_a_name_no_other_local_uses()
    {
        const string Source = """
            using Vmap;

            class Scanner
            {
                void Scan(VmapSpace space, Page[] pages, nint linear)
                {
                    nint addr = space.MapRam(pages);
                    nint mappedAddr = 0;
                    {|#1:addr = linear|};
                    space.UnmapRam({|#0:addr|}, pages.Length);
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Scanner
            {
                void Scan(VmapSpace space, Page[] pages, nint linear)
                {
                    nint addr = space.MapRam(pages);
                    nint mappedAddr = 0;
                    var mappedAddr2 = addr;
                    addr = linear;
                    space.UnmapRam(mappedAddr2, pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Walks_a_cursor_when_the_reassignment_happens_on_some_paths_only()
    {
        // A copy taken inside the branch is not in scope at the unmap; a cursor taken right after
        // the mapping is: the path that never offsets it releases the same address as before.
        const string Source = """
            using Vmap;

            class Scanner
            {
                void Scan(VmapSpace space, Page[] pages, bool skip)
                {
                    nint p = space.MapRam(pages);
                    if (skip)
                        {|#1:p += 4096|};
                    space.UnmapRam({|#0:p|}, pages.Length);
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Scanner
            {
                void Scan(VmapSpace space, Page[] pages, bool skip)
                {
                    nint p = space.MapRam(pages);
                    var cursor = p;
                    if (skip)
                        cursor += 4096;
                    space.UnmapRam(p, pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Fix_all_keeps_every_mapped_address_in_the_solution()
    {
        const string First = """
            using Vmap;

            class First
            {
                void A(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    {|#1:p += 64|};
                    space.UnmapRam({|#0:p|}, pages.Length);
                }

                void B(VmapSpace space, Page[] pages)
                {
                    nint q = space.Vmap(pages);
                    {|#3:q = q + 128|};
                    space.Vunmap({|#2:q|});
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
                    var mappedP = p;
                    p += 64;
                    space.UnmapRam(mappedP, pages.Length);
                }

                void B(VmapSpace space, Page[] pages)
                {
                    nint q = space.Vmap(pages);
                    var mappedQ = q;
                    q = q + 128;
                    space.Vunmap(mappedQ);
                }
            }
            """;
        var test = VerifyFix.Create(First, FirstFixed,
            VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(2).WithLocation(3));
        FixAll.AddSecondProject(test, """
            using Vmap;

            class Third
            {
                void C(VmapSpace space)
                {
                    nint v = space.Vmalloc(4096);
                    {|#5:v += 8|};
                    space.Vfree({|#4:v|});
                }
            }
            """, """
            using Vmap;

            class Third
            {
                void C(VmapSpace space)
                {
                    nint v = space.Vmalloc(4096);
                    var mappedV = v;
                    v += 8;
                    space.Vfree(mappedV);
                }
            }
            """, VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(4).WithLocation(5));
        FixAll.ExpectOnePassPerScope(test, documents: 2, projects: 2);
        return test.RunAsync(CancellationToken.None);
    }
}
