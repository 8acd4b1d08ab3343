using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Vmap.Analyzers.Pairing.Members;

namespace Vmap.Analyzers.Rules;

/// <summary>
/// VMAP008: a member of <c>this</c> released in <c>Dispose()</c>, <c>Dispose(bool)</c>,
/// <c>DisposeAsync()</c> or <c>DisposeAsyncCore()</c> on a path that no disposed flag guards, and
/// not cleared on some path from the release to the method's end: a second Dispose, which .NET's
/// guidelines require to be harmless, hands the same block to the release again. The engine's
/// member analysis finds them (<see cref="DisposeReleases"/>); this rule words them.
/// </summary>
internal static class VMAP008_ReleasedInDisposeNotCleared
{
    public static Diagnostic Create(UnclearedRelease release, Location disposeName)
    {
        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        properties[DiagnosticProperties.Target] = release.Member.Name;
        return Diagnostic.Create(
            Descriptors.VMAP008_ReleasedInDisposeNotCleared,
            release.Operand.Syntax.GetLocation(),
            new[] { disposeName },
            properties.ToImmutable(),
            release.Member.Name,
            release.ReleaseName,
            release.DisposeName,
            release.TestsMember ? $" that passes the test of '{release.Member.Name}'" : string.Empty,
            release.Words.Released);
    }
}
