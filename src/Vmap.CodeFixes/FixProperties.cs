using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Vmap.CodeFixes.Mapping;
using Keys = Vmap.Analyzers.DiagnosticProperties;

namespace Vmap.CodeFixes;

/// <summary>
/// Reads what the analyzers put into <see cref="Diagnostic.Properties"/> (the contract is
/// <c>Vmap.Analyzers.DiagnosticProperties</c>). A property only picks the case; each fix still
/// checks the code's shape itself before it offers an edit.
/// </summary>
internal static class FixProperties
{
    /// <summary>VMAP002: the mapping is lost by an assignment rather than by leaving its scope.</summary>
    public static bool IsOverwrite(Diagnostic diagnostic) => Get(diagnostic, Keys.LossKind) == Keys.LossOverwrite;

    /// <summary>VMAP002: the mapping goes out of scope on some path.</summary>
    public static bool IsOutOfScope(Diagnostic diagnostic) => Get(diagnostic, Keys.LossKind) == Keys.LossOutOfScope;

    /// <summary>VMAP001: the re-pointed value is a field (the XFS shape) rather than a local.</summary>
    public static bool IsFieldShape(Diagnostic diagnostic) => Get(diagnostic, Keys.Shape) == Keys.ShapeField;

    /// <summary>VMAP001: the re-pointed value is a local or parameter.</summary>
    public static bool IsLocalShape(Diagnostic diagnostic) => Get(diagnostic, Keys.Shape) == Keys.ShapeLocal;

    /// <summary>VMAP001, field case: the <c>bool</c> flag the unmap path tests; null when it tests none.</summary>
    public static string? FlagMember(Diagnostic diagnostic) => Get(diagnostic, Keys.FlagName);

    /// <summary>The family's release as a title says it ("Free before overwriting"); "Unmap" from an analyzer that did not say.</summary>
    public static string ReleaseWord(Diagnostic diagnostic) => Get(diagnostic, Keys.ReleaseWord) ?? "Unmap";

    /// <summary>VMAP003: the analyzer saw the first unmap on every path to the second.</summary>
    public static bool IsRedundant(Diagnostic diagnostic) => Get(diagnostic, Keys.Redundant) == "true";

    /// <summary>VMAP005: a <c>MEM_RELEASE</c> free whose size must be 0.</summary>
    public static bool MustBeZero(Diagnostic diagnostic) => Get(diagnostic, Keys.MustBeZero) == "true";

    /// <summary>VMAP010: the right failure value as source text in the tested value's type.</summary>
    public static string? FailureValue(Diagnostic diagnostic) => Get(diagnostic, Keys.FailureValue);

    /// <summary>VMAP005: the mapped count as source text valid at the unmap.</summary>
    public static string? MappedCount(Diagnostic diagnostic) => Get(diagnostic, Keys.MappedCount);

    /// <summary>VMAP006: the release method of the mapping's family, when the analyzer named one.</summary>
    public static string? ReleaseMethodName(Diagnostic diagnostic) => Get(diagnostic, Keys.ReleaseMethod);

    private static string? Get(Diagnostic diagnostic, string key)
        => diagnostic.Properties.TryGetValue(key, out var value) ? value : null;
}
