using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// The second half of the text gate: of the code blocks whose text names a pair method or a
/// possible acquirer (<see cref="PairNameScan"/>), the ones where no occurrence of the name can be
/// a call the engine counts (<c>PairingAnalyzer.MentionsPairing</c>: a pair method, or a source
/// method the summaries find to acquire) are not bound. Decided before binding, from the block's
/// syntax and the declarations of the methods so named: the first question asked of a member's
/// semantic model binds the whole member, which is the cost this gate exists to avoid.
/// </summary>
/// <remarks>
/// An occurrence calls nothing the engine counts when it is
/// <list type="bullet">
/// <item>in a comment, a string or disabled text, or the name of a declaration;</item>
/// <item>not called there (a method group, a <c>nameof</c>, a type name);</item>
/// <item>a possible acquirer's name only, and no source method of that name is a pair method or
/// acquires by the summaries (decided once per name per compilation);</item>
/// <item>a call without a receiver inside a type that declares methods of that name, none of them a
/// pair method or an acquirer, none inherited, and no local of the block of that name (the
/// namesake: a pool's own <c>Rent</c>, an arena's own <c>Alloc</c>);</item>
/// <item>a .NET pair name that no configuration, annotation or source method makes a pair or an
/// acquirer, called on a receiver that cannot be .NET's API type (<c>DispoIntPtr.Alloc</c>), or
/// without one where no <c>using static</c> brings the API in and no enclosing type derives
/// from a pool.</item>
/// </list>
/// Anything else (a verbatim identifier, an unusual call shape) may call a pair and admits the block.
/// </remarks>
internal sealed class PairGate
{
    private readonly Compilation _compilation;
    private readonly PairingContext _pairing;
    private readonly PairNameScan _scan;
    private readonly ImmutableHashSet<string> _configuredNames;
    private readonly ConcurrentDictionary<string, bool> _sourceMayPair = new(System.StringComparer.Ordinal);
    private readonly ConcurrentDictionary<INamedTypeSymbol, ConcurrentDictionary<string, bool>> _ownNamesakes = new(SymbolEqualityComparer.Default);
    private ApiImports? _imports;
    private int _judged;
    private int _dropped;

    public PairGate(Compilation compilation, PairingContext pairing, PairNameScan scan, ImmutableHashSet<string> configuredNames)
    {
        _compilation = compilation;
        _pairing = pairing;
        _scan = scan;
        _configuredNames = configuredNames;
    }

    /// <summary>How many code blocks whose text named a pair method or a possible acquirer were judged.</summary>
    internal int Judged => Volatile.Read(ref _judged);

    /// <summary>How many of those were found to call none (and so were not bound).</summary>
    internal int Dropped => Volatile.Read(ref _dropped);

