using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>Per-compilation state: the pair table and the lazily built member index.</summary>
internal sealed class PairingContext
{
    private readonly Lazy<MemberIndex> _memberIndex;

    private PairingContext(Compilation compilation, PairTable pairs, IReadOnlyList<PairConfigurationError> configurationErrors, CancellationToken cancellationToken)
    {
        Pairs = pairs;
        ConfigurationErrors = configurationErrors;
        _memberIndex = new Lazy<MemberIndex>(() => MemberIndex.Build(compilation, Pairs, cancellationToken), LazyThreadSafetyMode.ExecutionAndPublication);
        Summaries = new CallSummaries(compilation, this);
        _pairNames = new HashSet<string>(pairs.MethodNames, StringComparer.Ordinal);
    }

    /// <summary>What source methods do with the mappings they are given (and which of them acquire).</summary>
    public CallSummaries Summaries { get; }

    public PairTable Pairs { get; }

    private readonly HashSet<string> _pairNames;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<SyntaxTree, bool> _treesNamingPairs = new();

    /// <summary>
    /// Whether any identifier of <paramref name="tree"/> is the name of a built-in or configured
    /// pair method: decided once per tree, so that code blocks of trees that name none are not
    /// scanned one by one.
    /// </summary>
    public bool TreeNamesPairApi(SyntaxTree tree, CancellationToken cancellationToken) => _treesNamingPairs.GetOrAdd(tree, t =>
    {
        foreach (var token in t.GetRoot(cancellationToken).DescendantTokens())
        {
            if (token.RawKind == (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken && _pairNames.Contains(token.ValueText))
            {
                return true;
            }
        }

        return false;
    });

    /// <summary>The names of the built-in and configured pair methods, as a plain set for the per-tree test.</summary>
    public bool IsPairName(string name) => _pairNames.Contains(name);

    /// <summary>The <c>vmap_pair.*</c> entries that could not be used (VMAP007).</summary>
    public IReadOnlyList<PairConfigurationError> ConfigurationErrors { get; }

    public MemberIndex MemberIndex => _memberIndex.Value;

    /// <summary>
    /// Only members typed as an address (<c>nint</c>, <c>nuint</c>, a pointer) can hold a mapping;
    /// checking the type first keeps the member index unbuilt for every other assignment.
    /// </summary>
    public static bool MayHoldAddress(IMemberReferenceOperation member) =>
        member.Member is IFieldSymbol or IPropertySymbol &&
        member.Type is { SpecialType: SpecialType.System_IntPtr or SpecialType.System_UIntPtr } or IPointerTypeSymbol;

    /// <summary>
    /// The context of <paramref name="compilation"/>, or null when nothing in it can acquire or
    /// release: no annotation attribute, no configured pair, and none of the built-in pair types.
    /// Every .NET compilation references the built-in types, so there whether a method is worth
    /// walking is decided per method, by the names it calls (<see cref="PairTable.Get"/>).
    /// </summary>
    public static PairingContext? TryCreate(Compilation compilation, AnalyzerOptions options, CancellationToken cancellationToken)
    {
        var hasAttributes =
            !compilation.GetTypesByMetadataName(Annotations.MapsMemoryMetadataName).IsEmpty ||
            !compilation.GetTypesByMetadataName(Annotations.UnmapsMemoryMetadataName).IsEmpty;
        var errors = new List<PairConfigurationError>();
        var entries = ConfiguredPairs.ReadAll(options.AnalyzerConfigOptionsProvider, compilation, cancellationToken);
        var configured = ConfiguredPairs.Resolve(entries.Where(ConfiguredPairs.KeyPrefix), compilation, errors);
        var adopting = ConfiguredPairs.ResolveOwnership(entries.Where(ConfiguredPairs.OwnershipPrefix), compilation, errors);
        if (!hasAttributes && configured.Count == 0 && errors.Count == 0 && !BuiltInPairs.AnyReferenced(compilation))
        {
            return null;
        }

        return new PairingContext(compilation, new PairTable(hasAttributes, configured, adopting), errors, cancellationToken);
    }
}
