using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Vmap.Analyzers.Tests.Fixes;

/// <summary>
/// Runs a fix the way the IDE does: every Vmap analyzer looks at the source, the fix is applied one
/// diagnostic at a time and as Fix All in document, project and solution, and every result must
/// compile with no diagnostic left, of this rule or any other.
/// </summary>
internal static class FixVerifier<TFix>
    where TFix : CodeFixProvider, new()
{
    public const string TestPath = "/0/Test0.cs";

    public const string ApiPath = "/0/FakeApi.cs";

    public static Task VerifyAsync(string source, string fixedSource, params DiagnosticResult[] expected)
        => Create(source, fixedSource, expected).RunAsync(CancellationToken.None);

    /// <summary>The rule fires but the fix must not offer an edit: the code stays as it is.</summary>
    public static Task VerifyNoFixAsync(string source, params DiagnosticResult[] expected)
    {
        var test = Create(source, source, expected);
        test.FixedState.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    public static Test Create(string source, string fixedSource, params DiagnosticResult[] expected)
    {
        var test = new Test();
        test.TestState.Sources.Add((TestPath, source));
        test.TestState.Sources.Add((ApiPath, Verify.FakeApi));
        test.FixedState.Sources.Add((TestPath, fixedSource));
        test.FixedState.Sources.Add((ApiPath, Verify.FakeApi));
        test.ExpectedDiagnostics.AddRange(expected);
        return test;
    }

    /// <summary>
    /// As <see cref="VerifyAsync"/> for .NET's own pairs (Marshal, NativeMemory, GCHandle) or pairs
    /// declared in <paramref name="editorConfig"/>: no annotation attribute in the compilation.
    /// </summary>
    public static Task VerifyBuiltInAsync(string source, string fixedSource, string? editorConfig, params DiagnosticResult[] expected)
        => CreateBuiltIn(source, fixedSource, editorConfig, expected).RunAsync(CancellationToken.None);

    /// <summary>As <see cref="VerifyNoFixAsync"/>, without the annotations.</summary>
    public static Task VerifyBuiltInNoFixAsync(string source, string? editorConfig, params DiagnosticResult[] expected)
    {
        var test = CreateBuiltIn(source, source, editorConfig, expected);
        test.FixedState.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    public static Test CreateBuiltIn(string source, string fixedSource, string? editorConfig, params DiagnosticResult[] expected)
    {
        var test = new Test();
        test.TestState.Sources.Add((TestPath, source));
        test.FixedState.Sources.Add((TestPath, fixedSource));
        if (editorConfig is not null)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", editorConfig));
            test.FixedState.AnalyzerConfigFiles.Add(("/.editorconfig", editorConfig));
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test;
    }

    /// <summary>An .editorconfig that declares <paramref name="pairs"/> (<c>name = value</c>) for every C# file.</summary>
    public static string EditorConfig(params (string Name, string Value)[] pairs)
        => "root = true\n\n[*.cs]\n" + string.Concat(pairs.Select(p => $"vmap_pair.{p.Name} = {p.Value}\n"));

    public static DiagnosticResult Diagnostic(string id) => new(id, DiagnosticSeverity.Warning);

    public sealed class Test : CSharpCodeFixTest<EmptyDiagnosticAnalyzer, TFix, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = ReferenceAssemblies.Net.Net80;

            // NativeMemory hands out pointers.
            SolutionTransforms.Add((solution, projectId) =>
            {
                var options = (CSharpCompilationOptions)solution.GetProject(projectId)!.CompilationOptions!;
                return solution.WithProjectCompilationOptions(projectId, options.WithAllowUnsafe(true));
            });
        }

        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => VmapAnalyzers.All();
    }
}
