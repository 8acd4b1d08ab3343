using System.IO.Compression;
using System.Reflection;
using System.Runtime.Loader;

namespace Vmap.Package.Tests.Infrastructure;

/// <summary>
/// The package's analyzers/dotnet/cs folder, extracted and loaded the way a host loads it: the
/// package's own assemblies from that folder, Roslyn from the host (here, this test's Roslyn 4.8).
/// </summary>
public sealed class PackagedComponents : AssemblyLoadContext
{
    public const string Folder = "analyzers/dotnet/cs/";

    private readonly string _directory;

    private PackagedComponents(string directory)
        : base($"package {directory}", isCollectible: true) => _directory = directory;

    public static PackagedComponents Extract(PackedVmap package, string directory)
    {
        Directory.CreateDirectory(directory);
        using var zip = package.Analyzers.Open();
        foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith(Folder, StringComparison.Ordinal)))
        {
            entry.ExtractToFile(Path.Combine(directory, entry.Name), overwrite: true);
        }

        return new PackagedComponents(directory);
    }

    /// <summary>Creates one instance of every public concrete <typeparamref name="T"/> in the packaged assembly.</summary>
    public IReadOnlyList<T> Instantiate<T>(string assemblyFile)
        where T : class =>
        LoadFromAssemblyPath(Path.Combine(_directory, assemblyFile))
            .GetExportedTypes()
            .Where(type => typeof(T).IsAssignableFrom(type) && !type.IsAbstract)
            .Select(type => (T)Activator.CreateInstance(type)!)
            .ToList();

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var packed = Path.Combine(_directory, $"{assemblyName.Name}.dll");
        return File.Exists(packed) ? LoadFromAssemblyPath(packed) : null;
    }
}
