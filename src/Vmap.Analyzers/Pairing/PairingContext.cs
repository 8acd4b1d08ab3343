using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>Per-compilation state: the pair table and the lazily built member index.</summary>
internal sealed class PairingContext
{
    private readonly Lazy<MemberIndex> _memberIndex;

    private PairingContext(Compilation compilation, PairTable pairs, ImmutableHashSet<string> configuredNames, IReadOnlyList<PairConfigurationError> configurationErrors, EngineFailureLog failures, ExceptionPaths exceptionPaths, CancellationToken cancellationToken)
    {
        Pairs = pairs;
        ExceptionPaths = exceptionPaths;
        ConfigurationErrors = configurationErrors;
        Failures = failures;
        _scan = new Lazy<PairNameScan>(() => PairNameScan.Build(compilation, Pairs, cancellationToken), LazyThreadSafetyMode.ExecutionAndPublication);
        _gate = new Lazy<PairGate>(() => new PairGate(compilation, this, Scan, configuredNames), LazyThreadSafetyMode.ExecutionAndPublication);
        _memberIndex = new Lazy<MemberIndex>(() => BuildMemberIndex(compilation, cancellationToken), LazyThreadSafetyMode.ExecutionAndPublication);
        Summaries = new CallSummaries(compilation, this);
    }

    /// <summary>What each type's members hold and who releases them (VMAP008, VMAP009), one analysis per type.</summary>
    public Members.MemberFacts Members { get; } = new();

    /// <summary>The methods (and compilation-wide steps) the analysis had to skip.</summary>
    public EngineFailureLog Failures { get; }

    /// <summary>
    /// The member index binds calls in every tree that names a pair method. When the compiler
    /// cannot represent one of them the index would be incomplete (a missing release site could
    /// make a guarded re-pointing look unguarded), so it is empty instead: no member is known to
    /// hold mappings, and the member rules stay silent for the whole compilation.
    /// </summary>
    private MemberIndex BuildMemberIndex(Compilation compilation, CancellationToken cancellationToken)
    {
        try
        {
            return MemberIndex.Build(compilation, Pairs, Scan, cancellationToken);
        }
        catch (CompilerFailureException ex)
        {
            Failures.Record(compilation, null, ex);
            return MemberIndex.Empty;
        }
    }

    /// <summary>The <c>vmap_exception_paths</c> setting: which calls count as a way out of the method.</summary>
    public ExceptionPaths ExceptionPaths { get; }

    /// <summary>What source methods do with the mappings they are given (and which of them acquire).</summary>
    public CallSummaries Summaries { get; }

    public PairTable Pairs { get; }

    private readonly Lazy<PairNameScan> _scan;

    /// <summary>Where the source names a pair method or a possible acquirer: built on the first code block that asks.</summary>
    public PairNameScan Scan => _scan.Value;

    private readonly Lazy<PairGate> _gate;

    /// <summary>Which occurrences of the scan's names may be calls the engine counts: made on the first code block that asks.</summary>
    internal PairGate Gate => _gate.Value;

    /// <summary>
    /// The text gate in front of binding: <paramref name="codeBlock"/> (the code block of
    /// <paramref name="owner"/>) names a pair method or a possible acquirer where it may call one
    /// (<see cref="PairGate"/>), or a member that holds mappings (the XFS shape, re-pointed in a
    /// method that calls nothing). Everything else cannot pair and is never bound.
    /// </summary>
    public bool MayPair(SyntaxNode codeBlock, ISymbol? owner, CancellationToken cancellationToken)
    {
        var scan = Scan;
        var tree = codeBlock.SyntaxTree;
        if (MayCall(codeBlock, owner, cancellationToken))
        {
            return true;
        }

        // Only a tree that names a pair method can assign a mapping to a member, so with none the
        // member index (which binds those trees) is not built at all.
        return scan.Trees.Any() && scan.NamesMember(tree, codeBlock.Span, MemberIndex.HeldNames, cancellationToken);
    }

    /// <summary>
    /// True when <paramref name="codeBlock"/>, the code block of <paramref name="owner"/>, may call a
    /// pair method or an acquirer: its text names one where it may be called (<see cref="PairGate"/>).
    /// </summary>
    public bool MayCall(SyntaxNode codeBlock, ISymbol? owner, CancellationToken cancellationToken) =>
        Scan.Mentions(codeBlock.SyntaxTree, codeBlock.Span) && Gate.MayCall(codeBlock.SyntaxTree, codeBlock.Span, owner, cancellationToken);

    /// <summary>The <c>vmap_pair.*</c> entries that could not be used (VMAP007).</summary>
    public IReadOnlyList<PairConfigurationError> ConfigurationErrors { get; }

