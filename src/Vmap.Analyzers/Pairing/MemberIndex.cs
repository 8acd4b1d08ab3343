using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>One place where a member's mapping is released, with the tests that guard it.</summary>
internal sealed class MemberUnmapSite
{
    public MemberUnmapSite(Location argument, string methodName, IReadOnlyList<KeyValuePair<ConditionKey, bool>> guard, string? flagName, FamilyWords words, ITypeSymbol? receiverType)
    {
        ReceiverType = receiverType;
        Words = words;
        Argument = argument;
        MethodName = methodName;
        Guard = guard;
        FlagName = flagName;
    }

    public Location Argument { get; }

    public string MethodName { get; }

    /// <summary>The static type of the object whose member is released (see <see cref="MemberIndex.MayShareInstances"/>).</summary>
    public ITypeSymbol? ReceiverType { get; }

    /// <summary>The words of the released family, for the messages about the member.</summary>
    public FamilyWords Words { get; }

    /// <summary>Conditions (read through <see cref="StorageRoot.Object"/>, the member's object: <c>[$.Mapped]</c>) that hold whenever the unmap runs.</summary>
    public IReadOnlyList<KeyValuePair<ConditionKey, bool>> Guard { get; }

    /// <summary>A boolean member of the same object the unmap path tests, if any.</summary>
    public string? FlagName { get; }

    /// <summary>True when, on a path that knows <paramref name="conditions"/> about the object <paramref name="receiver"/>, this unmap cannot run.</summary>
    internal static readonly StorageKey ObjectKey = new(StorageRoot.Object);

