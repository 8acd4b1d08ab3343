using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Vmap.Analyzers.Pairing.Members;

/// <summary>
/// What the engine knows about the members of one type: its Dispose methods (and those of its
/// source base types), the member names they assign, whether the public Dispose tests a flag
/// before it calls <c>Dispose(bool)</c>, which helpers of the type assign which names, which
/// properties are auto-properties, and (on first need) who acquires into, releases, clears or
/// lets go of each member (<see cref="MemberOwnership"/>). Computed once per type, on first
/// need, and kept in <see cref="MemberFacts"/> for the compilation, as call summaries are.
/// </summary>
/// <remarks>
/// Every fact is a pass over the type's declarations, and every question afterwards a lookup, so
/// the cost is linear in the number of members however many of them Dispose releases.
/// </remarks>
internal sealed class TypeMembers
{
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<IMethodSymbol, HashSet<string>> _calleeAssigns = new(SymbolEqualityComparer.Default);
    private IReadOnlyList<IMethodSymbol>? _disposeMethods;
    private HashSet<string>? _assignedInDispose;
    private bool? _disposeTestsFlag;
    private HashSet<ISymbol>? _autoProperties;
    private MemberOwnership? _ownership;

    public TypeMembers(INamedTypeSymbol type) => Type = type;

    public INamedTypeSymbol Type { get; }

    /// <summary>
    /// <c>Dispose()</c>, <c>Dispose(bool)</c>, <c>DisposeAsync()</c> or <c>DisposeAsyncCore()</c>
    /// of a class: a cheap test on the symbol, before any operation tree is built.
    /// </summary>
    public static bool IsDisposeMethod(IMethodSymbol method)
    {
        if (method.IsStatic || method.MethodKind is not (MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation))
        {
            return false;
        }

        // A struct owner (the pooled-buffer `readonly ref struct` with a Dispose that returns its
        // array, as CommunityToolkit's SpanOwner<T>) cannot protect itself by clearing: every copy
        // holds the member, and a readonly one cannot be cleared at all.
        if (method.ContainingType.IsValueType)
        {
            return false;
        }

        return DisposeName(method) switch
        {
            "Dispose" => method.ReturnsVoid && (method.Parameters.Length == 0 ||
                (method.Parameters.Length == 1 && method.Parameters[0].Type.SpecialType == SpecialType.System_Boolean)),
            "DisposeAsync" or "DisposeAsyncCore" => method.Parameters.Length == 0 && IsTaskLike(method.ReturnType),
            _ => false,
        };
    }

    /// <summary>The name a message shows: an explicit <c>IDisposable.Dispose</c> is <c>Dispose</c>.</summary>
    public static string DisposeName(IMethodSymbol method)
    {
        var name = method.Name;
        var dot = name.LastIndexOf('.');
        return dot < 0 ? name : name.Substring(dot + 1);
    }

    /// <summary>Dispose(bool) and DisposeAsyncCore run from a public Dispose, not on their own.</summary>
    public static bool RunsFromPublicDispose(IMethodSymbol method) =>
        method.Parameters.Length == 1 || DisposeName(method) == "DisposeAsyncCore";

    /// <summary>The Dispose methods of the type and of its base types declared in source.</summary>
    public IReadOnlyList<IMethodSymbol> DisposeMethods
    {
        get
        {
            if (_disposeMethods is { } known)
            {
                return known;
            }

            var methods = new List<IMethodSymbol>();
            for (var type = Type; type is not null && !type.DeclaringSyntaxReferences.IsEmpty; type = type.BaseType)
            {
                foreach (var member in type.GetMembers())
                {
                    if (member is IMethodSymbol method && IsDisposeMethod(method))
                    {
                        methods.Add(method);
                    }
                }
            }

            return _disposeMethods = methods;
        }
    }

    /// <summary>The Dispose method a message or a fix points at: <c>Dispose()</c>, else <c>Dispose(bool)</c>, else <c>DisposeAsync</c>, declared by this type.</summary>
    public IMethodSymbol? OwnDispose()
    {
        IMethodSymbol? best = null;
        foreach (var method in DisposeMethods)
        {
            if (!SymbolEqualityComparer.Default.Equals(method.ContainingType, Type))
            {
                continue;
            }

            if (best is null || Rank(method) < Rank(best))
            {
                best = method;
            }
        }

        return best;

        static int Rank(IMethodSymbol method) => DisposeName(method) == "Dispose" ? method.Parameters.Length : 2;
    }

