using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyFix = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP001_UnmapOfReassignedPointerFix>;

namespace Vmap.Analyzers.Tests.Fixes;

/// <summary>The XFS shape: the cache maps a buffer, the log code re-points it, the free path unmaps it.</summary>
public class VMAP001_UnmapBeforeRepointingFixTests
{
    private const string Buffer = """
        using Vmap;

        sealed class LogBuffer
        {
            public nint Addr;
            public bool Mapped;
            public Page[] Pages = new Page[0];
        }

        """;

    private const string Cache = """

        sealed class BufferCache
        {
            private readonly VmapSpace _space;

            public BufferCache(VmapSpace space) => _space = space;

            public void Map(LogBuffer bp)
            {
                if (bp.Pages.Length > 1)
                {
                    bp.Addr = _space.MapRam(bp.Pages);
                    bp.Mapped = true;
                }
            }

            public void Free(LogBuffer buffer)
            {
                if (buffer.Mapped && buffer.Pages.Length > 1)
                    _space.UnmapRam({|#1:buffer.Addr|}, buffer.Pages.Length);
            }
        """;

    [Fact]
    public Task Unmaps_and_clears_the_mapped_flag_before_the_buffer_is_re_pointed()
    {
        const string Source = Buffer + Cache + """

                public void SetPtr(LogBuffer bp, nint linear)
                {
                    {|#0:bp.Addr = linear|};
                }
            }
            """;
        const string Fixed = Buffer + Cache + """

                public void SetPtr(LogBuffer bp, nint linear)
                {
                    if (bp.Mapped && bp.Pages.Length > 1)
                    {
                        _space.UnmapRam(bp.Addr, bp.Pages.Length);
                        bp.Mapped = false;
                    }

                    bp.Addr = linear;
                }
            }
            """;
        return RunExplicit(VerifyFix.Create(Source, WithoutMarkup(Fixed), VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1), VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithSpan(20, 23, 20, 46)));
    }

    [Fact]
    public Task Rewrites_the_release_path_for_the_buffer_re_pointing_itself()
    {
        const string Source = """
            using Vmap;

            sealed class LogBuffer
            {
                private readonly VmapSpace _space;
                private nint _addr;
                private bool _mapped;
                private Page[] _pages = new Page[0];

                public LogBuffer(VmapSpace space) => _space = space;

                public void Map(Page[] pages)
                {
                    _pages = pages;
                    if (pages.Length > 1)
                    {
                        _addr = _space.MapRam(pages);
                        _mapped = true;
                    }
                }

                public void SetPtr(nint linear)
                {
                    {|#0:_addr = linear|};
                }

                public void Free()
                {
                    if (_mapped && _pages.Length > 1)
                        _space.UnmapRam({|#1:_addr|}, _pages.Length);
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            sealed class LogBuffer
            {
                private readonly VmapSpace _space;
                private nint _addr;
                private bool _mapped;
                private Page[] _pages = new Page[0];

                public LogBuffer(VmapSpace space) => _space = space;

                public void Map(Page[] pages)
                {
                    _pages = pages;
                    if (pages.Length > 1)
                    {
                        _addr = _space.MapRam(pages);
                        _mapped = true;
                    }
                }

                public void SetPtr(nint linear)
                {
                    if (_mapped && _pages.Length > 1)
                    {
                        _space.UnmapRam(_addr, _pages.Length);
                        _mapped = false;
                    }

                    _addr = linear;
                }

                public void Free()
                {
                    if (_mapped && _pages.Length > 1)
                        _space.UnmapRam(_addr, _pages.Length);
                }
            }
            """;
        return RunExplicit(VerifyFix.Create(Source, Fixed, VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1), VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithSpan(17, 21, 17, 41)));
    }

    [Fact]
    public Task Offers_nothing_when_the_release_path_tests_no_flag()
    {
        // Free would still unmap the re-pointed address: there is nothing to clear that stops it.
        const string Source = """
            using Vmap;

            sealed class LogBuffer
            {
                public nint Addr;
                public Page[] Pages = new Page[0];
            }

            sealed class BufferCache
            {
                private readonly VmapSpace _space = new VmapSpace();

                public void Map(LogBuffer bp)
                {
                    if (bp.Pages.Length > 1)
                        bp.Addr = _space.MapRam(bp.Pages);
                }

                public void SetPtr(LogBuffer bp, nint linear)
                {
                    {|#0:bp.Addr = linear|};
                }

                public void Free(LogBuffer bp)
                {
                    if (bp.Pages.Length > 1)
                        _space.UnmapRam({|#1:bp.Addr|}, bp.Pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1), VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithSpan(16, 23, 16, 46));
    }

    [Fact]
    public Task Offers_nothing_when_the_release_path_tests_a_flag_it_cannot_clear()
    {
        // After unmapping, Flags would still say "mapped" and Free would unmap the new pointer.
        const string Source = """
            using System;
            using Vmap;

            [Flags]
            enum BufFlags { None = 0, Mapped = 1 }

            sealed class LogBuffer
            {
                public nint Addr;
                public BufFlags Flags;
                public Page[] Pages = new Page[0];
            }

            sealed class BufferCache
            {
                private readonly VmapSpace _space;

                public BufferCache(VmapSpace space) => _space = space;

                public void Map(LogBuffer bp)
                {
                    bp.Addr = _space.MapRam(bp.Pages);
                    bp.Flags |= BufFlags.Mapped;
                }

                public void SetPtr(LogBuffer bp, nint linear)
                {
                    {|#0:bp.Addr = linear|};
                }

                public void Free(LogBuffer bp)
                {
                    if ((bp.Flags & BufFlags.Mapped) != 0)
                        _space.UnmapRam({|#1:bp.Addr|}, bp.Pages.Length);
                }
            }
            """;
        return VerifyFix.VerifyNoFixAsync(Source, VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1), VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithSpan(22, 19, 22, 42));
    }

    [Fact]
    public Task Fix_all_fixes_every_re_pointing_across_documents()
    {
        const string LogCode = """
            using Vmap;

            static class Log
            {
                public static void SplitWrite(LogBuffer bp, nint linear)
                {
                    {|#2:bp.Addr = linear|};
                }
            }
            """;
        const string LogCodeFixed = """
            using Vmap;

            static class Log
            {
                public static void SplitWrite(LogBuffer bp, nint linear)
                {
                    if (bp.Mapped && bp.Pages.Length > 1)
                    {
                        BufferCache.Space.UnmapRam(bp.Addr, bp.Pages.Length);
                        bp.Mapped = false;
                    }

                    bp.Addr = linear;
                }
            }
            """;
        const string Source = Buffer + """
            sealed class BufferCache
            {
                public static readonly VmapSpace Space = new VmapSpace();

                public void Map(LogBuffer bp)
                {
                    if (bp.Pages.Length > 1)
                    {
                        bp.Addr = Space.MapRam(bp.Pages);
                        bp.Mapped = true;
                    }
                }

                public void SetPtr(LogBuffer bp, nint linear)
                {
                    {|#0:bp.Addr = linear|};
                }

                public void Free(LogBuffer bp)
                {
                    if (bp.Mapped && bp.Pages.Length > 1)
                        Space.UnmapRam({|#1:bp.Addr|}, bp.Pages.Length);
                }
            }
            """;
        const string Fixed = Buffer + """
            sealed class BufferCache
            {
                public static readonly VmapSpace Space = new VmapSpace();

                public void Map(LogBuffer bp)
                {
                    if (bp.Pages.Length > 1)
                    {
                        bp.Addr = Space.MapRam(bp.Pages);
                        bp.Mapped = true;
                    }
                }

                public void SetPtr(LogBuffer bp, nint linear)
                {
                    if (bp.Mapped && bp.Pages.Length > 1)
                    {
                        Space.UnmapRam(bp.Addr, bp.Pages.Length);
                        bp.Mapped = false;
                    }

                    bp.Addr = linear;
                }

                public void Free(LogBuffer bp)
                {
                    if (bp.Mapped && bp.Pages.Length > 1)
                        Space.UnmapRam(bp.Addr, bp.Pages.Length);
                }
            }
            """;
        var test = VerifyFix.Create(Source, Fixed,
            VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithSpan(17, 23, 17, 45),
            VerifyFix.Diagnostic(RuleIds.VMAP001).WithLocation(2).WithLocation(1),
            VerifyFix.Diagnostic(RuleIds.VMAP002).WithLocation(2).WithSpan(17, 23, 17, 45));
        test.TestState.Sources.Add(("/0/Test1.cs", LogCode));
        test.FixedState.Sources.Add(("/0/Test1.cs", LogCodeFixed));
        ExpectNothingAfterTheFix(test);
        FixAll.ExpectOnePassPerScope(test, documents: 2, projects: 1);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>
    /// VMAP002 stands beside VMAP001 at the re-pointing; this fix (offered on VMAP001) cures both,
    /// so the fixed code must not inherit the unfixed VMAP002 the way the testing library would by default.
    /// </summary>
    private static void ExpectNothingAfterTheFix(VerifyFix.Test test) =>
        test.FixedState.InheritanceMode = StateInheritanceMode.Explicit;

    private static Task RunExplicit(VerifyFix.Test test)
    {
        ExpectNothingAfterTheFix(test);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>The shared cache text marks the unmap; the fixed text expects no diagnostic there.</summary>
    private static string WithoutMarkup(string source) => source.Replace("{|#1:buffer.Addr|}", "buffer.Addr", StringComparison.Ordinal);
}
