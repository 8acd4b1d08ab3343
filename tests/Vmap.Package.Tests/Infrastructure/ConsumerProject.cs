namespace Vmap.Package.Tests.Infrastructure;

/// <summary>
/// A fresh console project outside the repository that installs <c>Vmap</c> from the run's folder
/// feed the way a user does (<c>dotnet new console</c>, <c>dotnet add package</c>), with sources
/// from a folder of <see cref="RepositoryLayout.ConsumerSources"/>.
/// </summary>
public sealed class ConsumerProject
{
    private const string AppName = "App";

    private ConsumerProject(string directory) => Directory = directory;

    /// <summary>The project folder (holds App.csproj and the sources).</summary>
    public string Directory { get; }

    public string PathOf(string fileName) => Path.Combine(Directory, fileName);

    /// <summary>
    /// Creates and restores the project in <paramref name="parentDirectory"/> from the consumer
    /// sources in folder <paramref name="sources"/>; files in <paramref name="extraFiles"/> (name
    /// to text) are written into the project folder, and each of <paramref name="libraries"/>
    /// (a source folder too) becomes a class library beside it that the project references.
    /// </summary>
    public static ConsumerProject Create(
        PackedVmap package,
        string parentDirectory,
        string sources,
        IReadOnlyDictionary<string, string>? extraFiles = null,
        IReadOnlyList<string>? libraries = null)
    {
        System.IO.Directory.CreateDirectory(parentDirectory);
        WriteNuGetConfig(parentDirectory, package.FeedDirectory);

        var project = new ConsumerProject(Path.Combine(parentDirectory, AppName));
        Succeed(DotnetCli.Run(parentDirectory, "new", "console", "-n", AppName, "-o", project.Directory, "--framework", "net10.0", "--no-restore"));
        CopySources(sources, project.Directory);
        foreach (var (name, text) in extraFiles ?? new Dictionary<string, string>())
        {
            File.WriteAllText(project.PathOf(name), text);
        }

        foreach (var library in libraries ?? [])
        {
            var libraryDirectory = Path.Combine(parentDirectory, library);
            Succeed(DotnetCli.Run(parentDirectory, "new", "classlib", "-n", library, "-o", libraryDirectory, "--framework", "net10.0", "--no-restore"));
            File.Delete(Path.Combine(libraryDirectory, "Class1.cs"));
            CopySources(library, libraryDirectory);
            Succeed(DotnetCli.Run(project.Directory, "add", "reference", Path.Combine(libraryDirectory, $"{library}.csproj")));
        }

        Succeed(DotnetCli.Run(project.Directory, "add", "package", "Vmap", "--version", package.Version));
        if (libraries is { Count: > 0 })
        {
            // "add package" restores the project it edits, not the libraries it references.
            Succeed(DotnetCli.Run(project.Directory, "restore"));
        }

        return project;
    }

    /// <summary>
    /// A full compile every time: an incremental build that skips the compiler prints no
    /// warnings, and the tests compare what each configuration prints.
    /// </summary>
    public BuildResult Build(params string[] extraArguments) =>
        new(DotnetCli.Run(Directory, ["build", "--no-restore", "--no-incremental", "-tl:off", .. extraArguments]));

    /// <summary>Runs the program a <see cref="Build"/> produced.</summary>
    public CliResult Run() =>
        DotnetCli.Run(Directory, Path.Combine("bin", "Debug", "net10.0", $"{AppName}.dll"));

    private static void CopySources(string sources, string projectDirectory)
    {
        foreach (var source in System.IO.Directory.GetFiles(Path.Combine(RepositoryLayout.ConsumerSources, sources)))
        {
            File.Copy(source, Path.Combine(projectDirectory, Path.GetFileName(source)), overwrite: true);
        }
    }

    /// <summary>
    /// A nuget.config for the projects under <paramref name="directory"/>: the two Vmap packages
    /// from the run's feed only, everything else from the registry.
    /// </summary>
    public static void WriteNuGetConfig(string directory, string feedDirectory) =>
        File.WriteAllText(Path.Combine(directory, "nuget.config"), NuGetConfig(feedDirectory));

    private static string NuGetConfig(string feedDirectory) =>
        $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="vmap-e2e" value="{feedDirectory}" />
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
          </packageSources>
          <packageSourceMapping>
            <packageSource key="vmap-e2e">
              <package pattern="Vmap" />
              <package pattern="Vmap.Analyzers" />
            </packageSource>
            <packageSource key="nuget.org">
              <package pattern="*" />
            </packageSource>
          </packageSourceMapping>
        </configuration>
        """;

    public static void Succeed(CliResult result)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"Setting up the consumer project failed.\n{result.Transcript}");
        }
    }
}

/// <summary>A consumer build: how it ended and the distinct diagnostics it printed.</summary>
public sealed class BuildResult(CliResult cli)
{
    public CliResult Cli { get; } = cli;

    public IReadOnlyList<BuildDiagnostic> Diagnostics { get; } = BuildDiagnostic.Parse(cli.StandardOutput);
}
