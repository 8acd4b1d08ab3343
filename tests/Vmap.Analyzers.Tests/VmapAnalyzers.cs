using System.Reflection;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Vmap.Analyzers.Tests;

/// <summary>Every analyzer the Vmap.Analyzers assembly ships, as a compiler host would load them.</summary>
internal static class VmapAnalyzers
{
    // Engine failures must fail the tests, not turn into a quietly skipped method.
    static VmapAnalyzers() => PairingAnalyzer.ThrowOnEngineFailure = true;

    public static IReadOnlyList<DiagnosticAnalyzer> All()
        => typeof(Vmap.Analyzers.Descriptors).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToList();
}
