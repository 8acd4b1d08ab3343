using System.IO.Compression;

namespace Vmap.Package.Tests.Infrastructure;

/// <summary>
/// The two packages as this run built them: <c>dotnet pack Vmap.Packages.slnf</c> once per test
/// run into a temporary folder feed, shared by every test in <see cref="PackedVmapCollection"/>.
/// </summary>
/// <remarks>
/// Every run packs a version of its own (<c>0.1.0-e2e.&lt;unix time&gt;.&lt;pid&gt;</c>), so the
/// shared NuGet cache can never hand a consumer a stale copy of an earlier run; a private
/// globalPackagesFolder would do the same at the price of restoring everything from scratch.
/// Packing goes through its own artifacts folder so it never rewrites the repository's bin/obj
/// while other test projects of the same <c>dotnet test</c> use them.
/// </remarks>
public sealed class PackedVmap : IDisposable
{
    public const string RuntimeId = "Vmap";
    public const string AnalyzersId = "Vmap.Analyzers";

    private readonly Lazy<ConsumerProject> _consumer;
    private readonly Lazy<FrameworkConsumers> _frameworkConsumers;

    public PackedVmap()
    {
        Version = $"0.1.0-e2e.{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Environment.ProcessId}";
        WorkDirectory = Directory.CreateTempSubdirectory("vmap-package-tests-").FullName;
        FeedDirectory = Path.Combine(WorkDirectory, "feed");

        try
        {
            Pack(Version, FeedDirectory, Path.Combine(WorkDirectory, "artifacts"));
            Runtime = new PackageFile(FeedDirectory, RuntimeId, Version);
            Analyzers = new PackageFile(FeedDirectory, AnalyzersId, Version);
        }
        catch
        {
            // xunit never disposes a fixture whose constructor threw.
            Directory.Delete(WorkDirectory, recursive: true);
            throw;
        }

        _consumer = new(() => ConsumerProject.Create(this, Path.Combine(WorkDirectory, "set-ptr"), "SetPtr"));
        _frameworkConsumers = new(() => FrameworkConsumers.CreateAndBuild(this, Path.Combine(WorkDirectory, "frameworks")));
    }

    /// <summary>This run's package version (both packages).</summary>
    public string Version { get; }

    /// <summary>The temporary folder that holds the feed and every consumer project.</summary>
    public string WorkDirectory { get; }

    /// <summary>The local folder feed the consumers restore both packages from.</summary>
    public string FeedDirectory { get; }

    /// <summary>The runtime package, <c>Vmap</c>.</summary>
    public PackageFile Runtime { get; }

    /// <summary>The analyzers-only package, <c>Vmap.Analyzers</c>.</summary>
    public PackageFile Analyzers { get; }

    /// <summary>The consumer with the SET_PTR shape that most tests build, created and restored on first use.</summary>
    public ConsumerProject Consumer => _consumer.Value;

    /// <summary>One consumer per supported kind of project, restored and built together on first use.</summary>
    public FrameworkConsumers FrameworkConsumers => _frameworkConsumers.Value;

    public void Dispose()
    {
        // This run's version is in the user's NuGet cache now; no later run can ask for it.
        foreach (var id in new[] { RuntimeId, AnalyzersId })
        {
            var cached = Path.Combine(GlobalPackagesFolder(), id.ToLowerInvariant(), Version.ToLowerInvariant());
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }

        Directory.Delete(WorkDirectory, recursive: true);
    }

    /// <summary>The README's local-feed command, with this run's version and folders.</summary>
    private static void Pack(string version, string feedDirectory, string artifactsDirectory)
    {
        var pack = DotnetCli.Run(
            RepositoryLayout.Root,
            "pack", RepositoryLayout.PackagesSolutionFilter,
            "-c", "Release",
            "-o", feedDirectory,
            "--artifacts-path", artifactsDirectory,
            $"-p:Version={version}",
            "-tl:off");
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack failed.\n{pack.Transcript}");
        }
    }

    private static string GlobalPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}

/// <summary>One packed <c>.nupkg</c> and the <c>.snupkg</c> beside it.</summary>
public sealed class PackageFile
{
    public PackageFile(string feedDirectory, string id, string version)
    {
        Id = id;
        Path = System.IO.Path.Combine(feedDirectory, $"{id}.{version}.nupkg");
        SymbolsPath = System.IO.Path.ChangeExtension(Path, ".snupkg");
        foreach (var file in new[] { Path, SymbolsPath })
        {
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"dotnet pack did not write {file}.");
            }
        }
    }

    public string Id { get; }

    /// <summary>The <c>.nupkg</c> file.</summary>
    public string Path { get; }

    /// <summary>The <c>.snupkg</c> file.</summary>
    public string SymbolsPath { get; }

    public ZipArchive Open() => ZipFile.OpenRead(Path);

    public ZipArchive OpenSymbols() => ZipFile.OpenRead(SymbolsPath);

    /// <summary>The bytes of one file inside the package.</summary>
    public byte[] ReadEntry(string entryPath) => ReadEntry(Path, entryPath);

    /// <summary>The bytes of one file inside the symbols package.</summary>
    public byte[] ReadSymbolsEntry(string entryPath) => ReadEntry(SymbolsPath, entryPath);

    private static byte[] ReadEntry(string package, string entryPath)
    {
        using var zip = ZipFile.OpenRead(package);
        var entry = zip.GetEntry(entryPath) ?? throw new FileNotFoundException($"{entryPath} is not in {package}.");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

[CollectionDefinition(Name)]
public sealed class PackedVmapCollection : ICollectionFixture<PackedVmap>
{
    public const string Name = "packed Vmap";
}
