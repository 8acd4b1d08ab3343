using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// Where the compilation's source text names a method that can acquire or release: a pair method
/// (built-in, configured, annotated) or a source method that may hand out what one acquired (an
/// inferred acquirer, and its own callers' acquirers, to the summaries' depth). Decided once per
/// compilation from the trees' text, so that a code block is admitted to binding by a binary
/// search: most code blocks of most projects name none of them, and walking their syntax nodes
/// (which builds the red tree of every method) cost more than the whole engine (measured in
/// bench/README.md).
/// </summary>
/// <remarks>
/// The scan only has to be conservative: a name in a comment or a string is found too. Which of
/// a code block's occurrences may be calls the engine counts is <see cref="PairGate"/>'s to judge,
/// before binding; the engine's own test (<c>MentionsPairing</c>) decides on the bound operations.
/// </remarks>
internal sealed class PairNameScan
{
    /// <summary>How many rounds of "a method that names one may itself be an acquirer" are followed: the summaries' depth bound.</summary>
    private const int AcquirerRounds = SummaryScope.MaxDepth;

    private static readonly int[] None = Array.Empty<int>();

    private readonly HashSet<string> _names;
    private readonly HashSet<string> _annotated;
    private readonly HashSet<string> _inferred;
    private readonly Dictionary<SyntaxTree, int[]> _positions;
    private readonly ConcurrentDictionary<SyntaxTree, int[]> _heldPositions = new();
    private IReadOnlyCollection<string>? _heldNames;

    private PairNameScan(HashSet<string> names, HashSet<string> annotated, HashSet<string> inferred, Dictionary<SyntaxTree, int[]> positions)
    {
        Names = _names = names;
        _annotated = annotated;
        _inferred = inferred;
        _positions = positions;
    }

    /// <summary>Every name the scan looked for: the pair methods' and the possible acquirers'.</summary>
    public IReadOnlyCollection<string> Names { get; }

    /// <summary>
    /// False when <paramref name="method"/> cannot be an inferred acquirer: its name is none of
    /// <see cref="Names"/>, which hold every source method around an acquire whose signature can
    /// hand a mapping out, to the summaries' depth.
    /// </summary>
    public bool MayAcquire(IMethodSymbol method)
    {
        var name = method.Name;
        var dot = name.LastIndexOf('.');
        return _names.Contains(dot < 0 ? name : name.Substring(dot + 1));
    }

    /// <summary>
    /// True when <paramref name="name"/> is among <see cref="Names"/> only as a possible acquirer:
    /// no pair method of the table and no annotated method has it, so a call of it pairs only if it
    /// calls a source method that the summaries find to acquire.
    /// </summary>
    public bool IsAcquirerNameOnly(string name) => _inferred.Contains(name);

    /// <summary>
    /// True when <paramref name="name"/> is the name of an annotated method (or, in a tree that
    /// names the attributes, of any source method with an attribute).
    /// </summary>
    public bool IsAnnotatedName(string name) => _annotated.Contains(name);

    /// <summary>The trees that name one of <see cref="Names"/>, in the compilation's order.</summary>
    public IEnumerable<SyntaxTree> Trees => _positions.Keys;

    /// <summary>Where, in <paramref name="tree"/>, one of <see cref="Names"/> starts (sorted).</summary>
    public IReadOnlyList<int> PositionsIn(SyntaxTree tree) => _positions.TryGetValue(tree, out var found) ? found : None;

    /// <summary>Where, within <paramref name="span"/> of <paramref name="tree"/>, one of <see cref="Names"/> starts, in text order.</summary>
    public IEnumerable<int> PositionsWithin(SyntaxTree tree, TextSpan span)
    {
        if (!_positions.TryGetValue(tree, out var found))
        {
            yield break;
        }

        for (int i = LowerBound(found, span.Start); i < found.Length && found[i] < span.End; i++)
        {
            yield return found[i];
        }
    }

    /// <summary>True when the text of <paramref name="span"/> names one of <see cref="Names"/>.</summary>
    public bool Mentions(SyntaxTree tree, TextSpan span) => _positions.TryGetValue(tree, out var found) && AnyWithin(found, span);

