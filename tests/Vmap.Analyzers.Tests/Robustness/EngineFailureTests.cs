using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Tests.Robustness;

/// <summary>
/// Code the engine once threw on (found by fuzzing, issue 20 §7), and the guard that keeps any
/// other failure from costing the user AD0001 or a silently skipped method.
/// </summary>
public class EngineFailureTests
{
    static EngineFailureTests() => PairingAnalyzer.ThrowOnEngineFailure = true;

    [Fact]
    public Task A_call_of_a_generic_local_function_does_not_hide_a_double_free_in_the_same_method() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            void M()
            {
                T Id<T>(T t) => t;
                Marshal.FreeHGlobal(Id(Marshal.AllocHGlobal(1)));
                var p = Marshal.AllocHGlobal(8);
                Marshal.FreeHGlobal({|#1:p|});
                Marshal.FreeHGlobal({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is freed again here; it was already freed at line 10"));

    [Fact]
    public Task A_block_passed_through_a_generic_local_function_and_freed_twice_is_reported() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            void M()
            {
                T Id<T>(T t) => t;
                var p = Marshal.AllocHGlobal(8);
                Marshal.FreeHGlobal({|#1:Id(p)|});
                Marshal.FreeHGlobal({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is freed again here; it was already freed at line 9"));

    [Fact]
    public Task A_generic_local_function_that_acquires_is_an_acquire() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        class C
        {
            void M()
            {
                IntPtr Make<T>() => {|#2:Marshal.AllocHGlobal(16)|};
                var q = Make<int>();
                Marshal.FreeHGlobal({|#1:q|});
                Marshal.FreeHGlobal({|#0:q|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("'q' is freed again here; it was already freed at line 10"));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_member_calling_a_local_function_of_top_level_statements_is_still_analyzed(bool build)
    {
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            IntPtr Make() => Marshal.AllocHGlobal(16);
            void Free(IntPtr block) => Marshal.FreeHGlobal(block);

            class C
            {
                void M()
                {
                    var p = Make();
                    Free(p);
                    var q = Marshal.AllocHGlobal(8);
                    Marshal.FreeHGlobal(q);
                    Marshal.FreeHGlobal(q);
                }
            }
            """;

        var result = await Analysis.Run(Source, OutputKind.ConsoleApplication, build);

        // The shape an editor shows while top-level statements are typed: the member binds to
        // the local functions, which it cannot use (CS8801), so the engine meets a local function
        // that is not declared in the body it walks.
        var compilation = CSharpCompilation.Create("TopLevel", new[] { CSharpSyntaxTree.ParseText(Source) }, Analysis.References, new CSharpCompilationOptions(OutputKind.ConsoleApplication));
        Assert.Equal(new[] { "CS8801", "CS8801" }, compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id));
        Assert.Empty(result.Thrown);
        Assert.Empty(result.Skipped);
        var doubleFree = Assert.Single(result.Diagnostics);
        Assert.Equal(RuleIds.VMAP003, doubleFree.Id);
        Assert.Equal("'q' is freed again here; it was already freed at line 14", doubleFree.GetMessage());
        Assert.Equal(new LinePosition(14, 28), doubleFree.Location.GetLineSpan().StartLinePosition);
        Assert.Equal(new LinePosition(14, 29), doubleFree.Location.GetLineSpan().EndLinePosition);
    }

    /// <summary>
    /// Roslyn 4.8 (the version the analyzers are built against) throws from GetOperation for a
    /// switch expression without a natural type in a declaration. The method is skipped and
    /// counted as the compiler's failure; a callee with such a body is an unknown callee; the
    /// rest of the compilation is analyzed, and nothing reaches the user as AD0001. The same in
    /// build mode (<see cref="BuildRegistration"/>): each method is guarded on its own there too.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_method_the_compiler_cannot_represent_is_skipped_counted_and_the_rest_is_analyzed(bool build)
    {
        const string Source = """
            using System;
            using System.Runtime.InteropServices;

            class C
            {
                void Typing()
                {
                    Marshal.FreeHGlobal(IntPtr.Zero);
                    var a x switch { p } = 1;
                }

                void M()
                {
                    var p = Marshal.AllocHGlobal(8);
                    Release(p);
                    Marshal.FreeHGlobal(p);
                    Marshal.FreeHGlobal(p);
                }

                static void Release(IntPtr p)
                {
                    Marshal.FreeHGlobal(p);
                    var a x switch { p } = 1;
                }
            }

            sealed class D : IDisposable
            {
                private IntPtr _p;

                public void Dispose()
                {
                    Marshal.FreeHGlobal(_p);
                    var a x switch { p } = 1;
                }
            }
            """;

        var result = await Analysis.Run(Source, build: build);

        Assert.Empty(result.Thrown);
        var doubleFree = Assert.Single(result.Diagnostics);
        Assert.Equal(RuleIds.VMAP003, doubleFree.Id);
        Assert.Equal("'p' is freed again here; it was already freed at line 16", doubleFree.GetMessage());
        Assert.Equal(new LinePosition(16, 28), doubleFree.Location.GetLineSpan().StartLinePosition);

        // Typing: the pairing analyzer. Release: the pairing analyzer, and M's summary of it.
        // Dispose: both analyzers. D: the member analysis of its class (VMAP009), which binds Dispose too.
        Assert.Equal(
            new[] { "C.Release(nint)", "C.Release(nint)", "C.Typing()", "D", "D.Dispose()", "D.Dispose()" },
            result.Skipped.Select(s => s.Owner!.ToDisplayString()).Order(StringComparer.Ordinal));
        Assert.All(result.Skipped, skipped =>
        {
            Assert.Equal(EngineFailureKind.Compiler, skipped.Kind);
            var inner = Assert.IsType<InvalidOperationException>(Assert.IsType<CompilerFailureException>(skipped.Exception).InnerException);
            Assert.Equal("Unexpected value 'UnconvertedSwitchExpression' of type 'Microsoft.CodeAnalysis.CSharp.BoundKind'", inner.Message);
        });
    }

    /// <summary>
    /// The member index binds the pair calls of every tree. When the compiler cannot represent
    /// the method of one of them (Free, mid-typing), the index would miss that release and its
    /// guard, so it is empty: no member is known to hold mappings and the re-pointing in Borrow,
    /// guarded or not, is not claimed; Borrow itself is still analyzed.
    /// </summary>
    [Fact]
    public async Task The_member_index_is_empty_when_the_compiler_fails_on_a_method_it_binds()
    {
        const string Source = """
            using Vmap;

            class Buf
            {
                public nint Addr;
                public bool Mapped;
                public Page[] Pages = new Page[0];
            }

            static class Cache
            {
                public static void Map(VmapSpace space, Buf bp)
                {
                    bp.Addr = space.Vmap(bp.Pages);
                    bp.Mapped = true;
                }

                public static void Free(VmapSpace space, Buf bp)
                {
                    space.Vunmap(bp.Addr);
                    var a x switch { p } = 1;
                }

                public static void Borrow(VmapSpace space, Buf bp, nint linear)
                {
                    bp.Addr = linear;
                    var q = space.Vmalloc(16);
                    space.Vfree(q);
                    space.Vfree(q);
                }
            }
            """;
        static IEnumerable<SyntaxTree> Trees(string source) =>
            new[] { source, Verify.FakeApi }.Select(text => CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Latest)));

        var result = await Analysis.Run(Trees(Source), Analysis.PlatformReferences);
        var typed = await Analysis.Run(Trees(Source.Replace("var a x switch { p } = 1;", string.Empty, StringComparison.Ordinal)), Analysis.PlatformReferences);

        // Once Free is typed, the re-pointing is claimed as well.
        Assert.Equal(new[] { RuleIds.VMAP001, RuleIds.VMAP002, RuleIds.VMAP003 }, typed.Diagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));

        Assert.Empty(result.Thrown);
        var doubleFree = Assert.Single(result.Diagnostics);
        Assert.Equal("'q' is unmapped again here; it was already unmapped at line 28", doubleFree.GetMessage());
        Assert.Equal(
            new[] { "(compilation)", "Cache.Free(Vmap.VmapSpace, Buf)" },
            result.Skipped.Select(s => s.Owner?.ToDisplayString() ?? "(compilation)").Order(StringComparer.Ordinal));
        Assert.All(result.Skipped, skipped => Assert.Equal(EngineFailureKind.Compiler, skipped.Kind));
    }

    [Fact]
    public void The_tests_run_on_the_Roslyn_the_analyzers_are_built_against()
    {
        var built = typeof(PairingAnalyzer).Assembly.GetReferencedAssemblies().Single(a => a.Name == "Microsoft.CodeAnalysis");
        var loaded = typeof(Compilation).Assembly.GetName();

        Assert.Equal(new Version(4, 8, 0, 0), built.Version);
        Assert.Equal(built.Version, loaded.Version);
    }

    [Fact]
    public void An_engine_failure_is_counted_and_its_analysis_dropped()
    {
        var log = new EngineFailureLog();
        var ran = false;

        log.Guard(Compilation(), null, () => { ran = true; throw new InvalidOperationException("engine bug"); }, rethrow: false);

        Assert.True(ran);
        Assert.Equal(1, log.EngineFailures);
        Assert.Equal(0, log.CompilerFailures);
    }

    [Fact]
    public void With_ThrowOnEngineFailure_an_engine_failure_is_rethrown_and_counted()
    {
        var log = new EngineFailureLog();

        var thrown = Assert.Throws<InvalidOperationException>(() => log.Guard(Compilation(), null, () => throw new InvalidOperationException("engine bug"), rethrow: true));

        Assert.Equal("engine bug", thrown.Message);
        Assert.Equal(1, log.EngineFailures);
    }

    [Fact]
    public void A_compiler_failure_is_counted_and_never_rethrown()
    {
        var log = new EngineFailureLog();
        var seen = new List<EngineFailure>();
        var compilation = Compilation();
        void Note(EngineFailure failure)
        {
            if (failure.Compilation == compilation)
            {
                seen.Add(failure);
            }
        }

        EngineFailureLog.Reported += Note;
        try
        {
            log.Guard(compilation, null, () => throw new CompilerFailureException(new InvalidOperationException("compiler bug")), rethrow: true);
        }
        finally
        {
            EngineFailureLog.Reported -= Note;
        }

        Assert.Equal(1, log.CompilerFailures);
        Assert.Equal(0, log.EngineFailures);
        Assert.Equal(EngineFailureKind.Compiler, Assert.Single(seen).Kind);
    }

    [Fact]
    public void A_cancellation_is_not_a_failure()
    {
        var log = new EngineFailureLog();

        Assert.Throws<OperationCanceledException>(() => log.Guard(Compilation(), null, () => throw new OperationCanceledException(), rethrow: false));

        Assert.Equal(0, log.EngineFailures + log.CompilerFailures);
    }

    private static Compilation Compilation() => CSharpCompilation.Create("Guarded");
}
