using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>Per-compilation state: resolved annotations and the lazily built member index.</summary>
internal sealed class PairingContext
{
    private readonly Lazy<MemberIndex> _memberIndex;

    private PairingContext(Compilation compilation, CancellationToken cancellationToken)
    {
        Annotations = new Annotations();
        _memberIndex = new Lazy<MemberIndex>(() => MemberIndex.Build(compilation, Annotations, cancellationToken), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public Annotations Annotations { get; }

    public MemberIndex MemberIndex => _memberIndex.Value;

    /// <summary>
    /// Only members typed as an address (<c>nint</c>, <c>nuint</c>, a pointer) can hold a mapping;
    /// checking the type first keeps the member index unbuilt for every other assignment.
    /// </summary>
    public static bool MayHoldAddress(IMemberReferenceOperation member) =>
        member.Member is IFieldSymbol or IPropertySymbol &&
        member.Type is { SpecialType: SpecialType.System_IntPtr or SpecialType.System_UIntPtr } or IPointerTypeSymbol;

    /// <summary>
    /// A context for <paramref name="compilation"/>, or null when no annotation attribute exists in
    /// it (nothing can be annotated, so there is nothing to pair).
    /// </summary>
    public static PairingContext? TryCreate(Compilation compilation, CancellationToken cancellationToken)
    {
        if (compilation.GetTypesByMetadataName(Annotations.MapsMemoryMetadataName).IsEmpty &&
            compilation.GetTypesByMetadataName(Annotations.UnmapsMemoryMetadataName).IsEmpty)
        {
            return null;
        }

        return new PairingContext(compilation, cancellationToken);
    }
}