    /// <summary>
    /// True when the text of <paramref name="span"/> names one of <paramref name="heldNames"/> (the
    /// members that hold mappings). The positions are found per tree on first need.
    /// </summary>
    public bool NamesMember(SyntaxTree tree, TextSpan span, IReadOnlyCollection<string> heldNames, CancellationToken cancellationToken)
    {
        if (heldNames.Count == 0)
        {
            return false;
        }

        // One member index per compilation, so one set of held names.
        Interlocked.CompareExchange(ref _heldNames, heldNames, null);
        var found = _heldPositions.GetOrAdd(tree, t => Find(t.GetText(cancellationToken).ToString(), _heldNames, cancellationToken, assignedOnly: true).ToArray());
        return AnyWithin(found, span);
    }

    /// <summary>
    /// Scans every tree of <paramref name="compilation"/> for the table's names, then for the names
    /// of the source methods around those that may return or hand out (<c>out</c>) what they acquired.
    /// </summary>
    public static PairNameScan Build(Compilation compilation, PairTable pairs, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(pairs.MethodNames, StringComparer.Ordinal);
        var acquires = new HashSet<string>(pairs.AcquireNames, StringComparer.Ordinal);
        var annotated = new HashSet<string>(StringComparer.Ordinal);
        var inferred = new HashSet<string>(StringComparer.Ordinal);
        AddAnnotated(compilation, pairs, annotated, acquires, cancellationToken);
        names.UnionWith(annotated);
        var texts = new Dictionary<SyntaxTree, string>();
        var found = new Dictionary<SyntaxTree, List<int>>();
        IReadOnlyCollection<string> round = names.ToList();
        for (int depth = 0; depth <= AcquirerRounds && round.Count > 0; depth++)
        {
            var next = new HashSet<string>(StringComparer.Ordinal);
            foreach (var tree in compilation.SyntaxTrees)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!texts.TryGetValue(tree, out var text))
                {
                    text = tree.GetText(cancellationToken).ToString();
                    texts.Add(tree, text);
                }

                var hits = Find(text, round, cancellationToken);
                if (hits.Count == 0)
                {
                    continue;
                }

                if (!found.TryGetValue(tree, out var all))
                {
                    found.Add(tree, all = new List<int>());
                }

                all.AddRange(hits);
                if (depth == AcquirerRounds)
                {
                    continue;
                }

                // Only an acquire makes the method around it a possible acquirer; a release does not.
                var root = tree.GetRoot(cancellationToken);
                foreach (var position in hits)
                {
                    if (acquires.Contains(NameAt(text, position)) && EnclosingAcquirerName(root, position) is { } name && names.Add(name))
                    {
                        acquires.Add(name);
                        inferred.Add(name);
                        next.Add(name);
                    }
                }
            }

