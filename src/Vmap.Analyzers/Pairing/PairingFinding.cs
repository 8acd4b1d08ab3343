using Microsoft.CodeAnalysis;

namespace Vmap.Analyzers.Pairing;

internal enum FindingKind
{
    /// <summary>An unmap of a local/parameter that was re-pointed or offset after mapping.</summary>
    UnmapOfNonStart,

    /// <summary>A member that holds mappings (and is unmapped elsewhere) is re-pointed at other memory.</summary>
    MemberRepointed,

    /// <summary>
    /// A pooled member re-pointed at a new acquisition is then released: the new block goes back
    /// while still held, the block the member held before is lost (dotnet/coreclr#15104).
    /// </summary>
    RepointedMemberReleased,

    /// <summary>The same re-pointing seen from the mapping's side: what the member held is never unmapped.</summary>
    MemberMappingLost,

    MappingOverwritten,

    MappingOutOfScope,

    UnmappedTwice,

    UsedAfterUnmap,

    CountMismatch,

    WrongFamily,
}

/// <summary>
/// One fact the engine established about a method, with the syntax a reader can check. The rules
/// turn findings into diagnostics; the engine knows nothing about ids or messages.
/// </summary>
internal sealed record PairingFinding(FindingKind Kind, SyntaxNode At, Location Related, string Target)
{
    /// <summary>The map call that made the mapping, when the finding is about one mapping.</summary>
    public MapSite? Site { get; init; }

    /// <summary>What the storage became (VMAP001), or how the mapping was used (VMAP004).</summary>
    public string? Detail { get; init; }

    /// <summary>The release happened on every path (VMAP003) / the use follows a release on every path.</summary>
    public bool OnEveryPath { get; init; }

    public string? MemberName { get; init; }

    public string? FlagName { get; init; }

    /// <summary>The method that unmaps the member (VMAP001 member shape) or the releasing call (VMAP006).</summary>
    public string? ReleaserName { get; init; }

    public string? ReleaseFamily { get; init; }

    /// <summary>The right release method for the mapping's family, when the API declares one.</summary>
    public string? ReleaseMethod { get; init; }

    public string? CountText { get; init; }

    /// <summary>VMAP003/VMAP004: the earlier release happened inside this callee (a step of the path).</summary>
    public ReleaseVia? EarlierVia { get; init; }

    /// <summary>VMAP003/VMAP006: this release happens inside this callee.</summary>
    public ReleaseVia? Via { get; init; }

    public string? MappedCountText { get; init; }
}
