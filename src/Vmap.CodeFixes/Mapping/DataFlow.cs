namespace Vmap.CodeFixes.Mapping;

internal static class DataFlow
{
    /// <summary>
    /// True when <paramref name="node"/> may write <paramref name="variable"/>; also true when the
    /// analysis fails, because every caller treats "may write" as "offer no fix".
    /// </summary>
    public static bool Writes(SemanticModel model, SyntaxNode node, ISymbol variable)
    {
        var flow = node switch
        {
            StatementSyntax statement => model.AnalyzeDataFlow(statement),
            ExpressionSyntax expression => model.AnalyzeDataFlow(expression),
            _ => null,
        };
        if (flow is null || !flow.Succeeded)
            return true;
        foreach (var written in flow.WrittenInside)
        {
            if (SymbolEqualityComparer.Default.Equals(written, variable))
                return true;
        }

        return false;
    }

    public static bool WritesAny(SemanticModel model, IEnumerable<SyntaxNode?> nodes, ISymbol variable)
    {
        foreach (var node in nodes)
        {
            if (node is not null && Writes(model, node, variable))
                return true;
        }

        return false;
    }
}
