namespace Vmap.Package.Tests.Infrastructure;

/// <summary>Where a piece of a consumer's source is, as diagnostics report it (1-based).</summary>
public static class SourcePosition
{
    /// <summary>
    /// The line of the <paramref name="occurrence"/>-th line (1-based) holding
    /// <paramref name="statement"/>, and the column where <paramref name="at"/> (default: the
    /// statement) starts within it.
    /// </summary>
    public static (int Line, int Column) Of(string path, string statement, string? at = null, int occurrence = 1)
    {
        var lines = File.ReadAllLines(path);
        var matching = Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains(statement, StringComparison.Ordinal)).ToList();
        Assert.True(matching.Count >= occurrence, $"{path} has fewer than {occurrence} lines with '{statement}'.");
        var index = matching[occurrence - 1];
        var column = lines[index].IndexOf(statement, StringComparison.Ordinal) + statement.IndexOf(at ?? statement, StringComparison.Ordinal);
        return (index + 1, column + 1);
    }
}