    public bool ContradictedBy(StorageKey receiver, StateMap<ConditionKey, bool> conditions)
    {
        foreach (var pair in Guard)
        {
            var key = pair.Key.Rebase(ObjectKey, receiver);
            if (conditions.TryGetValue(key, out var known) && known != pair.Value)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>One place where a member is assigned a fresh mapping: the map call and the API that made it.</summary>
internal sealed class MemberMapSite
{
    public MemberMapSite(Location call, string apiName, FamilyWords words, ITypeSymbol? receiverType)
    {
        ReceiverType = receiverType;
        Call = call;
        ApiName = apiName;
        Words = words;
    }

    /// <summary>The words of the mapped family, for the messages about the member.</summary>
    public FamilyWords Words { get; }

    public Location Call { get; }

    /// <summary>The annotated method that made the mapping (<c>MapRam</c>).</summary>
    public string ApiName { get; }

    /// <summary>The static type of the object whose member is assigned the mapping (see <see cref="MemberIndex.MayShareInstances"/>).</summary>
    public ITypeSymbol? ReceiverType { get; }
}

/// <summary>
/// Which fields and properties hold mappings (are assigned a map result somewhere in the
/// compilation) and where they are unmapped. Built once per compilation, on first need, from the
/// syntax trees that mention an annotated method by name: the XFS shape spreads over three
/// methods (the cache maps, the log code re-points, the buffer frees), so no single method shows it.
/// </summary>
internal sealed class MemberIndex
{
    public static readonly MemberIndex Empty = new();

    private readonly Dictionary<ISymbol, HashSet<IMethodSymbol>> _mappedIn = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ISymbol, List<MemberUnmapSite>> _unmapSites = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ISymbol, List<MemberMapSite>> _mapSites = new(SymbolEqualityComparer.Default);

    /// <summary>True when no member is both assigned a mapping and unmapped anywhere in the compilation.</summary>
    public bool IsEmpty => _mappedIn.Count == 0 || _unmapSites.Count == 0;

    /// <summary>The names of the members that hold mappings: a syntax-level test before any binding.</summary>
    public bool MayHoldMappings(string memberName) => HeldNames.Contains(memberName);

    /// <summary>The names of the members that are assigned a mapping somewhere and unmapped somewhere.</summary>
    public IReadOnlyCollection<string> HeldNames => Held();

    private HashSet<string> Held()
    {
        var names = _heldNames;
        if (names is null)
        {
            names = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (var member in _mappedIn.Keys)
            {
                if (_unmapSites.ContainsKey(member))
                {
                    names.Add(member.Name);
                }
            }

            _heldNames = names;
        }

        return names;
    }

    private HashSet<string>? _heldNames;

    /// <summary>How many calls the index bound while it was built (the rest were decided by their names).</summary>
    internal int BoundCalls { get; private set; }

    /// <summary>True when <paramref name="member"/> is assigned a mapping somewhere and unmapped somewhere.</summary>
    public bool HoldsMappings(ISymbol member) => _mappedIn.ContainsKey(member) && _unmapSites.ContainsKey(member);

    /// <summary>True when <paramref name="method"/> itself assigns a mapping to <paramref name="member"/>.</summary>
    public bool MapsIn(ISymbol member, IMethodSymbol method) =>
        _mappedIn.TryGetValue(member, out var methods) && methods.Contains(method.OriginalDefinition);

    /// <summary>Where <paramref name="member"/> is assigned a mapping, in the order the index met them.</summary>
    /// <summary>
    /// Whether objects of static types <paramref name="a"/> and <paramref name="b"/> may be the same
    /// object: one is the other or derives from it. A member declared in a base class is a member
    /// of every subclass's objects, but two sibling subclasses (neither derives from the other)
    /// share no object: what one does to the member says nothing about the other's (tuning set 5,
    /// shape 03). Anything but two classes (an interface, a type parameter, unknown) may be shared.
    /// </summary>
    public static bool MayShareInstances(ITypeSymbol? a, ITypeSymbol? b)
    {
        if (a is not INamedTypeSymbol { TypeKind: TypeKind.Class } first || b is not INamedTypeSymbol { TypeKind: TypeKind.Class } second)
        {
            return true;
        }

        return DerivesFrom(first, second) || DerivesFrom(second, first);

        static bool DerivesFrom(INamedTypeSymbol type, INamedTypeSymbol baseType)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, baseType.OriginalDefinition))
                {
                    return true;
                }
            }

            return false;
        }
    }

    public IReadOnlyList<MemberMapSite> MapSites(ISymbol member) =>
        _mapSites.TryGetValue(member, out var sites) ? sites : (IReadOnlyList<MemberMapSite>)System.Array.Empty<MemberMapSite>();

    public IReadOnlyList<MemberUnmapSite> UnmapSites(ISymbol member) =>
        _unmapSites.TryGetValue(member, out var sites) ? sites : (IReadOnlyList<MemberUnmapSite>)System.Array.Empty<MemberUnmapSite>();

    public static MemberIndex Build(Compilation compilation, PairTable annotations, PairNameScan scan, CancellationToken cancellationToken)
    {
        var index = new MemberIndex();

        // Only a member both assigned from a pair call and passed to one can hold mappings (every
        // reader of the index asks HoldsMappings first), so the names read from the syntax decide
        // which calls are worth binding: in most projects no name is on both sides and nothing is.
        var calls = new List<(SyntaxTree Tree, InvocationExpressionSyntax Call)>();
        var assigned = new HashSet<string>(System.StringComparer.Ordinal);
        var passed = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var tree in scan.Trees)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var root = tree.GetRoot(cancellationToken);
            foreach (var position in scan.PositionsIn(tree))
            {
                // The name's own invocation, if the name is one: a member access, a plain or a conditional call.
                if (root.FindToken(position).Parent is SimpleNameSyntax name && InvocationOf(name) is { } call && CollectNames(call, assigned, passed))
                {
                    calls.Add((tree, call));
                }
            }
        }

        assigned.IntersectWith(passed);
        if (assigned.Count == 0)
        {
            return index;
        }

        // The names each member body declares, read once per body: a body with many pair calls
        // (a pooled buffer rented and returned in each of a hundred overloads) is walked once.
        var declared = new Dictionary<MemberDeclarationSyntax, HashSet<string>>();
        var models = new Dictionary<SyntaxTree, SemanticModel>();
        foreach (var (tree, call) in calls)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // The index needs trees other than the one being analyzed, once per compilation;
            // only trees with a call that may involve a held member get a model.
