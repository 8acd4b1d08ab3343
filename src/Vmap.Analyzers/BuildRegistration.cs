using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Vmap.Analyzers;

/// <summary>
/// Build mode: in a command-line build the analyzers register syntax tree actions instead of code
/// block and symbol actions, and bind only the methods the text gate admits, through the
/// compilation's own semantic model. Any code block, symbol or semantic model action makes the
/// driver produce the compilation's events and a semantic model for every method; on a project
/// where Vmap is the only analyzer that was nearly all of its cost (bench/README.md, "§2
/// build-mode registration"). The IDE keeps the code block path: a syntax tree action's findings
/// are recomputed only when its own document changes, while Vmap's depend on other files.
/// </summary>
/// <remarks>
/// The switch is an additional file named <see cref="MarkerFileName"/>, which the package's build
/// targets add in builds that are not design-time builds. A <c>build_property</c> would not do:
/// the generated .editorconfig is one file on disk that the IDE reads too, so a command-line build
/// would flip the editor's mode; the additional files the IDE sees come from its own design-time
/// builds, which never add this one.
/// </remarks>
internal static class BuildRegistration
{
    /// <summary>The additional file whose presence turns build mode on (written by the package's targets).</summary>
    public const string MarkerFileName = "vmap.build";

    /// <summary>Whether this compilation is a build's: an additional file is named <see cref="MarkerFileName"/>.</summary>
    public static bool IsOn(AnalyzerOptions options)
    {
        foreach (var file in options.AdditionalFiles)
        {
            if (string.Equals(Path.GetFileName(file.Path), MarkerFileName, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The code blocks of <paramref name="tree"/> that the driver would hand to a code block action
    /// with a method as owner, and not skip as generated: methods, constructors, destructors,
    /// operators, accessors, expression-bodied properties and indexers (owned by their getter), top-level
    /// statements and primary constructors. Local functions and lambdas are inside their method's block;
    /// field and property initializers are not methods' blocks. <paramref name="mayAnalyze"/> is asked
    /// first, from the text alone, so a block it refuses costs no symbol.
    /// </summary>
    public static IEnumerable<(SyntaxNode Block, IMethodSymbol Owner)> MethodBlocks(
        SyntaxTree tree, Func<SemanticModel> model, Func<SyntaxNode, bool> mayAnalyze, CancellationToken cancellationToken)
    {
        var root = tree.GetRoot(cancellationToken);
        var hasHidden = tree.HasHiddenRegions();
        INamedTypeSymbol? generatedCode = null;
        var generatedCodeLooked = false;
        foreach (var node in Candidates(root))
        {
            cancellationToken.ThrowIfCancellationRequested();

            // The driver skips a declaration that starts in a #line hidden region as generated.
            if ((hasHidden && IsHidden(tree, node.SpanStart, cancellationToken)) || !mayAnalyze(node))
            {
                continue;
            }

            if (Owner(node, model(), cancellationToken) is not { } owner)
            {
                continue;
            }

            if (!generatedCodeLooked)
            {
                generatedCode = model().Compilation.GetTypeByMetadataName("System.CodeDom.Compiler.GeneratedCodeAttribute");
                generatedCodeLooked = true;
            }

            if (!HasGeneratedCodeAttribute(owner, generatedCode))
            {
                yield return (node, owner);
            }
        }
    }

    /// <summary>
    /// The class declarations of <paramref name="tree"/> whose symbol a symbol action would be run
    /// for: not marked <c>[GeneratedCode]</c> (itself or a containing type), and declared here outside
    /// a hidden region. A type declared in several trees is found in each; its caller analyses it once.
    /// </summary>
    public static IEnumerable<(TypeDeclarationSyntax Declaration, INamedTypeSymbol Type)> Classes(
        SyntaxTree tree, Func<SemanticModel> model, Func<TypeDeclarationSyntax, bool> mayAnalyze, CancellationToken cancellationToken)
    {
        var root = tree.GetRoot(cancellationToken);
        var hasHidden = tree.HasHiddenRegions();
        foreach (var node in root.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (node is not TypeDeclarationSyntax declaration || (hasHidden && IsHidden(tree, declaration.SpanStart, cancellationToken)) || !mayAnalyze(declaration))
            {
                continue;
            }

            if (model().GetDeclaredSymbol(declaration, cancellationToken) is { TypeKind: TypeKind.Class } type &&
                !HasGeneratedCodeAttribute(type, model().Compilation.GetTypeByMetadataName("System.CodeDom.Compiler.GeneratedCodeAttribute")))
            {
                yield return (declaration, type);
            }
        }
    }

    /// <summary>
    /// As the compiler's test of a hidden position (a tree with a <c>#line hidden</c>: the lines it
    /// hides, and those before its first <c>#line</c> directive).
    /// </summary>
    private static bool IsHidden(SyntaxTree tree, int position, CancellationToken cancellationToken) =>
        tree.GetLineVisibility(position, cancellationToken) is LineVisibility.Hidden or LineVisibility.BeforeFirstLineDirective;

    /// <summary>
    /// As the driver's generated-code test of a symbol: <c>[GeneratedCode]</c> on it or on any symbol
    /// containing it (its type, an enclosing type).
    /// </summary>
    private static bool HasGeneratedCodeAttribute(ISymbol symbol, INamedTypeSymbol? generatedCode)
    {
        if (generatedCode is null)
        {
            return false;
        }

        for (var current = symbol; current is not null; current = current.ContainingSymbol)
        {
            if (current.Kind == SymbolKind.Namespace)
            {
                continue;
            }

            foreach (var attribute in current.GetAttributes())
            {
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, generatedCode))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static IEnumerable<SyntaxNode> Candidates(SyntaxNode root)
    {
        // Top-level statements are one code block, the compilation unit, owned by the entry point.
        if (root is CompilationUnitSyntax unit && HasGlobalStatement(unit))
        {
            yield return unit;
        }

        foreach (var node in root.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax
            or BasePropertyDeclarationSyntax or AccessorListSyntax))
        {
            // Only declarations with code are code blocks: not an abstract or partial definition,
            // an auto-property's accessor, or a primary constructor without base arguments (a parameter's
            // default value is one, even without a body).
            switch (node)
            {
                case BaseMethodDeclarationSyntax method when method.Body is not null || method.ExpressionBody is not null ||
                    method is ConstructorDeclarationSyntax { Initializer: not null } || HasDefaultValue(method.ParameterList):
                case AccessorDeclarationSyntax accessor when accessor.Body is not null || accessor.ExpressionBody is not null:
                case ArrowExpressionClauseSyntax { Parent: PropertyDeclarationSyntax or IndexerDeclarationSyntax }:
                case TypeDeclarationSyntax { ParameterList: not null, BaseList: { Types.Count: > 0 } bases } when bases.Types[0] is PrimaryConstructorBaseTypeSyntax:
                    yield return node;
                    break;
            }
        }
    }

    private static bool HasDefaultValue(ParameterListSyntax parameters)
    {
        foreach (var parameter in parameters.Parameters)
        {
            if (parameter.Default is not null)
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasGlobalStatement(CompilationUnitSyntax unit)
    {
        foreach (var member in unit.Members)
        {
            if (member is GlobalStatementSyntax)
            {
                return true;
            }
        }

        return false;
    }

    private static IMethodSymbol? Owner(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken) => node switch
    {
        CompilationUnitSyntax unit => model.GetDeclaredSymbol(unit, cancellationToken),
        ArrowExpressionClauseSyntax { Parent: BasePropertyDeclarationSyntax property } =>
            (model.GetDeclaredSymbol(property, cancellationToken) as IPropertySymbol)?.GetMethod,
        TypeDeclarationSyntax type => PrimaryConstructor(model.GetDeclaredSymbol(type, cancellationToken), type, cancellationToken),
        _ => model.GetDeclaredSymbol(node, cancellationToken) as IMethodSymbol,
    };

    private static IMethodSymbol? PrimaryConstructor(INamedTypeSymbol? type, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        if (type is null)
        {
            return null;
        }

        foreach (var constructor in type.InstanceConstructors)
        {
            foreach (var reference in constructor.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree == declaration.SyntaxTree && reference.GetSyntax(cancellationToken) == declaration)
                {
                    return constructor;
                }
            }
        }

        return null;
    }
}
