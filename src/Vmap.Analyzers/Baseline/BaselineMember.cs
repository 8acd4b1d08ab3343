using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Vmap.Analyzers.Baseline;

/// <summary>
/// The member a finding is in, named from syntax alone: <c>Vmap.Samples.BufferCache.SetPtr(LogBuffer,nint)</c>.
/// </summary>
/// <remarks>
/// Syntax, not symbols, because the name must come out the same in the suppressor (which sees
/// every tree) and in the analyzers' end-of-compilation check (which may not ask for a semantic
/// model of another tree), and must not move when the member's body changes. It follows the
/// documentation-comment id where syntax can: namespaces and containing types, a type's or
/// method's generic arity as <c>`1</c> / <c>``1</c> (renaming a type parameter keeps the name),
/// <c>#ctor</c>, <c>#cctor</c>, <c>Finalize</c>, <c>op_Implicit</c>/<c>op_Explicit</c> with
/// <c>~ReturnType</c>, an indexer as <c>this[...]</c>, an explicit implementation prefixed by its
/// interface, a by-reference parameter suffixed with <c>@</c>. Parameter types are written as the
/// source writes them, without blanks; a field is named by its variable. A finding in a lambda or
/// a local function belongs to the member around it; top-level statements are
/// <c>&lt;top-level&gt;</c>. The name never holds a blank (a baseline line splits on blanks).
/// </remarks>
internal static class BaselineMember
{
    public const string TopLevel = "<top-level>";

    public static string Of(SyntaxNode node)
    {
        MemberDeclarationSyntax? member = null;
        for (var current = node; current is not null; current = current.Parent)
        {
            if (current is GlobalStatementSyntax)
            {
                return TopLevel;
            }

            if (current is MemberDeclarationSyntax declaration)
            {
                member = declaration;
                break;
            }
        }

        if (member is null)
        {
            return TopLevel;
        }

        var parts = new List<string>();
        var memberName = member is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax or BaseNamespaceDeclarationSyntax ? null : Name(member, node);
        for (SyntaxNode? container = memberName is null ? member : member.Parent; container is not null; container = container.Parent)
        {
            switch (container)
            {
                case TypeDeclarationSyntax type:
                    parts.Add(type.Identifier.ValueText + Arity("`", type.TypeParameterList));
                    break;
                case BaseTypeDeclarationSyntax type:
                    parts.Add(type.Identifier.ValueText);
                    break;
                case DelegateDeclarationSyntax type:
                    parts.Add(type.Identifier.ValueText + Arity("`", type.TypeParameterList));
                    break;
                case BaseNamespaceDeclarationSyntax ns:
                    parts.Add(NoBlanks(ns.Name.ToString()));
                    break;
            }
        }

        parts.Reverse();
        if (memberName is not null)
        {
            parts.Add(memberName);
        }

        return parts.Count == 0 ? TopLevel : string.Join(".", parts);
    }

    private static string Name(MemberDeclarationSyntax member, SyntaxNode inside) => member switch
    {
        MethodDeclarationSyntax method => Explicit(method.ExplicitInterfaceSpecifier) + method.Identifier.ValueText + Arity("``", method.TypeParameterList) + Parameters(method.ParameterList),
        ConstructorDeclarationSyntax constructor => (constructor.Modifiers.Any(SyntaxKind.StaticKeyword) ? "#cctor" : "#ctor") + Parameters(constructor.ParameterList),
        DestructorDeclarationSyntax => "Finalize()",
        OperatorDeclarationSyntax op => Explicit(op.ExplicitInterfaceSpecifier) + "operator" + op.OperatorToken.ValueText + Parameters(op.ParameterList),
        ConversionOperatorDeclarationSyntax conversion =>
            Explicit(conversion.ExplicitInterfaceSpecifier) +
            (conversion.ImplicitOrExplicitKeyword.IsKind(SyntaxKind.ImplicitKeyword) ? "op_Implicit" : "op_Explicit") +
            Parameters(conversion.ParameterList) + "~" + NoBlanks(conversion.Type.ToString()),
        PropertyDeclarationSyntax property => Explicit(property.ExplicitInterfaceSpecifier) + property.Identifier.ValueText,
        IndexerDeclarationSyntax indexer => Explicit(indexer.ExplicitInterfaceSpecifier) + "this[" + ParameterTypes(indexer.ParameterList.Parameters) + "]",
        EventDeclarationSyntax e => Explicit(e.ExplicitInterfaceSpecifier) + e.Identifier.ValueText,
        BaseFieldDeclarationSyntax field => Variable(field.Declaration, inside),
        EnumMemberDeclarationSyntax enumMember => enumMember.Identifier.ValueText,
        _ => "?",
    };

    /// <summary>The variable of a field declaration the finding is in (<c>int a = ..., b = ...;</c> has two).</summary>
    private static string Variable(VariableDeclarationSyntax declaration, SyntaxNode inside)
    {
        foreach (var variable in declaration.Variables)
        {
            if (variable.FullSpan.Contains(inside.SpanStart))
            {
                return variable.Identifier.ValueText;
            }
        }

        return declaration.Variables.Count > 0 ? declaration.Variables[0].Identifier.ValueText : "?";
    }

    private static string Explicit(ExplicitInterfaceSpecifierSyntax? specifier) =>
        specifier is null ? string.Empty : NoBlanks(specifier.Name.ToString()) + ".";

    private static string Arity(string mark, TypeParameterListSyntax? parameters) =>
        parameters is null || parameters.Parameters.Count == 0 ? string.Empty : mark + parameters.Parameters.Count.ToString(CultureInfo.InvariantCulture);

    private static string Parameters(ParameterListSyntax parameters) => "(" + ParameterTypes(parameters.Parameters) + ")";

    private static string ParameterTypes(SeparatedSyntaxList<ParameterSyntax> parameters)
    {
        var text = new StringBuilder();
        foreach (var parameter in parameters)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(parameter.Type is null ? "?" : NoBlanks(parameter.Type.ToString()));
            foreach (var modifier in parameter.Modifiers)
            {
                if (modifier.IsKind(SyntaxKind.RefKeyword) || modifier.IsKind(SyntaxKind.OutKeyword) || modifier.IsKind(SyntaxKind.InKeyword))
                {
                    text.Append('@');
                    break;
                }
            }
        }

        return text.ToString();
    }

    private static string NoBlanks(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c))
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }
}