#pragma warning disable RS1030
            SemanticModel Model() => models.TryGetValue(tree, out var model) ? model : models[tree] = compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
            if (!NamesAny(call, assigned) || !MayInvolveMember(call, new Sites(declared, Model, cancellationToken)))
            {
                continue;
            }

            var semanticModel = Model();
            index.BoundCalls++;
            if (EngineFailureLog.Operation(semanticModel, call, cancellationToken) is IInvocationOperation invocation &&
                annotations.Get(invocation.TargetMethod) is { } annotation)
            {
                index.Add(invocation, annotation, semanticModel, cancellationToken);
            }
        }

        index.FindWritesToMemory(compilation, cancellationToken);
        return index;
    }

    private readonly HashSet<ISymbol> _writtenToMemory = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// True when the program writes <paramref name="member"/>'s value into memory: a store API's
    /// stored argument (<c>Marshal.WriteIntPtr(slot, 0, cell.Payload)</c>, see
    /// <see cref="FrameworkCalls.Stores"/>) or an assignment through a pointer (<c>*(IntPtr*)slot = cell.Payload</c>).
    /// The member is then not the only holder of its blocks: one may come back from memory into
    /// any object's member (a record loaded back from a native table). A value from elsewhere
    /// written into it may be its own block, and the object written may never have held one, so
    /// the re-pointing claims (VMAP001, VMAP002) are lost for it.
    /// </summary>
    public bool WrittenToMemory(ISymbol member) => _writtenToMemory.Contains(member);

    /// <summary>
    /// Fills <see cref="_writtenToMemory"/>: every tree of the compilation (a table may be written
    /// in a file that names no pair API), read token by token for the held members' names; only an
    /// argument or a pointer store that names one is bound.
    /// </summary>
    private void FindWritesToMemory(Compilation compilation, CancellationToken cancellationToken)
    {
        var held = Held();
        if (held.Count == 0 || _unmapSites.Count == 0)
        {
            return;
        }

        foreach (var tree in compilation.SyntaxTrees)
        {
            SemanticModel? model = null;
            foreach (var token in tree.GetRoot(cancellationToken).DescendantTokens())
            {
                // StructureToPtr copies a whole object whose held members the call does not name,
                // so the held names cannot find it: its own name is the trigger. The name only
                // selects the calls to bind (binding every call of every tree would cost a semantic
                // model per tree); the bound call counts only when it is the framework's own
                // Marshal.StructureToPtr storing that argument (FrameworkCalls.Stores).
                if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == "StructureToPtr" && token.Parent is SimpleNameSyntax called &&
                    (called.Parent as InvocationExpressionSyntax ??
                     (called.Parent is MemberAccessExpressionSyntax access0 && access0.Name == called ? access0.Parent as InvocationExpressionSyntax : null)) is { } copy)
                {
#pragma warning disable RS1030
                    model ??= compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                    NoteObjectWrittenToMemory(model, copy, cancellationToken);
                    continue;
                }

                if (!token.IsKind(SyntaxKind.IdentifierToken) || !held.Contains(token.ValueText) || token.Parent is not SimpleNameSyntax name)
                {
                    continue;
                }

                ExpressionSyntax read = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access : name;
                var written = StripCasts(read);
                var outer = read;
                while (outer.Parent is CastExpressionSyntax or ParenthesizedExpressionSyntax)
                {
                    outer = (ExpressionSyntax)outer.Parent;
                }

                var isArgument = outer.Parent is ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax } };
                var isPointerStore = outer.Parent is AssignmentExpressionSyntax { Left: PrefixUnaryExpressionSyntax left } store &&
                    store.Right == outer && left.IsKind(SyntaxKind.PointerIndirectionExpression);
                if (!isArgument && !isPointerStore)
                {
                    continue;
                }