    public MemberIndex MemberIndex => _memberIndex.Value;

    /// <summary>Whether anything needed the member index yet (it binds every tree that names a pair method).</summary>
    internal bool MemberIndexBuilt => _memberIndex.IsValueCreated;

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
    public static PairingContext? TryCreate(Compilation compilation, AnalyzerOptions options, CancellationToken cancellationToken) =>
        TryCreate(compilation, ConfiguredPairs.ReadAll(options.AnalyzerConfigOptionsProvider, compilation, cancellationToken), new EngineFailureLog(), cancellationToken);

    private static PairingContext? TryCreate(Compilation compilation, ConfiguredPairs.Entries entries, EngineFailureLog failures, CancellationToken cancellationToken)
    {
        var hasAttributes =
            !compilation.GetTypesByMetadataName(Annotations.MapsMemoryMetadataName).IsEmpty ||
            !compilation.GetTypesByMetadataName(Annotations.UnmapsMemoryMetadataName).IsEmpty;
        var errors = new List<PairConfigurationError>();
        var configured = ConfiguredPairs.Resolve(entries.Where(ConfiguredPairs.KeyPrefix), compilation, errors);
        var adopting = ConfiguredPairs.ResolveOwnership(entries.Where(ConfiguredPairs.OwnershipPrefix), compilation, errors);
        var exceptionPaths = ConfiguredPairs.ResolveExceptionPaths(entries.Where(ConfiguredPairs.ExceptionPathsKey), errors);
        if (!hasAttributes && configured.Count == 0 && errors.Count == 0 && !BuiltInPairs.AnyReferenced(compilation))
        {
            return null;
        }

        // The configured pairs' names, which the gate cannot judge from the source alone.
        var configuredNames = configured.Keys.Select(m => m.Name).ToImmutableHashSet(StringComparer.Ordinal);
        return new PairingContext(compilation, new PairTable(hasAttributes, configured, adopting, OsPairs.RenamedEntryPoints(compilation, cancellationToken)), configuredNames, errors, failures, exceptionPaths, cancellationToken);
    }

    private static readonly ConditionalWeakTable<Compilation, Slot> Slots = new();

    /// <summary>
    /// The slot both analyzers of a compilation share (one pair table, one text scan), opened
    /// without touching a symbol: see <see cref="Slot"/>.
    /// </summary>
    public static Slot For(Compilation compilation, AnalyzerOptions options, CancellationToken cancellationToken)
    {
        var slot = Slots.GetValue(compilation, c => new Slot(c, options, cancellationToken));
        return ReferenceEquals(slot.Options, options) ? slot : new Slot(compilation, options, cancellationToken);
    }

    /// <summary>
    /// A compilation's context, created by the first code block that needs it. A compilation
    /// start action runs alongside the compiler's own declaration pass, so the first symbol it
    /// looks up builds the compilation's declaration table and binds its references — the
    /// compiler's work, but timed as ours (ReportAnalyzer charged 0.2–0.4 s of it to every
    /// compilation, docs/real-world.md). By the first code block the compiler has done it.
    /// Reading the configuration entries touches no symbol, so it stays in the start action.
    /// </summary>
    internal sealed class Slot
    {
        private readonly object _gate = new();
        private readonly Compilation _compilation;
        private PairingContext? _context;
        private volatile bool _created;

        public Slot(Compilation compilation, AnalyzerOptions options, CancellationToken cancellationToken)
        {
            _compilation = compilation;
            Options = options;
            Entries = ConfiguredPairs.ReadAll(options.AnalyzerConfigOptionsProvider, compilation, cancellationToken);
        }

        public AnalyzerOptions Options { get; }

        /// <summary>The compilation whose context this is (the driver's own copy).</summary>
        public Compilation Compilation => _compilation;

        /// <summary>What the analyzers of this compilation had to skip, counted (see <see cref="EngineFailureLog"/>).</summary>
        public EngineFailureLog Failures { get; } = new();

        /// <summary>Whether a code block (or VMAP007's end action) has asked for the context yet.</summary>
        internal bool IsCreated => _created;

        /// <summary>The <c>vmap_*</c> entries visible to the compilation.</summary>
        public ConfiguredPairs.Entries Entries { get; }

        /// <summary>
        /// The context, or null when nothing in the compilation can acquire or release. Not a
        /// <see cref="Lazy{T}"/>: a cancelled first caller must not leave its cancellation cached
        /// for the next one.
        /// </summary>
        public PairingContext? Get(CancellationToken cancellationToken)
        {
            if (_created)
            {
                return _context;
            }

            lock (_gate)
            {
                if (!_created)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    _context = TryCreate(_compilation, Entries, Failures, cancellationToken);
                    _created = true;
                }

                return _context;
            }
        }
    }
}
