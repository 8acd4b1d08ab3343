using System;
using System.Threading;
using Microsoft.CodeAnalysis;

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
