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
        Matches(output).Select(Create).Distinct().ToList();

    /// <summary>
    /// The distinct diagnostics of a build of several projects, per project as MSBuild names it at
    /// the end of the line: the project file's name without extension, and for one framework of
    /// a multi-targeting project <c>Name/tfm</c> (<c>Multi/netstandard2.0</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<BuildDiagnostic>> ParseByProject(string output) =>
        Matches(output)
            .Where(match => match.Groups["project"].Success)
            .GroupBy(match => ProjectKey(match.Groups["project"].Value))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<BuildDiagnostic>)g.Select(Create).Distinct().ToList());

    private static IEnumerable<Match> Matches(string output) =>
        output.Split('\n').Select(line => DiagnosticLine().Match(line.TrimEnd('\r'))).Where(match => match.Success);

    private static BuildDiagnostic Create(Match match) =>
        new(
            match.Groups["file"].Value.Trim(),
            match.Groups["line"].Success ? int.Parse(match.Groups["line"].Value) : 0,
            match.Groups["column"].Success ? int.Parse(match.Groups["column"].Value) : 0,
            match.Groups["severity"].Value,
            match.Groups["id"].Value,
            match.Groups["message"].Value);

    /// <summary><c>/x/Multi/Multi.csproj::TargetFramework=net8.0</c> to <c>Multi/net8.0</c>.</summary>
    private static string ProjectKey(string project)
    {
        var parts = project.Split("::TargetFramework=");
        var name = Path.GetFileNameWithoutExtension(parts[0]);
        return parts.Length > 1 ? $"{name}/{parts[1]}" : name;
    }

    [GeneratedRegex(@"^\s*(?<file>[^\s].*?)(\((?<line>\d+),(?<column>\d+)\))?\s*: (?<severity>warning|error) (?<id>[A-Za-z]+\d+): (?<message>.*?)( \[(?<project>[^\]]+)\])?$")]
    private static partial Regex DiagnosticLine();
}
