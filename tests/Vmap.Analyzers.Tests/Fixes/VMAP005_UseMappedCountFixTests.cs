using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyFix = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP005_UseMappedCountFix>;

namespace Vmap.Analyzers.Tests.Fixes;

public class VMAP005_UseMappedCountFixTests
{
    [Fact]
    public Task Replaces_an_off_by_one_count_with_the_mapped_length()
    {
        const string Source = """
            using Vmap;

            class Log
            {
                void Recover(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam({|#1:pages|});
                    space.UnmapRam(p, {|#0:pages.Length + 1|});
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Log
            {
                void Recover(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    space.UnmapRam(p, pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Replaces_the_count_of_a_release_in_a_finally_after_the_map()
    {
        const string Source = """
            using Vmap;

            class Log
            {
                int Recover(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam({|#1:pages|});
                    try
                    {
                        return space.GetSpan(p, 8)[0];
                    }
                    finally
                    {
                        space.UnmapRam(p, {|#0:pages.Length - 1|});
                    }
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Log
            {
                int Recover(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    try
                    {
                        return space.GetSpan(p, 8)[0];
                    }
                    finally
                    {
                        space.UnmapRam(p, pages.Length);
                    }
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_the_try_re_points_the_address_before_its_finally()
    {
        const string Source = """
            using Vmap;

            class Log
            {
                void Recover(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam(pages);
                    try
                    {
                        space.UnmapRam(p, pages.Length);
                        p = space.MapRam({|#1:pages|});
                    }
                    finally
                    {
                        space.UnmapRam(p, {|#0:pages.Length - 1|});
                    }
                }
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Replaces_a_constant_with_the_length_of_the_mapped_array()
    {
        const string Source = """
            using Vmap;

            class Log
            {
                void Recover(VmapSpace space)
                {
                    var pages = new Page[4];
                    nint p = space.MapRam({|#1:pages|});
                    space.UnmapRam(p, {|#0:1|});
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Log
            {
                void Recover(VmapSpace space)
                {
                    var pages = new Page[4];
                    nint p = space.MapRam(pages);
                    space.UnmapRam(p, pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Uses_the_constant_count_of_an_array_created_in_the_mapping_call()
    {
        // 'new Page[4]' cannot be written again (it would be another array), its length can.
        const string Source = """
            using Vmap;

            class Log
            {
                void Recover(VmapSpace space)
                {
                    nint p = space.MapRam({|#1:new Page[4]|});
                    space.UnmapRam(p, {|#0:1|});
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class Log
            {
                void Recover(VmapSpace space)
                {
                    nint p = space.MapRam(new Page[4]);
                    space.UnmapRam(p, 4);
                }
            }
            """;
        return VerifyFix.VerifyAsync(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Fix_all_corrects_every_count_in_the_solution()
    {
        const string First = """
            using Vmap;

            class First
            {
                void A(VmapSpace space, Page[] pages)
                {
                    nint p = space.MapRam({|#1:pages|});
                    space.UnmapRam(p, {|#0:pages.Length - 1|});
                }

                void B(VmapSpace space, Page[] pages)
                {
                    nint q = space.MapRam({|#3:pages|});
                    space.UnmapRam(q, {|#2:pages.Length + 2|});
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

                void B(VmapSpace space, Page[] pages)
                {
                    nint q = space.MapRam(pages);
                    space.UnmapRam(q, pages.Length);
                }
            }
            """;
        var test = VerifyFix.Create(First, FirstFixed,
            VerifyFix.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP005).WithLocation(2).WithLocation(3));
        FixAll.AddSecondProject(test, """
            using Vmap;

            class Third
            {
                void C(VmapSpace space, Page[] pages)
                {
                    nint r = space.MapRam({|#5:pages|});
                    space.UnmapRam(r, {|#4:pages.Length + 1|});
                }
            }
            """, """
            using Vmap;

            class Third
            {
                void C(VmapSpace space, Page[] pages)
                {
                    nint r = space.MapRam(pages);
                    space.UnmapRam(r, pages.Length);
                }
            }
            """, VerifyFix.Diagnostic(RuleIds.VMAP005).WithLocation(4).WithLocation(5));
        FixAll.ExpectOnePassPerScope(test, documents: 2, projects: 2);
        return test.RunAsync(CancellationToken.None);
    }

    private static readonly string ShmConfig = VerifyFix.EditorConfig(("shm", "acquire: Native.Shm.Map | release: Native.Shm.Unmap(address) | count: length"));

    private const string ShmApi = """
        namespace Native
        {
            public static class Shm
            {
                public static nint Map(int length) => 4096;
                public static void Unmap(nint address, int length) { }
            }
        }

        """;

    [Fact]
    public Task Uses_the_acquired_count_of_a_configured_pair()
    {
        const string Source = ShmApi + """
            class Client
            {
                static void Run(int length)
                {
                    var region = Native.Shm.Map({|#1:length|});
                    Native.Shm.Unmap(region, {|#0:length + 1|});
                }
            }
            """;
        const string Fixed = ShmApi + """
            class Client
            {
                static void Run(int length)
                {
                    var region = Native.Shm.Map(length);
                    Native.Shm.Unmap(region, length);
                }
            }
            """;
        return VerifyFix.VerifyBuiltInAsync(Source, Fixed, ShmConfig, VerifyFix.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Offers_nothing_when_the_acquired_count_of_a_configured_pair_is_out_of_scope_at_the_release()
    {
        // 'n' cannot be written at the release: it is declared in the block that acquired.
        const string Source = ShmApi + """
            class Client
            {
                static void Run()
                {
                    nint region;
                    {
                        int n = 64;
                        region = Native.Shm.Map({|#1:n|});
                    }

                    Native.Shm.Unmap(region, {|#0:128|});
                }
            }
            """;
        return VerifyFix.VerifyBuiltInNoFixAsync(Source, ShmConfig, VerifyFix.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1));
    }

    [Fact]
    public Task Fix_all_uses_the_acquired_count_of_every_configured_release()
    {
        const string Source = ShmApi + """
            class Client
            {
                static void A()
                {
                    var a = Native.Shm.Map({|#1:64|});
                    Native.Shm.Unmap(a, {|#0:128|});
                }

                static void B(int n)
                {
                    var b = Native.Shm.Map({|#3:n|});
                    Native.Shm.Unmap(b, {|#2:n + 1|});
                }
            }
            """;
        const string Fixed = ShmApi + """
            class Client
            {
                static void A()
                {
                    var a = Native.Shm.Map(64);
                    Native.Shm.Unmap(a, 64);
                }

                static void B(int n)
                {
                    var b = Native.Shm.Map(n);
                    Native.Shm.Unmap(b, n);
                }
            }
            """;
        var test = VerifyFix.CreateBuiltIn(Source, Fixed, ShmConfig,
            VerifyFix.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP005).WithLocation(2).WithLocation(3));
        FixAll.ExpectOnePassPerScope(test, documents: 1, projects: 1);
        return test.RunAsync(CancellationToken.None);
    }
}