    /// <summary>
    /// True when some occurrence, within <paramref name="span"/> of <paramref name="tree"/>, of a name
    /// the scan found may be a call of a pair method or an acquirer. <paramref name="owner"/> is the
    /// member whose code the span is: a name without a receiver is looked up in its containing type.
    /// </summary>
    public bool MayCall(SyntaxTree tree, TextSpan span, ISymbol? owner, CancellationToken cancellationToken)
    {
        List<SimpleNameSyntax>? calls = null;
        HashSet<string>? locals = null;
        SyntaxNode? root = null;
        foreach (var position in _scan.PositionsWithin(tree, span))
        {
            root ??= tree.GetRoot(cancellationToken);
            var token = root.FindToken(position);
            if (!token.Span.Contains(position) || IsLiteral(token))
            {
                // A comment, disabled text, a directive, a string or character literal.
                continue;
            }

            if (!token.IsKind(SyntaxKind.IdentifierToken) || token.SpanStart != position)
            {
                // @Free and anything else this gate does not judge.
                return true;
            }

            if (token.Parent is SimpleNameSyntax name)
            {
                (calls ??= new List<SimpleNameSyntax>()).Add(name);
            }
            else if (token.Parent is not (MemberDeclarationSyntax or AccessorDeclarationSyntax))
            {
                // A local, parameter, local function, range variable or label of that name: a call
                // without a receiver may mean it, not the type's member.
                (locals ??= new HashSet<string>(System.StringComparer.Ordinal)).Add(token.ValueText);
            }
        }

        if (root is null)
        {
            return false;
        }

        Interlocked.Increment(ref _judged);
        if (calls is not null)
        {
            foreach (var name in calls)
            {
                if (MayBeCounted(name, locals, owner?.ContainingType, cancellationToken))
                {
                    return true;
                }
            }
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    private static bool IsLiteral(SyntaxToken token) => token.Kind() is
        SyntaxKind.StringLiteralToken or SyntaxKind.CharacterLiteralToken or SyntaxKind.InterpolatedStringTextToken or
        SyntaxKind.SingleLineRawStringLiteralToken or SyntaxKind.MultiLineRawStringLiteralToken or
        SyntaxKind.Utf8StringLiteralToken or SyntaxKind.Utf8SingleLineRawStringLiteralToken or SyntaxKind.Utf8MultiLineRawStringLiteralToken;

    /// <summary>Whether <paramref name="name"/>, one occurrence of a scanned name, may be a call the engine counts.</summary>
    private bool MayBeCounted(SimpleNameSyntax name, HashSet<string>? locals, INamedTypeSymbol? type, CancellationToken cancellationToken)
    {
        ExpressionSyntax target = name;
        ExpressionSyntax? receiver = null;
        var qualified = false;
        switch (name.Parent)
        {
            case MemberAccessExpressionSyntax access when access.Name == name:
                (target, receiver, qualified) = (access, access.Expression, true);
                break;
            case MemberBindingExpressionSyntax binding when binding.Name == name:
                (target, qualified) = (binding, true);
                break;
        }

        if (target.Parent is not InvocationExpressionSyntax invocation || invocation.Expression != target)
        {
            // (Free)(p), Free!(p): called, in a shape this gate does not judge.
            if (target.Parent is ParenthesizedExpressionSyntax or PostfixUnaryExpressionSyntax)
            {
                return true;
            }

            // Not called here: a method group, a nameof, a type or namespace name. The engine counts calls only.
            return false;
        }

        var called = name.Identifier.ValueText;
        if (!qualified && locals is not null && locals.Contains(called))
        {
            return true;
        }

        if (_scan.IsAcquirerNameOnly(called))
        {
            return SourceMayPair(called, cancellationToken);
        }

        if (!qualified)
        {
            if (type is null)
            {
                return true;
            }

            return !OwnNamesakesOnly(type, called, cancellationToken) && !DotNetNameOutOfReach(called, type, receiver: null, qualified: false, cancellationToken);
        }

        return !DotNetNameOutOfReach(called, type, receiver, qualified: true, cancellationToken);
    }

    /// <summary>
    /// True when a call of <paramref name="name"/> without a receiver, inside <paramref name="type"/>,
    /// can only mean one of the type's own methods of that name, and none of them is a pair method or
    /// an acquirer: the type declares only methods by that name, inherits none (a base's method of
    /// that name could be chosen when the type's own do not apply), and has no primary constructor
    /// parameter of that name.
    /// </summary>
    private bool OwnNamesakesOnly(INamedTypeSymbol type, string name, CancellationToken cancellationToken)
    {
        type = type.OriginalDefinition;
        var byName = _ownNamesakes.GetOrAdd(type, _ => new ConcurrentDictionary<string, bool>(System.StringComparer.Ordinal));
        if (byName.TryGetValue(name, out var known))
        {
            return known;
        }

        return byName.GetOrAdd(name, Decide(type, name, cancellationToken));

        bool Decide(INamedTypeSymbol type, string name, CancellationToken cancellationToken)
        {
            if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
            {
                return false;
            }

            var members = type.GetMembers(name);
            if (members.IsEmpty)
            {
                return false;
            }

            foreach (var member in members)
            {
                if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method || MayPairOrAcquire(method, cancellationToken))
                {
                    return false;
                }
            }

            for (var b = type.BaseType; b is not null; b = b.BaseType)
            {
                if (!b.GetMembers(name).IsEmpty)
                {
                    return false;
                }
            }

            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax { ParameterList: { } parameters })
                {
                    foreach (var parameter in parameters.Parameters)
                    {
                        if (parameter.Identifier.ValueText == name)
                        {
                            return false;
                        }
                    }
                }
            }

            return true;
        }
    }

    /// <summary>
    /// True when a call of the .NET pair name <paramref name="name"/> cannot be one of .NET's pair
    /// methods nor anything else the engine counts: no configured pair, annotation or source method
    /// of that name pairs or acquires, and the call cannot reach .NET's API type. With a receiver,
    /// the static APIs (Marshal, NativeMemory, GCHandle.Alloc) are reached only through their type's
    /// name or an alias of it; without one, only through a <c>using static</c>, and the instance
    /// ones (ArrayPool's Rent and Return) only inside a type derived from a pool.
    /// </summary>
    private bool DotNetNameOutOfReach(string name, INamedTypeSymbol? type, ExpressionSyntax? receiver, bool qualified, CancellationToken cancellationToken)
    {
        if (!BuiltInPairs.IsDotNetName(name) || _configuredNames.Contains(name) || _scan.IsAnnotatedName(name) || SourceMayPair(name, cancellationToken))
        {
            return false;
        }

        var instance = BuiltInPairs.InstanceMethodNames.Contains(name);
        var imports = Imports(cancellationToken);
        if (qualified)
        {
            // An instance API's receiver may be any expression of its type.
            return !instance && (receiver is null || !imports.NamesApiType(receiver));
        }

        if (imports.StaticApi)
        {
            return false;
        }

        for (var t = type; instance && t is not null; t = t.ContainingType)
        {
            if (BuiltInPairs.MayInheritPairMethods(t))
            {
                return false;
            }
        }

        return type is not null;
    }

    /// <summary>
    /// True when some source method named <paramref name="name"/> is a pair method or may acquire:
    /// once per name per compilation. A call of any other method of that name (one of a referenced
    /// assembly, whose name is neither configured nor annotated) is neither.
    /// </summary>
    private bool SourceMayPair(string name, CancellationToken cancellationToken)
    {
        if (_sourceMayPair.TryGetValue(name, out var known))
        {
            return known;
        }

        var found = false;
        foreach (var symbol in _compilation.GetSymbolsWithName(name, SymbolFilter.Member, cancellationToken))
        {
            if (symbol is IMethodSymbol method && MayPairOrAcquire(method, cancellationToken))
            {
                found = true;
                break;
            }
        }

        return _sourceMayPair.GetOrAdd(name, found);
    }

    /// <summary>
    /// The engine's own test of a call (<c>MentionsPairing</c>) asked of a declaration: a pair method,
    /// or an ordinary method whose body the engine sees and whose result or out parameter the
    /// summaries find to hand out what it acquired. A type parameter may stand for an address.
    /// </summary>
    private bool MayPairOrAcquire(IMethodSymbol method, CancellationToken cancellationToken)
    {
        if (_pairing.Pairs.Get(method) is not null)
        {
            return true;
        }

        if (method.MethodKind != MethodKind.Ordinary || !CallSummaries.CanSeeBody(method))
        {
            return false;
        }

        var returns = MayHold(method.ReturnType);
        var outs = false;
        foreach (var parameter in method.Parameters)
        {
            outs |= parameter.RefKind == RefKind.Out && MayHold(parameter.Type);
        }

        if ((!returns && !outs) || !BodyNamesAny(method, cancellationToken))
        {
            return false;
        }

        if (returns && _pairing.Summaries.Acquire(method, new SummaryScope(), cancellationToken) is not null)
        {
            return true;
        }

        foreach (var parameter in method.Parameters)
        {
            if (parameter.RefKind == RefKind.Out && MayHold(parameter.Type) &&
                _pairing.Summaries.Acquire(method, new SummaryScope(), cancellationToken, parameter.Ordinal) is not null)
            {
                return true;
            }
        }

        return false;
    }

    private static bool MayHold(ITypeSymbol type) => CallSummaries.MayHoldMapping(type) || type is ITypeParameterSymbol;

    /// <summary>
    /// Whether a body of <paramref name="method"/> names a pair method or a possible acquirer: one
    /// that names none cannot acquire (the scan's own premise, <see cref="PairNameScan.MayAcquire"/>),
    /// and is not bound to learn it.
    /// </summary>
    private bool BodyNamesAny(IMethodSymbol method, CancellationToken cancellationToken)
    {
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is MethodDeclarationSyntax declaration &&
                ((SyntaxNode?)declaration.Body ?? declaration.ExpressionBody) is { } body &&
                _scan.Mentions(declaration.SyntaxTree, body.Span))
            {
                return true;
            }
        }

        return false;
    }

    private ApiImports Imports(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _imports) is { } imports)
        {
            return imports;
        }

        Interlocked.CompareExchange(ref _imports, ApiImports.Read(_compilation, cancellationToken), null);
        return _imports!;
    }

    /// <summary>
    /// The compilation's using directives that can bring .NET's pair APIs under another name: the
    /// aliases of their types, and whether any <c>using static</c> imports one.
    /// </summary>
    private sealed class ApiImports
    {
        private readonly HashSet<string> _aliases;

        private ApiImports(HashSet<string> aliases, bool staticApi)
        {
            _aliases = aliases;
            StaticApi = staticApi;
        }

        /// <summary>A <c>using static</c> of one of the API types: their static pair methods may be called without a receiver.</summary>
        public bool StaticApi { get; }

        public static ApiImports Read(Compilation compilation, CancellationToken cancellationToken)
        {
            var aliases = new HashSet<string>(System.StringComparer.Ordinal);
            var staticApi = false;
            foreach (var tree in compilation.SyntaxTrees)
            {
                foreach (var node in tree.GetRoot(cancellationToken).DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax))
                {
                    if (node is not UsingDirectiveSyntax { } directive || !NamesApiTypeAnywhere(directive))
                    {
                        continue;
                    }

                    if (directive.Alias is { } alias)
                    {
                        aliases.Add(alias.Name.Identifier.ValueText);
                    }
                    else if (!directive.StaticKeyword.IsKind(SyntaxKind.None))
                    {
                        staticApi = true;
                    }
                }
            }

            return new ApiImports(aliases, staticApi);
        }

        /// <summary>
        /// Whether <paramref name="receiver"/> may be one of the API types: a name whose last part is
        /// one of them or an alias of one. Any other expression is a value, and a static method is
        /// not called through a value.
        /// </summary>
        public bool NamesApiType(ExpressionSyntax receiver) => receiver switch
        {
            SimpleNameSyntax simple => NamesApi(simple.Identifier.ValueText),
            MemberAccessExpressionSyntax access => NamesApi(access.Name.Identifier.ValueText),
            AliasQualifiedNameSyntax alias => NamesApi(alias.Name.Identifier.ValueText),
            QualifiedNameSyntax qualified => NamesApi(qualified.Right.Identifier.ValueText),
            ParenthesizedExpressionSyntax or PostfixUnaryExpressionSyntax => true,
            _ => false,
        };

        private bool NamesApi(string name) => BuiltInPairs.ApiTypeNames.Contains(name) || _aliases.Contains(name);

        private static bool NamesApiTypeAnywhere(UsingDirectiveSyntax directive)
        {
            foreach (var token in directive.DescendantTokens())
            {
                if (token.IsKind(SyntaxKind.IdentifierToken) && BuiltInPairs.ApiTypeNames.Contains(token.ValueText))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
