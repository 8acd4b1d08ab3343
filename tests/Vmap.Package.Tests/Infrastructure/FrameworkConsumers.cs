using System.Text.Json;
using System.Xml.Linq;

namespace Vmap.Package.Tests.Infrastructure;

/// <summary>
/// One consumer per kind of project the packages promise to serve, created, restored and built
/// together once (one <c>dotnet build</c> of a solution): class libraries for netstandard2.0,
/// .NET Framework 4.7.2 (through the reference-assemblies package) and both at once that install
/// <c>Vmap.Analyzers</c> as a user does (<c>dotnet add package</c>); .NET 8 and .NET 10 apps on
/// the <c>Vmap</c> runtime; and an app that references the netstandard2.0 library and so is a
/// consumer of a consumer.
/// </summary>
public sealed class FrameworkConsumers
{
    /// <summary>The analyzers-only consumers: project name to target frameworks.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> AnalyzerConsumers = new Dictionary<string, string[]>
    {
        ["Ns20"] = ["netstandard2.0"],
        ["Net472"] = ["net472"],
        ["Multi"] = ["netstandard2.0", "net8.0"],
    };

    /// <summary>The runtime consumers: project name to target framework.</summary>
    public static readonly IReadOnlyDictionary<string, string> RuntimeConsumers = new Dictionary<string, string>
    {
        ["Net8"] = "net8.0",
        ["Net10"] = "net10.0",
    };

    /// <summary>References <c>Ns20</c>, which installed the analyzers as a development dependency.</summary>
    public const string Downstream = "Downstream";

    private FrameworkConsumers(string directory, CliResult build)
    {
        Directory = directory;
        Build = build;
        DiagnosticsByProject = BuildDiagnostic.ParseByProject(build.StandardOutput);
    }

    public string Directory { get; }

    /// <summary>The one build of all the consumers.</summary>
    public CliResult Build { get; }

    /// <summary>What the build printed, per project (and framework): see <see cref="BuildDiagnostic.ParseByProject"/>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<BuildDiagnostic>> DiagnosticsByProject { get; }

    public string ProjectDirectory(string project) => Path.Combine(Directory, project);

    public string ProjectFile(string project) => Path.Combine(Directory, project, $"{project}.csproj");

    public string SourceFile(string project, string fileName) => Path.Combine(Directory, project, fileName);

    public string OutputAssembly(string project, string targetFramework) =>
        Path.Combine(Directory, project, "bin", "Debug", targetFramework, $"{project}.dll");

    /// <summary>The libraries (<c>id/version</c>) the project's restore resolved, packages and projects.</summary>
    public IReadOnlyList<string> RestoredLibraries(string project)
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, project, "obj", "project.assets.json")));
        return assets.RootElement.GetProperty("libraries").EnumerateObject().Select(library => library.Name).Order(StringComparer.Ordinal).ToList();
    }

    public static FrameworkConsumers CreateAndBuild(PackedVmap package, string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        ConsumerProject.WriteNuGetConfig(directory, package.FeedDirectory);

        foreach (var (name, frameworks) in AnalyzerConsumers)
        {
            WriteProject(directory, name, "Interop", TargetFrameworks(frameworks), library: true);
        }

        foreach (var (name, framework) in RuntimeConsumers)
        {
            WriteProject(directory, name, "RuntimeApp", TargetFrameworks([framework]), library: false, new XElement("PackageReference", new XAttribute("Include", PackedVmap.RuntimeId), new XAttribute("Version", package.Version)));
        }

        WriteProject(directory, Downstream, Downstream, TargetFrameworks(["net8.0"]), library: false, new XElement("ProjectReference", new XAttribute("Include", Path.Combine("..", "Ns20", "Ns20.csproj"))));

        // What a user types; it also restores the project. The three run at once: NuGet serialises
        // what they share in the package cache.
        Task.WaitAll(AnalyzerConsumers.Keys
            .Select(name => Task.Run(() => ConsumerProject.Succeed(
                DotnetCli.Run(Path.Combine(directory, name), "add", "package", PackedVmap.AnalyzersId, "--version", package.Version))))
            .ToArray());

        var solution = new XElement("Solution", AnalyzerConsumers.Keys.Concat(RuntimeConsumers.Keys).Append(Downstream)
            .Select(name => new XElement("Project", new XAttribute("Path", $"{name}/{name}.csproj"))));
        solution.Save(Path.Combine(directory, "consumers.slnx"));

        return new FrameworkConsumers(directory, DotnetCli.Run(directory, "build", "consumers.slnx", "-tl:off"));
    }

    private static XElement TargetFrameworks(string[] frameworks) =>
        frameworks.Length == 1 ? new XElement("TargetFramework", frameworks[0]) : new XElement("TargetFrameworks", string.Join(';', frameworks));

    /// <summary>
    /// A project as <c>dotnet new classlib</c> / <c>console</c> would write it for the framework
    /// (the language version is the framework's default: C# 7.3 for netstandard2.0 and net472),
    /// with the sources of folder <paramref name="sources"/> of the consumer sources.
    /// </summary>
    private static void WriteProject(string directory, string name, string sources, XElement frameworks, bool library, params XElement[] references)
    {
        var projectDirectory = Path.Combine(directory, name);
        System.IO.Directory.CreateDirectory(projectDirectory);
        var properties = new XElement("PropertyGroup", frameworks);
        if (!library)
        {
            properties.Add(new XElement("OutputType", "Exe"), new XElement("ImplicitUsings", "enable"), new XElement("Nullable", "enable"));
        }

        var project = new XElement("Project", new XAttribute("Sdk", "Microsoft.NET.Sdk"), properties);
        if (references.Length > 0)
        {
            project.Add(new XElement("ItemGroup", references));
        }

        project.Save(Path.Combine(projectDirectory, $"{name}.csproj"));
        foreach (var source in System.IO.Directory.GetFiles(Path.Combine(RepositoryLayout.ConsumerSources, sources)))
        {
            File.Copy(source, Path.Combine(projectDirectory, Path.GetFileName(source)));
        }
    }
}
