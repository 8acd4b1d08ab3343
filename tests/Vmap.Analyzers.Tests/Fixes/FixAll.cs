using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Vmap.Analyzers.Tests.Fixes;

/// <summary>Sets up Fix All across documents and projects and pins how many passes each scope needs.</summary>
internal static class FixAll
{
    public const string SecondProject = "Second";

    /// <summary>A second project with its own copy of the API, so Fix All in solution has two projects to fix.</summary>
    public static void AddSecondProject<TFix>(FixVerifier<TFix>.Test test, string source, string fixedSource, params DiagnosticResult[] expected)
        where TFix : CodeFixProvider, new()
    {
        var project = new ProjectState(SecondProject, test.Language, "/1/Test", "cs");
        project.Sources.Add(("/1/Test0.cs", source));
        project.Sources.Add(("/1/VmapApi.cs", Verify.FakeApi));
        test.TestState.AdditionalProjects.Add(SecondProject, project);

        var fixedProject = new ProjectState(SecondProject, test.Language, "/1/Test", "cs");
        fixedProject.Sources.Add(("/1/Test0.cs", fixedSource));
        fixedProject.Sources.Add(("/1/VmapApi.cs", Verify.FakeApi));
        test.FixedState.AdditionalProjects.Add(SecondProject, fixedProject);
        test.ExpectedDiagnostics.AddRange(expected);
    }

    /// <summary>
    /// One Fix All pass fixes a whole document, project or solution: Fix All in document needs one
    /// pass per document, in project one per project, in solution exactly one.
    /// </summary>
    public static void ExpectOnePassPerScope<TFix>(FixVerifier<TFix>.Test test, int documents, int projects)
        where TFix : CodeFixProvider, new()
    {
        test.NumberOfFixAllInDocumentIterations = documents;
        test.NumberOfFixAllInProjectIterations = projects;
        test.NumberOfFixAllIterations = 1;
    }
}
