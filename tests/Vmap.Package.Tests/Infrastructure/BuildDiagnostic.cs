using System.Text.RegularExpressions;

namespace Vmap.Package.Tests.Infrastructure;

/// <summary>
/// One diagnostic as MSBuild's console logger prints it:
/// <c>path/File.cs(12,9): warning VMAP001: message [path/App.csproj]</c>, or without a
/// position (<c>App.csproj : warning NU1603: ...</c>); <see cref="Line"/> is 0 then.
/// </summary>
public sealed partial record BuildDiagnostic(string File, int Line, int Column, string Severity, string Id, string Message)
{
    /// <summary>
    /// The distinct diagnostics in a build's output: the console logger prints each one where it
    /// happens and again in the closing summary.
    /// </summary>
    public static IReadOnlyList<BuildDiagnostic> Parse(string output) =>
        output.Split('\n')
            .Select(line => DiagnosticLine().Match(line.TrimEnd('\r')))
            .Where(match => match.Success)
            .Select(match => new BuildDiagnostic(
                match.Groups["file"].Value.Trim(),
                match.Groups["line"].Success ? int.Parse(match.Groups["line"].Value) : 0,
                match.Groups["column"].Success ? int.Parse(match.Groups["column"].Value) : 0,
                match.Groups["severity"].Value,
                match.Groups["id"].Value,
                match.Groups["message"].Value))
            .Distinct()
            .ToList();

    [GeneratedRegex(@"^\s*(?<file>[^\s].*?)(\((?<line>\d+),(?<column>\d+)\))?\s*: (?<severity>warning|error) (?<id>[A-Za-z]+\d+): (?<message>.*?)( \[[^\]]+\])?$")]
    private static partial Regex DiagnosticLine();
}
