using System.IO.Compression;

namespace Vmap.Package.Tests.Infrastructure;

/// <summary>
/// The package as this run built it: <c>dotnet pack</c> once per test run into a temporary folder
/// feed, shared by every test in <see cref="PackedVmapCollection"/>.
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
    private readonly Lazy<ConsumerProject> _consumer;

    public PackedVmap()
    {
        Version = $"0.1.0-e2e.{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Environment.ProcessId}";
        WorkDirectory = Directory.CreateTempSubdirectory("vmap-package-tests-").FullName;
        FeedDirectory = Path.Combine(WorkDirectory, "feed");

        try
        {
            PackagePath = Pack(Version, FeedDirectory, Path.Combine(WorkDirectory, "artifacts"));
        }
        catch
        {
            // xunit never disposes a fixture whose constructor threw.
            Directory.Delete(WorkDirectory, recursive: true);
            throw;
        }

        _consumer = new(() => ConsumerProject.Create(this, Path.Combine(WorkDirectory, "set-ptr"), "SetPtr"));
    }

    /// <summary>This run's package version.</summary>
    public string Version { get; }

    /// <summary>The temporary folder that holds the feed and every consumer project.</summary>
    public string WorkDirectory { get; }

    /// <summary>The local folder feed the consumers restore <c>Vmap</c> from.</summary>
    public string FeedDirectory { get; }

    /// <summary>The <c>.nupkg</c> file.</summary>
    public string PackagePath { get; }

    /// <summary>The consumer with the SET_PTR shape that most tests build, created and restored on first use.</summary>
    public ConsumerProject Consumer => _consumer.Value;

    public ZipArchive OpenPackage() => ZipFile.OpenRead(PackagePath);

    /// <summary>The bytes of one file inside the package.</summary>
    public byte[] ReadEntry(string entryPath)
    {
        using var package = OpenPackage();
        var entry = package.GetEntry(entryPath) ?? throw new FileNotFoundException($"{entryPath} is not in {PackagePath}.");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public void Dispose()
    {
        // This run's version is in the user's NuGet cache now; no later run can ask for it.
        var cached = Path.Combine(GlobalPackagesFolder(), "vmap", Version.ToLowerInvariant());
        if (Directory.Exists(cached))
        {
            Directory.Delete(cached, recursive: true);
        }

        Directory.Delete(WorkDirectory, recursive: true);
    }

    private static string Pack(string version, string feedDirectory, string artifactsDirectory)
    {
        var pack = DotnetCli.Run(
            RepositoryLayout.Root,
            "pack", RepositoryLayout.RuntimeProject,
            "-c", "Release",
            "-o", feedDirectory,
            "--artifacts-path", artifactsDirectory,
            $"-p:Version={version}",
            "-tl:off");
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack failed.\n{pack.Transcript}");
        }

        var packagePath = Path.Combine(feedDirectory, $"Vmap.{version}.nupkg");
        return File.Exists(packagePath)
            ? packagePath
            : throw new InvalidOperationException($"dotnet pack did not write {packagePath}.\n{pack.Transcript}");
    }

    private static string GlobalPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}

[CollectionDefinition(Name)]
public sealed class PackedVmapCollection : ICollectionFixture<PackedVmap>
{
    public const string Name = "packed Vmap";
}