            round = next;
        }

        var positions = new Dictionary<SyntaxTree, int[]>();
        foreach (var pair in found)
        {
            var sorted = pair.Value.Distinct().ToArray();
            Array.Sort(sorted);
            positions.Add(pair.Key, sorted);
        }

        return new PairNameScan(names, annotated, inferred, positions);
    }

    /// <summary>
    /// The method or local function around <paramref name="position"/>, by name, when its
    /// signature could hand a mapping to its caller: it returns something, or has an out parameter.
    /// </summary>
    private static string? EnclosingAcquirerName(SyntaxNode root, int position)
    {
        for (var node = root.FindToken(position).Parent; node is not null; node = node.Parent)
        {
            switch (node)
            {
                case MethodDeclarationSyntax method:
                    return HandsOut(method.ReturnType, method.ParameterList) ? method.Identifier.ValueText : null;
                case LocalFunctionStatementSyntax local:
                    return HandsOut(local.ReturnType, local.ParameterList) ? local.Identifier.ValueText : null;
                case BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or BaseTypeDeclarationSyntax:
                    // Constructors, operators and accessors are not called by a name of their own.
                    return null;
            }
        }

        return null;
    }

    /// <summary>
    /// The syntax of <see cref="CallSummaries.MayHoldMapping"/>: an acquirer hands out an address,
    /// a pointer, an array or a handle, as its result or through an out or ref parameter.
    /// </summary>
    private static bool HandsOut(TypeSyntax returnType, ParameterListSyntax parameters) =>
        MayHoldMapping(returnType) ||
        parameters.Parameters.Any(p => (p.Modifiers.Any(SyntaxKind.OutKeyword) || p.Modifiers.Any(SyntaxKind.RefKeyword)) && p.Type is { } type && MayHoldMapping(type));

    private static bool MayHoldMapping(TypeSyntax type) => type switch
    {
        PointerTypeSyntax or ArrayTypeSyntax or FunctionPointerTypeSyntax => true,
        NullableTypeSyntax nullable => MayHoldMapping(nullable.ElementType),
        RefTypeSyntax reference => MayHoldMapping(reference.Type),
        QualifiedNameSyntax qualified => MayHoldMapping(qualified.Right),
        AliasQualifiedNameSyntax alias => MayHoldMapping(alias.Name),
        IdentifierNameSyntax { Identifier.ValueText: "nint" or "nuint" or "IntPtr" or "UIntPtr" or "GCHandle" } => true,
        _ => false,
    };

    /// <summary>The identifier that starts at <paramref name="position"/> of <paramref name="text"/>.</summary>
    private static string NameAt(string text, int position)
    {
        int end = position;
        while (end < text.Length && IsIdentifierPart(text[end]))
        {
            end++;
        }

        return text.Substring(position, end - position);
    }

    /// <summary>
    /// Where any of <paramref name="names"/> occurs in <paramref name="text"/> as a whole identifier;
    /// with <paramref name="assignedOnly"/>, only where a simple assignment (<c>name =</c>) follows,
    /// the only way a member is re-pointed.
    /// </summary>
    /// <summary>
    /// Where a whole identifier of <paramref name="text"/> is one of <paramref name="names"/>, in
    /// text order. One search per group of names that share a prefix (<c>Free</c> finds
    /// <c>FreeHGlobal</c> and <c>FreeCoTaskMem</c> too; <c>StringTo</c> the eight string
    /// marshallers), with the runtime's vectorized search: it is precompiled, where a single pass
    /// of ours over the characters (tried) ran slower, and slower still in a fresh compiler
    /// process, before the JIT has optimized it.
    /// </summary>
    private static List<int> Find(string text, IReadOnlyCollection<string> names, CancellationToken cancellationToken, bool assignedOnly = false)
    {
        var hits = new List<int>();
        foreach (var (prefix, group) in SearchGroups(names))
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int at = text.IndexOf(prefix, StringComparison.Ordinal); at >= 0; at = text.IndexOf(prefix, at + prefix.Length, StringComparison.Ordinal))
            {
                if (at > 0 && IsIdentifierPart(text[at - 1]))
                {
                    continue;
                }

                int end = at + prefix.Length;
                while (end < text.Length && IsIdentifierPart(text[end]))
                {
                    end++;
                }

                foreach (var name in group)
                {
                    if (name.Length == end - at && string.CompareOrdinal(text, at, name, 0, name.Length) == 0)
                    {
                        if (!assignedOnly || IsAssignedAt(text, end))
                        {
                            hits.Add(at);
                        }

                        break;
                    }
                }
            }
        }

        // Callers search the positions by bisection.
        hits.Sort();
        return hits;
    }

    /// <summary>A shared prefix shorter than this is searched as separate names: it would match too many identifiers.</summary>
    private const int ShortestSharedPrefix = 4;

    /// <summary>
    /// The names split into groups that share a prefix of at least <see cref="ShortestSharedPrefix"/>
    /// characters, each searched once by that prefix. In ordinal order names with a common prefix
    /// are neighbours, so one pass forms the groups.
    /// </summary>
    private static List<(string Prefix, List<string> Names)> SearchGroups(IReadOnlyCollection<string> names)
    {
        var sorted = names.Where(n => n.Length > 0).ToList();
        sorted.Sort(StringComparer.Ordinal);
        var groups = new List<(string Prefix, List<string> Names)>();
        foreach (var name in sorted)
        {
            if (groups.Count > 0)
            {
                var (prefix, group) = groups[groups.Count - 1];
                int shared = 0;
                while (shared < prefix.Length && shared < name.Length && prefix[shared] == name[shared])
                {
                    shared++;
                }

                if (shared >= ShortestSharedPrefix)
                {
                    group.Add(name);
                    groups[groups.Count - 1] = (prefix.Substring(0, shared), group);
                    continue;
                }
            }

            groups.Add((name, new List<string> { name }));
        }

        return groups;
    }

    private static bool IsAssignedAt(string text, int end)
    {
        while (end < text.Length && char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        return end + 1 < text.Length && text[end] == '=' && text[end + 1] is not '=' and not '>';
    }

    /// <summary>An ASCII letter, digit or underscore, or anything beyond ASCII (a name may be in any script).</summary>
    private static bool IsIdentifierPart(char c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9 || c == '_' || c > 127;

    private static bool AnyWithin(int[] sorted, TextSpan span)
    {
        int i = LowerBound(sorted, span.Start);
        return i < sorted.Length && sorted[i] < span.End;
    }

    /// <summary>The index of the first of <paramref name="sorted"/> (distinct positions) at or after <paramref name="start"/>.</summary>
    private static int LowerBound(int[] sorted, int start)
    {
        int i = Array.BinarySearch(sorted, start);
        return i < 0 ? ~i : i;
    }

    /// <summary>
    /// With the attributes in the compilation, the annotated methods' names: declared in source, or
    /// in any referenced assembly that can carry the attributes (one that declares them or
    /// references one that does). A source method with any attribute counts, as an acquire too:
    /// without binding, its attributes cannot be told apart.
    /// </summary>
    private static void AddAnnotated(Compilation compilation, PairTable pairs, HashSet<string> annotated, HashSet<string> acquires, CancellationToken cancellationToken)
    {
        if (!pairs.HasAttributes)
        {
            return;
        }

        foreach (var tree in compilation.SyntaxTrees)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var text = tree.GetText(cancellationToken).ToString();
            if (text.IndexOf("MapsMemory", StringComparison.Ordinal) < 0 && text.IndexOf("UnmapsMemory", StringComparison.Ordinal) < 0)
            {
                continue;
            }

            foreach (var method in tree.GetRoot(cancellationToken).DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                if (method.AttributeLists.Count > 0 || method.ParameterList.Parameters.Any(p => p.AttributeLists.Count > 0))
                {
                    annotated.Add(method.Identifier.ValueText);
                    acquires.Add(method.Identifier.ValueText);
                }
            }
        }

        var declaring = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in new[] { Annotations.MapsMemoryMetadataName, Annotations.UnmapsMemoryMetadataName })
        {
            foreach (var type in compilation.GetTypesByMetadataName(name))
            {
                declaring.Add(type.ContainingAssembly.Identity.Name);
            }
        }

        foreach (var reference in compilation.References)
        {
            if (compilation.GetAssemblyOrModuleSymbol(reference) is not IAssemblySymbol assembly ||
                SymbolEqualityComparer.Default.Equals(assembly, compilation.Assembly))
            {
                continue;
            }

            if (declaring.Contains(assembly.Identity.Name) ||
                assembly.Modules.Any(m => m.ReferencedAssemblies.Any(r => declaring.Contains(r.Name))))
            {
                CollectAnnotated(assembly.GlobalNamespace, pairs, annotated, acquires, cancellationToken);
            }
        }
    }

    private static void CollectAnnotated(INamespaceOrTypeSymbol container, PairTable pairs, HashSet<string> annotated, HashSet<string> acquires, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var member in container.GetMembers())
        {
            switch (member)
            {
                case INamespaceOrTypeSymbol nested:
                    CollectAnnotated(nested, pairs, annotated, acquires, cancellationToken);
                    break;
                case IMethodSymbol method when pairs.Get(method) is { } annotation:
                    annotated.Add(method.Name);
                    if (!annotation.Maps.IsEmpty)
                    {
                        acquires.Add(method.Name);
                    }

                    break;
            }
        }
    }
}
