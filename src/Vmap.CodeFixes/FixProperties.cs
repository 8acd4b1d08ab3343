using Microsoft.CodeAnalysis;

namespace Vmap.CodeFixes;

/// <summary>
/// Reads what the analyzers put into <see cref="Diagnostic.Properties"/> (keys documented in
/// <c>Vmap.Analyzers.DiagnosticProperties</c>). A missing key never enables a fix on its own: the
/// fixes check the shape of the code themselves and use the properties to pick the case.
/// </summary>
internal static class FixProperties
{
    private const string LossKind = "LossKind";
    private const string Shape = "Shape";
    private const string FlagName = "FlagName";
    private const string Redundant = "Redundant";
    private const string ReleaseMethod = "ReleaseMethod";

    /// <summary>VMAP002: the mapping is lost by an assignment rather than by leaving its scope.</summary>
    public static bool IsOverwrite(Diagnostic diagnostic) => Get(diagnostic, LossKind) == "Overwrite";

    /// <summary>VMAP002: the mapping goes out of scope on some path.</summary>
    public static bool IsOutOfScope(Diagnostic diagnostic) => Get(diagnostic, LossKind) == "OutOfScope";

    /// <summary>VMAP001: the re-pointed value is a field (the XFS shape) rather than a local.</summary>
    public static bool IsFieldShape(Diagnostic diagnostic) => Get(diagnostic, Shape) == "Field";

    /// <summary>VMAP001: the re-pointed value is a local or parameter.</summary>
    public static bool IsLocalShape(Diagnostic diagnostic) => Get(diagnostic, Shape) == "Local";

    /// <summary>VMAP001, field case: the <c>bool</c> flag the unmap path tests; null when it tests none.</summary>
    public static string? FlagMember(Diagnostic diagnostic) => Get(diagnostic, FlagName);

    /// <summary>VMAP003: the analyzer saw the first unmap on every path to the second.</summary>
    public static bool IsRedundant(Diagnostic diagnostic) => Get(diagnostic, Redundant) == "true";

    /// <summary>VMAP006: the release method of the mapping's family, when the analyzer named one.</summary>
    public static string? ReleaseMethodName(Diagnostic diagnostic) => Get(diagnostic, ReleaseMethod);

    private static string? Get(Diagnostic diagnostic, string key)
        => diagnostic.Properties.TryGetValue(key, out var value) ? value : null;
}