    /// <summary>The names of members assigned (or passed by ref, or incremented) in any Dispose method of the type or its source base types.</summary>
    public HashSet<string> AssignedInDispose(CancellationToken cancellationToken)
    {
        if (_assignedInDispose is { } known)
        {
            return known;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dispose in DisposeMethods)
        {
            foreach (var reference in dispose.DeclaringSyntaxReferences)
            {
                names.UnionWith(AssignedNames(reference.GetSyntax(cancellationToken)));
            }
        }

        lock (_gate)
        {
            return _assignedInDispose ??= names;
        }
    }

    /// <summary>
    /// A public Dispose of the type that tests something and assigns a member
    /// (<c>if (_disposed) return; Dispose(true); _disposed = true;</c>): the flag guards the
    /// <c>Dispose(bool)</c> or <c>DisposeAsyncCore</c> it calls. Read from syntax.
    /// </summary>
    public bool PublicDisposeTestsFlag(CancellationToken cancellationToken)
    {
        if (_disposeTestsFlag is { } known)
        {
            return known;
        }

        var guarded = false;
        foreach (var dispose in DisposeMethods)
        {
            if (RunsFromPublicDispose(dispose))
            {
                continue;
            }

            foreach (var reference in dispose.DeclaringSyntaxReferences)
            {
                var syntax = reference.GetSyntax(cancellationToken);
                if (HasTest(syntax) && AssignedNames(syntax).Count > 0)
                {
                    guarded = true;
                }
            }
        }

        _disposeTestsFlag = guarded;
        return guarded;
    }

    /// <summary>The member names a helper of this type (<c>Reset()</c>) assigns in its source, read once per helper.</summary>
    public HashSet<string> CalleeAssigns(IMethodSymbol callee) => _calleeAssigns.GetOrAdd(callee.OriginalDefinition, c =>
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reference in c.DeclaringSyntaxReferences)
        {
            names.UnionWith(AssignedNames(reference.GetSyntax()));
        }

        return names;
    });

    /// <summary>True when <paramref name="property"/> has a backing field: only then is it the member itself, not a computation.</summary>
    public bool IsAutoProperty(IPropertySymbol property)
    {
        var known = _autoProperties;
        if (known is null)
        {
            known = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (var member in property.ContainingType.GetMembers())
            {
                if (member is IFieldSymbol { AssociatedSymbol: IPropertySymbol associated })
                {
                    known.Add(associated.OriginalDefinition);
                }
            }

            if (SymbolEqualityComparer.Default.Equals(property.ContainingType.OriginalDefinition, Type.OriginalDefinition))
            {
                _autoProperties = known;
            }
        }

        return known.Contains(property.OriginalDefinition);
    }

    /// <summary>Who acquires into, releases and lets go of each instance member of the type (VMAP009's facts), built once.</summary>
    public MemberOwnership Ownership(PairingContext pairing, Compilation compilation, CancellationToken cancellationToken)
    {
        if (_ownership is { } known)
        {
            return known;
        }

        var built = MemberOwnership.Build(this, pairing, compilation, cancellationToken);
        lock (_gate)
        {
            return _ownership ??= built;
        }
    }

    private static bool IsTaskLike(ITypeSymbol type) =>
        type is INamedTypeSymbol { Name: "ValueTask" or "Task", Arity: 0, ContainingNamespace: { Name: "Tasks", ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } };

    private static bool HasTest(SyntaxNode syntax)
    {
        foreach (var node in syntax.DescendantNodes())
        {
            if (node is IfStatementSyntax or ConditionalExpressionSyntax or SwitchStatementSyntax)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The names assigned, incremented or passed by ref/out in <paramref name="syntax"/>.</summary>
    private static HashSet<string> AssignedNames(SyntaxNode syntax)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in syntax.DescendantNodes())
        {
            var target = node switch
            {
                AssignmentExpressionSyntax assignment => assignment.Left,
                PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } prefix => prefix.Operand,
                PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } postfix => postfix.Operand,
                ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.RefKeyword or (int)SyntaxKind.OutKeyword } argument => argument.Expression,
                _ => null,
            };
            switch (target)
            {
                case IdentifierNameSyntax identifier:
                    names.Add(identifier.Identifier.ValueText);
                    break;
                case MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: var name }:
                    names.Add(name.Identifier.ValueText);
                    break;
            }
        }

        return names;
    }
}

/// <summary>The compilation's <see cref="TypeMembers"/>, one per type, made on first need.</summary>
internal sealed class MemberFacts
{
    private readonly ConcurrentDictionary<INamedTypeSymbol, TypeMembers> _types = new(SymbolEqualityComparer.Default);

    public TypeMembers Of(INamedTypeSymbol type) => _types.GetOrAdd(type.OriginalDefinition, t => new TypeMembers(t));
}