#pragma warning disable RS1030
                model ??= compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                if (EngineFailureLog.Operation(model, written, cancellationToken) is not IMemberReferenceOperation member ||
                    !HoldsMappings(member.Member.OriginalDefinition))
                {
                    continue;
                }

                var parent = member.Parent;
                while (parent is IConversionOperation)
                {
                    parent = parent.Parent;
                }

                if (isPointerStore ||
                    (parent is IArgumentOperation { Parameter: { } parameter } && FrameworkCalls.Stores((IMethodSymbol)parameter.ContainingSymbol, parameter.Ordinal)))
                {
                    _writtenToMemory.Add(member.Member.OriginalDefinition);
                }
            }
        }
    }

    /// <summary>
    /// <c>Marshal.StructureToPtr(obj, at, ...)</c> writes every field of <c>obj</c> into memory: the
    /// members of its type that hold mappings are written there as a member passed to
    /// <c>WriteIntPtr</c> is (tuning set, shape 01b: a record's objects copied whole into a table).
    /// </summary>
    private void NoteObjectWrittenToMemory(SemanticModel model, InvocationExpressionSyntax copy, CancellationToken cancellationToken)
    {
        if (EngineFailureLog.Operation(model, copy, cancellationToken) is not IInvocationOperation call)
        {
            return;
        }

        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter is not { } parameter || !FrameworkCalls.Stores(call.TargetMethod, parameter.Ordinal))
            {
                continue;
            }

            var value = argument.Value;
            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }

            if (value.Type is not INamedTypeSymbol type)
            {
                continue;
            }

            foreach (var member in type.OriginalDefinition.GetMembers())
            {
                if (member is IFieldSymbol or IPropertySymbol && HoldsMappings(member))
                {
                    _writtenToMemory.Add(member);
                }
            }
        }
    }

    /// <summary>
    /// The member names <paramref name="call"/> could assign a mapping to (its result's target, an
    /// out argument) and could release (any other argument), read from the syntax.
    /// </summary>
    private static IEnumerable<(string Name, bool Assigned)> MemberNames(InvocationExpressionSyntax call)
    {
        if (ResultTarget(call) is { } target && MemberName(target) is { } targetName)
        {
            yield return (targetName, true);
        }

        foreach (var argument in call.ArgumentList.Arguments)
        {
            if (MemberName(StripCasts(argument.Expression)) is { } name)
            {
                yield return (name, argument.RefKindKeyword.IsKind(SyntaxKind.OutKeyword));
            }
        }
    }

    private static bool CollectNames(InvocationExpressionSyntax call, HashSet<string> assigned, HashSet<string> passed)
    {
        var any = false;
        foreach (var (name, isAssigned) in MemberNames(call))
        {
            (isAssigned ? assigned : passed).Add(name);
            any = true;
        }

        return any;
    }

    private static bool NamesAny(InvocationExpressionSyntax call, HashSet<string> names) => MemberNames(call).Any(n => names.Contains(n.Name));

    /// <summary>What the call's result is assigned to, through parentheses and casts.</summary>
    private static ExpressionSyntax? ResultTarget(InvocationExpressionSyntax call)
    {
        SyntaxNode node = call;
        while (node.Parent is ParenthesizedExpressionSyntax or CastExpressionSyntax)
        {
            node = node.Parent;
        }

        return node.Parent is AssignmentExpressionSyntax assignment && assignment.Right == node ? assignment.Left : null;
    }

    private static string? MemberName(ExpressionSyntax expression) => expression switch
    {
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        IdentifierNameSyntax name => name.Identifier.ValueText,
        _ => null,
    };

    private static ExpressionSyntax StripCasts(ExpressionSyntax expression)
    {
        while (expression is CastExpressionSyntax or ParenthesizedExpressionSyntax)
        {
            expression = expression is CastExpressionSyntax cast ? cast.Expression : ((ParenthesizedExpressionSyntax)expression).Expression;
        }

        return expression;
    }

    /// <summary>The invocation that <paramref name="name"/> names the method of, if any.</summary>
    private static InvocationExpressionSyntax? InvocationOf(SimpleNameSyntax name) => name.Parent switch
    {
        InvocationExpressionSyntax call when call.Expression == name => call,
        MemberAccessExpressionSyntax member when member.Name == name && member.Parent is InvocationExpressionSyntax call && call.Expression == member => call,
        MemberBindingExpressionSyntax binding when binding.Name == name && binding.Parent is InvocationExpressionSyntax call && call.Expression == binding => call,
        _ => null,
    };

    private void Add(IInvocationOperation invocation, MethodAnnotation annotation, SemanticModel model, CancellationToken cancellationToken)
    {
        var containing = model.GetEnclosingSymbol(invocation.Syntax.SpanStart, cancellationToken) as IMethodSymbol;
        foreach (var map in annotation.Maps)
        {
            IOperation? target = null;
            if (map.OutOrdinal is { } ordinal)
            {
                target = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == ordinal)?.Value;
            }
            else
            {
                var parent = invocation.Parent;
                while (parent is IConversionOperation)
                {
                    parent = parent.Parent;
                }

                if (parent is ISimpleAssignmentOperation assignment)
                {
                    target = assignment.Target;
                }
            }

            if (target is IMemberReferenceOperation member && containing is not null)
            {
                var symbol = member.Member.OriginalDefinition;
                if (!_mappedIn.TryGetValue(symbol, out var methods))
                {
                    methods = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
                    _mappedIn.Add(symbol, methods);
                }

                methods.Add(containing.OriginalDefinition);
                if (!_mapSites.TryGetValue(symbol, out var mapSites))
                {
                    mapSites = new List<MemberMapSite>();
                    _mapSites.Add(symbol, mapSites);
                }

                mapSites.Add(new MemberMapSite(invocation.Syntax.GetLocation(), invocation.TargetMethod.Name, map.Words, member.Instance?.Type));
            }
        }

        foreach (var unmap in annotation.Unmaps)
        {
            var argument = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == unmap.Ordinal)?.Value;
            while (argument is IConversionOperation conversion)
            {
                argument = conversion.Operand;
            }

            if (argument is not IMemberReferenceOperation member)
            {
                continue;
            }

            var keys = new KeyBuilder();
            var receiver = member.Instance is null
                ? new StorageKey(new StorageRoot(StorageRootKind.Type, member.Member.ContainingType.Name))
                : keys.Storage(member.Instance);
            if (receiver is null)
            {
                continue;
            }

            var guard = new List<KeyValuePair<ConditionKey, bool>>();
            string? flag = null;
            foreach (var (condition, holds) in Guards(invocation.Syntax))
            {
                if (EngineFailureLog.Operation(model, condition, cancellationToken) is not { } test)
                {
                    continue;
                }

                var polarity = holds;
                if (keys.Condition(test, ref polarity) is not { } key || !key.ReadsMemberOf(receiver))
                {
                    continue;
                }

                guard.Add(new KeyValuePair<ConditionKey, bool>(key.Rebase(receiver, MemberUnmapSite.ObjectKey), polarity));
                if (flag is null && key is { Kind: ConditionKind.Storage, Storage: { IsMember: true } flagKey } && flagKey.Receiver == receiver)
                {
                    flag = flagKey.LastName;
                }
            }

            var symbol = member.Member.OriginalDefinition;
            if (!_unmapSites.TryGetValue(symbol, out var sites))
            {
                sites = new List<MemberUnmapSite>();
                _unmapSites.Add(symbol, sites);
            }

            sites.Add(new MemberUnmapSite(argument.Syntax.GetLocation(), containing?.Name ?? "?", guard, flag, unmap.Words, member.Instance?.Type));
        }
    }

    /// <summary>
    /// The tests that hold whenever <paramref name="node"/> runs, read from the syntax: enclosing
    /// <c>if</c>s (each conjunct of an <c>&amp;&amp;</c>), and earlier <c>if (...) return;</c> exits
    /// of the enclosing blocks.
    /// </summary>
    private static IEnumerable<(ExpressionSyntax Condition, bool Holds)> Guards(SyntaxNode node)
    {
        for (SyntaxNode? child = node, parent = node.Parent; parent is not null && parent is not MemberDeclarationSyntax; child = parent, parent = parent.Parent)
        {
            switch (parent)
            {
                case IfStatementSyntax ifStatement when child == ifStatement.Statement:
                    foreach (var conjunct in Conjuncts(ifStatement.Condition))
                    {
                        yield return (conjunct, true);
                    }

                    break;
                case ElseClauseSyntax { Parent: IfStatementSyntax elseOf } when !IsConjunction(elseOf.Condition):
                    yield return (elseOf.Condition, false);
                    break;
                case BlockSyntax block:
                    foreach (var statement in block.Statements)
                    {
                        if (statement == child)
                        {
                            break;
                        }

                        if (statement is IfStatementSyntax { Else: null } exit && Exits(exit.Statement) && !IsDisjunction(exit.Condition))
                        {
                            if (!IsConjunction(exit.Condition))
                            {
                                yield return (exit.Condition, false);
                            }
                        }
                    }

                    break;
            }
        }
    }

    private static bool Exits(StatementSyntax statement) => statement switch
    {
        ReturnStatementSyntax or ThrowStatementSyntax => true,
        BlockSyntax { Statements.Count: > 0 } block => block.Statements.Last() is ReturnStatementSyntax or ThrowStatementSyntax,
        _ => false,
    };

    private static bool IsConjunction(ExpressionSyntax condition) => Unparenthesize(condition).IsKind(SyntaxKind.LogicalAndExpression);

    private static bool IsDisjunction(ExpressionSyntax condition) => Unparenthesize(condition).IsKind(SyntaxKind.LogicalOrExpression);

    private static ExpressionSyntax Unparenthesize(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression;
    }

    private static IEnumerable<ExpressionSyntax> Conjuncts(ExpressionSyntax condition)
    {
        condition = Unparenthesize(condition);
        if (condition is BinaryExpressionSyntax binary && binary.IsKind(SyntaxKind.LogicalAndExpression))
        {
            foreach (var left in Conjuncts(binary.Left))
            {
                yield return left;
            }

            foreach (var right in Conjuncts(binary.Right))
            {
                yield return right;
            }
        }
        else
        {
            yield return condition;
        }
    }

    /// <summary>
    /// A syntactic filter before any binding: the call's result is assigned to something that may be
    /// a member, or an argument may be a member (not a local or parameter of the enclosing method).
    /// Most calls fail it, so most methods are never bound a second time for the index.
    /// </summary>
    /// <summary>What the syntax checks of one tree share: the bodies' declared names, and the tree's model.</summary>
    private readonly record struct Sites(Dictionary<MemberDeclarationSyntax, HashSet<string>> Declared, System.Func<SemanticModel> Model, CancellationToken CancellationToken);

    private static bool MayInvolveMember(InvocationExpressionSyntax call, Sites declared)
    {
        if (ResultTarget(call) is { } target && MayBeMember(target, call, declared))
        {
            return true;
        }

        foreach (var argument in call.ArgumentList.Arguments)
        {
            if (MayBeMember(StripCasts(argument.Expression), call, declared))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MayBeMember(ExpressionSyntax expression, SyntaxNode site, Sites sites) => expression switch
    {
        MemberAccessExpressionSyntax => true,
        IdentifierNameSyntax name => TypeHasMember(name.Identifier.ValueText, site, sites) && !DeclaredLocally(name.Identifier.ValueText, site, sites.Declared),
        _ => false,
    };

    /// <summary>
    /// Whether the type around <paramref name="site"/> (or a base type) has a field or property
    /// named <paramref name="name"/>: read from declarations only, so a local passed to a release
    /// (the common case) costs no walk over the method's syntax.
    /// </summary>
    private static bool TypeHasMember(string name, SyntaxNode site, Sites sites)
    {
        if (site.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration ||
            sites.Model().GetDeclaredSymbol(declaration, sites.CancellationToken) is not INamedTypeSymbol type)
        {
            return true;
        }

        // The type's own members, its base types', and those of the types it is nested in.
        for (var outer = type; outer is not null; outer = outer.ContainingType)
        {
            for (var current = outer; current is not null; current = current.BaseType)
            {
                foreach (var member in current.GetMembers(name))
                {
                    if (member is IFieldSymbol or IPropertySymbol)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static bool DeclaredLocally(string name, SyntaxNode site, Dictionary<MemberDeclarationSyntax, HashSet<string>> declared)
    {
        var body = site.FirstAncestorOrSelf<MemberDeclarationSyntax>();
        if (body is null)
        {
            return false;
        }

        if (!declared.TryGetValue(body, out var names))
        {
            names = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (var node in body.DescendantNodes())
            {
                var local = node switch
                {
                    ParameterSyntax parameter => parameter.Identifier.ValueText,
                    VariableDeclaratorSyntax variable => variable.Identifier.ValueText,
                    SingleVariableDesignationSyntax designation => designation.Identifier.ValueText,
                    ForEachStatementSyntax loop => loop.Identifier.ValueText,
                    _ => null,
                };

                if (local is not null)
                {
                    names.Add(local);
                }
            }

            declared.Add(body, names);
        }

        return names.Contains(name);
    }
}
