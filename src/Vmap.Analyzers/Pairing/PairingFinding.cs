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

    /// <summary>The caller releases a mapping it handed to a parameter that takes it over (VMAP003).</summary>
    ReleasedAfterHandOff,

    /// <summary>A mapping already handed to a parameter that takes it over is handed to another one (VMAP003).</summary>
    HandedOffTwice,

    UsedAfterUnmap,

    CountMismatch,

    WrongFamily,

    /// <summary>An OS acquire's failure tested against the wrong value (VMAP010): mmap against null, VirtualAlloc against -1.</summary>
    WrongFailureValue,
}

/// <summary>How a released mapping was used (VMAP004).</summary>
internal enum UseKind
{
    Dereferenced,

    WrappedInSpan,

    /// <summary>Passed as an argument to <see cref="PairingFinding.UsedByName"/>.</summary>
    PassedTo,

    /// <summary>Passed to a constructor of <see cref="PairingFinding.UsedByName"/>.</summary>
    PassedToNew,

    /// <summary>The receiver of a call to <see cref="PairingFinding.UsedByName"/> (a handle's or an array's own method).</summary>
    UsedBy,

    Returned,
}

/// <summary>What a value that replaced a mapping was, where the engine could tell.</summary>
internal enum ValueSourceKind
{
    /// <summary>Nothing to name (a computed value the engine does not follow).</summary>
    Unknown,

    /// <summary>An address computed from the mapping by arithmetic.</summary>
    Offset,

    Constant,

    /// <summary>The result of a call: memory from elsewhere.</summary>
    Call,

    /// <summary>A local, parameter or member, named by <see cref="ValueSource.StorageName"/>.</summary>
    Storage,

    /// <summary>Any other expression, named by its syntax.</summary>
    Expression,
}

/// <summary>A call through which an exception may leave the method (VMAP002): the callee, and where it throws when its summary says so.</summary>
internal sealed record ThrowingCall(string Callee, PathStep? Step);

/// <summary>Where a value came from: its kind, its syntax, and for a storage its name as messages show it.</summary>
internal sealed record ValueSource(ValueSourceKind Kind, SyntaxNode? Syntax = null, string? StorageName = null);

/// <summary>
/// One fact the engine established about a method, with the syntax a reader can check. The rules
/// turn findings into diagnostics; the engine knows nothing about ids or messages.
/// </summary>
internal sealed record PairingFinding(FindingKind Kind, SyntaxNode At, Location Related, string Target)
{
    private readonly FamilyWords? _words;

    /// <summary>
    /// The words of the family the finding is about: the mapping's (<see cref="Site"/>), or where no
    /// mapping is at hand (a new array given to a pool, a re-pointed member) the ones set from the release.
    /// </summary>
    public FamilyWords Words
    {
        get => _words ?? Site?.Spec.Words ?? FamilyWords.Declared;
        init => _words = value;
    }

    /// <summary>The map call that made the mapping, when the finding is about one mapping.</summary>
    public MapSite? Site { get; init; }

    /// <summary>VMAP001 local and member shapes: what the storage became.</summary>
    public ValueSource? Became { get; init; }

    /// <summary>VMAP004: how the mapping was used after its release.</summary>
    public UseKind Use { get; init; }

    /// <summary>VMAP004: the method or type that used it (<see cref="UseKind.PassedTo"/>, <see cref="UseKind.PassedToNew"/>, <see cref="UseKind.UsedBy"/>).</summary>
    public string? UsedByName { get; init; }

    /// <summary>VMAP001, a new array given to a pool: the releasing method.</summary>
    public string? ReleaseName { get; init; }

    /// <summary>VMAP005: the value of the mapped count when it is known and its text is not that number.</summary>
    public long? MappedCountValue { get; init; }

    /// <summary>VMAP002 re-pointed member: where the member is assigned a mapping (in another method).</summary>
    public MemberMapSite? MemberMap { get; init; }

    /// <summary>
    /// The release happened on every path (VMAP003) / the use follows a release on every path /
    /// the released local is not the start on every path (VMAP001: false after a loop that may not run).
    /// </summary>
    public bool OnEveryPath { get; init; }

    public string? MemberName { get; init; }

    public string? FlagName { get; init; }

    /// <summary>The method that unmaps the member (VMAP001 member shape) or the releasing call (VMAP006).</summary>
    public string? ReleaserName { get; init; }

    public PairFamily? ReleaseFamily { get; init; }

    /// <summary>The right release method for the mapping's family, when the API declares one.</summary>
    public string? ReleaseMethod { get; init; }

    public string? CountText { get; init; }

    /// <summary>VMAP003/VMAP004: the earlier release happened inside this callee (a step of the path).</summary>
    public ReleaseVia? EarlierVia { get; init; }

    /// <summary>VMAP002 out of scope on an exception path: the call that may throw (<see cref="Related"/> is the call).</summary>
    public ThrowingCall? ThrownBy { get; init; }

    /// <summary>VMAP002 out of scope: the mapping is held only by this local list or array, which dies with the method (<see cref="Target"/> is its name).</summary>
    public LocalContainer? Container { get; init; }

    /// <summary>VMAP002 out of scope: the mapping is held by a field of the object a constructor builds, and the constructor throws (issue 20, H1).</summary>
    public bool ObjectLost { get; init; }

    /// <summary>VMAP003 after a hand-off: the earlier hand-off (<see cref="ReleaserName"/> is the second adopter for <see cref="FindingKind.HandedOffTwice"/>).</summary>
    public HandOff? HandedTo { get; init; }

    /// <summary>VMAP003/VMAP006: this release happens inside this callee.</summary>
    public ReleaseVia? Via { get; init; }

    public string? MappedCountText { get; init; }

    /// <summary>VMAP005: a <c>MEM_RELEASE</c> free whose size is not 0 (<see cref="ReleaserName"/> is the free).</summary>
    public bool SizeMustBeZero { get; init; }

    /// <summary>VMAP010: the acquire fails with NULL (tested against -1); false when it fails with MAP_FAILED (tested against null).</summary>
    public bool FailureIsNull { get; init; }

    /// <summary>VMAP010: the type of the tested value, in which the right failure value is written.</summary>
    public ITypeSymbol? TestedType { get; init; }
}
