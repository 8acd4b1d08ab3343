using System.Composition;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using Vmap.CodeFixes.Mapping;
using Keys = Vmap.Analyzers.DiagnosticProperties;

namespace Vmap.CodeFixes;

/// <summary>
/// VMAP009: releases the member at the end of the type's Dispose method and clears it
/// (<c>Marshal.FreeHGlobal(_output); _output = IntPtr.Zero;</c>), so the block the type acquired
/// is given back when the owner is, and a second Dispose does not give it back again (VMAP008).
/// </summary>
/// <remarks>
/// No edit is offered where the release cannot be written from the facts at hand, or the edit
/// could do something else than release this block once: the type has no Dispose with a block body
/// in the same file; the Dispose body ends in a <c>return</c> or <c>throw</c>; the family's release
/// is not a single pure release method of the acquire's type, or needs an argument other than the
/// address (a mapped count known only where the block was acquired); the acquire's receiver is
/// not a type or a member of <c>this</c> that Dispose can name too; or the member cannot be
/// assigned there (a <c>readonly</c> field, a get-only property).
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(VMAP009_ReleaseInDisposeFix)), Shared]
public sealed class VMAP009_ReleaseInDisposeFix : VmapCodeFixProvider
{
    private const string Title = "Release the member in Dispose";

    private protected override string DiagnosticId => RuleIds.VMAP009;

    private protected override PlannedEdit? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!diagnostic.Properties.TryGetValue(Keys.Target, out var name) || name is null ||
            diagnostic.AdditionalLocations.Count < 2 || diagnostic.AdditionalLocations[1] is not { } disposeLocation ||
            disposeLocation.SourceTree != root.SyntaxTree || diagnostic.Location.SourceTree != root.SyntaxTree)
        {
            return null;
        }

        if (root.FindNode(disposeLocation.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { Body: { } body } ||
            body.Statements.LastOrDefault() is ReturnStatementSyntax or ThrowStatementSyntax)
        {
            return null;
        }

        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax acquireSyntax ||
            model.GetOperation(acquireSyntax, cancellationToken) is not IInvocationOperation acquire ||
            PairFacts.GetMaps(model.Compilation, acquire.TargetMethod) is not { } maps)
        {
            return null;
        }

        // The release is called the way the acquire was: on the same type, or the same member of this.
        ITypeSymbol? receiverType;
        ExpressionSyntax? receiver = ReleaseCall.Receiver(acquire);
        switch (acquire.Instance)
        {
            case null:
                receiverType = acquire.TargetMethod.ContainingType;
                break;
            case IMemberReferenceOperation { Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } } member:
                receiverType = member.Type;
                break;
            default:
                return null;
        }

        var position = body.CloseBraceToken.SpanStart;
        var symbol = model.LookupSymbols(position, name: name).FirstOrDefault(s => s is IFieldSymbol or IPropertySymbol);
        if (receiverType is null || symbol is null || !VMAP008_ClearAfterReleaseFix.IsAssignable(model, symbol, position) ||
            ReleaseCall.FindRelease(model.Compilation, receiverType, maps.Family, null) is not { } release ||
            VMAP008_ClearAfterReleaseFix.ClearValue(model, symbol, position) is not { } clearValue)
        {
            return null;
        }

        var address = SyntaxFactory.IdentifierName(name);
        if (ReleaseCall.Build(model.Compilation, release, receiver, address, null) is not { } call ||
            !ReleaseCall.BindsTo(model, position, call, release))
        {
            return null;
        }

        var statements = new StatementSyntax[]
        {
            SyntaxFactory.ExpressionStatement(call).WithAdditionalAnnotations(Formatter.Annotation),
            SyntaxFactory.ExpressionStatement(SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, SyntaxFactory.IdentifierName(name), clearValue))
                .WithAdditionalAnnotations(Formatter.Annotation),
        };
        return new PlannedEdit(Title, r => r.ReplaceNode(body, body.AddStatements(statements).WithAdditionalAnnotations(Formatter.Annotation)));
    }
}
