namespace Vmap.Package.Tests.Infrastructure;

/// <summary>
/// A fresh console project outside the repository that installs <c>Vmap</c> from the run's folder
/// feed the way a user does (<c>dotnet new console</c>, <c>dotnet add package</c>), with the
/// sources from <see cref="RepositoryLayout.ConsumerSources"/>.
/// </summary>
public sealed class ConsumerProject
{
    private const string AppName = "App";

    private ConsumerProject(string directory) => Directory = directory;

    /// <summary>The project folder (holds App.csproj and the sources).</summary>
    public string Directory { get; }

    public string PathOf(string fileName) => Path.Combine(Directory, fileName);

    /// <summary>
    /// Creates and restores the project in <paramref name="parentDirectory"/>; files in
    /// <paramref name="extraFiles"/> (name to text) are written into the project folder.
    /// </summary>
    public static ConsumerProject Create(PackedVmap package, string parentDirectory, IReadOnlyDictionary<string, string>? extraFiles = null)
    {
        System.IO.Directory.CreateDirectory(parentDirectory);
        File.WriteAllText(Path.Combine(parentDirectory, "nuget.config"), NuGetConfig(package.FeedDirectory));

        var project = new ConsumerProject(Path.Combine(parentDirectory, AppName));
        Succeed(DotnetCli.Run(parentDirectory, "new", "console", "-n", AppName, "-o", project.Directory, "--framework", "net10.0", "--no-restore"));
        foreach (var source in System.IO.Directory.GetFiles(RepositoryLayout.ConsumerSources))
        {
            File.Copy(source, project.PathOf(Path.GetFileName(source)), overwrite: true);
        }

        foreach (var (name, text) in extraFiles ?? new Dictionary<string, string>())
        {
            File.WriteAllText(project.PathOf(name), text);
        }

        Succeed(DotnetCli.Run(project.Directory, "add", "package", "Vmap", "--version", package.Version));
        return project;
    }

    /// <summary>
    /// A full compile every time: an incremental build that skips the compiler prints no
    /// warnings, and the tests compare what each configuration prints.
    /// </summary>
    public BuildResult Build(params string[] extraArguments) =>
        new(DotnetCli.Run(Directory, ["build", "--no-restore", "--no-incremental", "-tl:off", "-nodeReuse:false", .. extraArguments]));

    /// <summary>Runs the program a <see cref="Build"/> produced.</summary>
    public CliResult Run() =>
        DotnetCli.Run(Directory, Path.Combine("bin", "Debug", "net10.0", $"{AppName}.dll"));

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
            </packageSource>
            <packageSource key="nuget.org">
              <package pattern="*" />
            </packageSource>
          </packageSourceMapping>
        </configuration>
        """;

    private static void Succeed(CliResult result)
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
