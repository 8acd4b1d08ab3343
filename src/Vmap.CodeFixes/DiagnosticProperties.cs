using Microsoft.CodeAnalysis;

namespace Vmap.CodeFixes;

/// <summary>
/// Reads what the analyzers put into <see cref="Diagnostic.Properties"/>. Until a key is provided
/// the fixes derive the same facts from the syntax, so every reader here says what that fallback is.
/// </summary>
internal static class DiagnosticProperties
{
    /// <summary>VMAP002: the mapping is lost by an assignment (rather than by leaving its scope).</summary>
    public static bool IsOverwrite(Diagnostic diagnostic) => true;
}
