using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Rules;

/// <summary>VMAP010: an OS acquire's failure is tested against the value it never returns.</summary>
internal static class VMAP010_WrongFailureValue
{
    public static Diagnostic Create(PairingFinding finding)
    {
        var site = finding.Site!;
        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        if (RightValue(finding) is { } right)
        {
            properties[DiagnosticProperties.FailureValue] = right;
        }

        return Rule.Diagnostic(
            Descriptors.VMAP010_WrongFailureValue,
            finding,
            properties,
            finding.Target,
            site.MethodName,
            Rule.Line(site.Syntax, finding.At),
            "'" + finding.At + "'",
            finding.FailureIsNull ? "NULL" : "MAP_FAILED ((void*)-1)");
    }

    /// <summary>The right failure value written in the tested value's type, or null when the type is one the fix does not write.</summary>
    private static string? RightValue(PairingFinding finding)
    {
        var type = finding.TestedType;
        if (type is IPointerTypeSymbol pointer)
        {
            return finding.FailureIsNull ? "null" : "(" + pointer.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + ")(-1)";
        }

        return type?.SpecialType switch
        {
            SpecialType.System_IntPtr => finding.FailureIsNull ? "IntPtr.Zero" : "new IntPtr(-1)",
            SpecialType.System_UIntPtr => finding.FailureIsNull ? "UIntPtr.Zero" : "UIntPtr.MaxValue",
            SpecialType.System_Int64 or SpecialType.System_Int32 => finding.FailureIsNull ? "0" : "-1",
            _ => null,
        };
    }
}
