using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace Vmap.CodeFixes.Mapping;

internal static class ReleaseStatements
{
    /// <summary>
    /// <c>receiver.Release(address, count);</c> for the mapping, written at <paramref name="position"/>:
    /// the family's release method on the allocator that mapped, with the mapped count. Null when
    /// the allocator or the count might not mean the same thing there, or the call binds elsewhere.
    /// </summary>
    public static ExpressionStatementSyntax? Build(SemanticModel model, MappingSite mapping, ExpressionSyntax address, int position, CancellationToken cancellationToken)
    {
        var type = mapping.Call.Instance?.Type ?? mapping.Call.TargetMethod.ContainingType;
        var release = ReleaseCall.FindRelease(model.Compilation, type, mapping.Annotation.Family, preferredName: null);
        if (release is null)
        {
            return null;
        }

        var receiver = ReleaseCall.Receiver(mapping.Call);
        if (receiver is not null && !Reevaluation.IsStable(model, receiver, mapping.Between, position, cancellationToken))
        {
            return null;
        }

        MappedCount? count = null;
        if (PairFacts.GetUnmaps(model.Compilation, release)?.CountParameter is not null)
        {
            count = ReleaseCall.GetMappedCount(mapping);
            if (count is null || !Reevaluation.IsStable(model, count.Argument, mapping.Between, position, cancellationToken))
            {
                return null;
            }
        }

        var invocation = ReleaseCall.Build(model.Compilation, release, receiver, address, count);
        if (invocation is null || !ReleaseCall.BindsTo(model, position, invocation, release))
        {
            return null;
        }

        return SyntaxFactory.ExpressionStatement(invocation)
            .WithTrailingTrivia(SyntaxFactory.ElasticLineFeed)
            .WithAdditionalAnnotations(Formatter.Annotation);
    }
}
