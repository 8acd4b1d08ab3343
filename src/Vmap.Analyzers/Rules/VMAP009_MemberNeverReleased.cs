using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Vmap.Analyzers.Pairing.Members;

namespace Vmap.Analyzers.Rules;

/// <summary>
/// VMAP009: a private field or auto-property holds a block its own class acquired, and no method of
/// the class releases it. The engine's member analysis finds them (<see cref="MemberOwnership"/>);
/// this rule words them.
/// </summary>
internal static class VMAP009_MemberNeverReleased
{
    public static Diagnostic Create(UnreleasedAcquire finding, INamedTypeSymbol owner, Location? dispose)
    {
        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        properties[DiagnosticProperties.Target] = finding.Member.Name;
        var additional = new List<Location> { finding.Declaration };
        if (dispose is not null)
        {
            additional.Add(dispose);
        }

        return Diagnostic.Create(
            Descriptors.VMAP009_MemberNeverReleased,
            finding.Acquire,
            additional,
            properties.ToImmutable(),
            finding.Member.Name,
            finding.ApiName,
            owner.Name,
            Present(finding.Words.Release),
            finding.Words.Noun);
    }

    /// <summary>"frees", "unmaps", "releases": the family's release (a fix title's imperative, "Free") as the message says what a method does.</summary>
    private static string Present(string release) => release.ToLowerInvariant() + "s";
}
