namespace Vmap.Package.Tests.Infrastructure;

/// <summary>Where the repository being packed lives, found from the test's own output folder.</summary>
public static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    public static string RuntimeProject => Path.Combine(Root, "runtime", "Vmap", "Vmap.csproj");

    /// <summary>The solution filter that packs both packages (the README's local-feed command).</summary>
    public static string PackagesSolutionFilter => Path.Combine(Root, "Vmap.Packages.slnf");

    public static string AnalyzersPackageProject => Path.Combine(Root, "src", "Vmap.Analyzers.Package", "Vmap.Analyzers.Package.csproj");

    public static string Readme => Path.Combine(Root, "README.md");

    /// <summary>The readme both packages carry, written for the gallery.</summary>
    public static string PackageReadme => Path.Combine(Root, "docs", "package", "README.md");

    /// <summary>The consumer's source files, copied next to the test assembly.</summary>
    public static string ConsumerSources => Path.Combine(AppContext.BaseDirectory, "Consumer");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VmapAnalyzers.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No VmapAnalyzers.sln above {AppContext.BaseDirectory}.");
    }
}
