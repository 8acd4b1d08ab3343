using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.CodeFixes.Mapping;

/// <summary>Builds the release of a mapping: the family's release method, the address and the mapped count.</summary>
internal static class ReleaseCall
{
    /// <summary>
    /// The mapped count as an integer expression written at the mapping (the count argument, or its
    /// <c>Length</c> when an array or span was mapped), plus the argument itself; null when the
    /// mapping method names no count parameter.
    /// </summary>
    public static MappedCount? GetMappedCount(MappingSite site)
    {
        var countParameter = site.Annotation.CountParameter;
        if (countParameter is null)
        {
            return null;
        }

        var argument = site.Call.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.OriginalDefinition, countParameter.OriginalDefinition));
        if (argument?.Syntax is not ArgumentSyntax { Expression: var expression })
        {
            return null;
        }

        var type = site.Call.SemanticModel?.GetTypeInfo(expression).Type;
        if (Reevaluation.HasFixedLength(type))
        {
            return new MappedCount(expression, SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, Parenthesize(expression), SyntaxFactory.IdentifierName("Length")));
        }

        return type is not null && IsInteger(type) ? new MappedCount(expression, expression) : null;
    }

    /// <summary>
    /// The single method of <paramref name="type"/> or its bases that only releases
    /// <paramref name="family"/> (<c>FreeHGlobal</c>, never <c>ReAllocHGlobal</c>, which also
    /// acquires); <paramref name="preferredName"/> picks among several when it names one.
    /// </summary>
    public static IMethodSymbol? FindRelease(Compilation compilation, ITypeSymbol type, string family, string? preferredName)
    {
        var candidates = new List<IMethodSymbol>();
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var method in current.GetMembers().OfType<IMethodSymbol>())
            {
                if (method.MethodKind == MethodKind.Ordinary && PairFacts.GetUnmaps(compilation, method)?.Family == family && PairFacts.IsPureRelease(compilation, method))
                {
                    candidates.Add(method);
                }
            }
        }

        if (preferredName is not null && candidates.Any(c => c.Name == preferredName))
        {
            candidates = candidates.Where(c => c.Name == preferredName).ToList();
        }

        return candidates.Count == 1 ? candidates[0] : null;
    }

    /// <summary>
    /// <c>receiver.Release(address, count)</c> with arguments in parameter order; null when the
    /// release needs an argument we cannot supply (a count we do not know, any other required
    /// parameter).
    /// </summary>
    public static InvocationExpressionSyntax? Build(Compilation compilation, IMethodSymbol release, ExpressionSyntax? receiver, ExpressionSyntax address, MappedCount? count)
    {
        var unmaps = PairFacts.GetUnmaps(compilation, release);
        if (unmaps is null)
        {
            return null;
        }

        // handle.Free(): the block is the receiver; the allocator's receiver plays no part.
        if (unmaps.ReleasesReceiver)
        {
            receiver = Parenthesize(address);
        }

        var arguments = new List<ArgumentSyntax>();
        foreach (var parameter in release.OriginalDefinition.Parameters)
        {
            ExpressionSyntax? value;
            if (SymbolEqualityComparer.Default.Equals(parameter, unmaps.AddressParameter))
            {
                value = address;
            }
            else if (SymbolEqualityComparer.Default.Equals(parameter, unmaps.CountParameter))
            {
                value = count is null ? null : IsInteger(parameter.Type) ? count.Pages : Reevaluation.HasFixedLength(parameter.Type) ? count.Argument : null;
            }
            else if (parameter.IsOptional || parameter.IsParams)
            {
                break;
            }
            else
            {
                value = null;
            }

            if (value is null)
            {
                return null;
            }

            arguments.Add(SyntaxFactory.Argument(value == address ? value : value.WithoutTrivia()));
        }

        ExpressionSyntax target = receiver is null
            ? SyntaxFactory.IdentifierName(release.Name)
            : SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver.WithoutTrivia(), SyntaxFactory.IdentifierName(release.Name));
        return SyntaxFactory.InvocationExpression(target, SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments)));
    }

    /// <summary>The explicit receiver of a call (<c>space</c> in <c>space.MapRam(..)</c>); null for an implicit one.</summary>
    public static ExpressionSyntax? Receiver(IInvocationOperation call)
        => call.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } ? access.Expression : null;

    /// <summary>True when <paramref name="invocation"/> written at <paramref name="position"/> calls <paramref name="release"/>.</summary>
    public static bool BindsTo(SemanticModel model, int position, InvocationExpressionSyntax invocation, IMethodSymbol release)
    {
        var bound = model.GetSpeculativeSymbolInfo(position, invocation, SpeculativeBindingOption.BindAsExpression).Symbol;
        return SymbolEqualityComparer.Default.Equals(bound?.OriginalDefinition, release.OriginalDefinition);
    }

    public static ExpressionSyntax Parenthesize(ExpressionSyntax expression)
        => expression is IdentifierNameSyntax or MemberAccessExpressionSyntax or ParenthesizedExpressionSyntax or InvocationExpressionSyntax or ElementAccessExpressionSyntax or ThisExpressionSyntax or LiteralExpressionSyntax
            ? expression.WithoutTrivia()
            : SyntaxFactory.ParenthesizedExpression(expression.WithoutTrivia());

    private static bool IsInteger(ITypeSymbol type) => type.SpecialType is SpecialType.System_Int32 or SpecialType.System_UInt32
        or SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Int16 or SpecialType.System_UInt16
        or SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_IntPtr or SpecialType.System_UIntPtr;
}

/// <summary>The mapped count: <paramref name="Argument"/> as written at the mapping, <paramref name="Pages"/> as an integer.</summary>
internal sealed record MappedCount(ExpressionSyntax Argument, ExpressionSyntax Pages);
