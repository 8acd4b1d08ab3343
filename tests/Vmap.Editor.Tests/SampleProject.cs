using System.Diagnostics;

namespace Vmap.Editor.Tests;

/// <summary>
/// samples/BufferCache as an editor opens it: its project file, and the analyzer and code-fix
/// assemblies built first (an editor loads them from the referenced projects' bin folders, and
/// neither host builds them itself).
/// </summary>
public sealed class SampleProject
{
    public const string HazardousFile = "Hazardous/HazardousBufCache.cs";

    public SampleProject()
    {
        Root = FindRoot();
        Folder = Path.Combine(Root, "samples", "BufferCache");
        ProjectFile = Path.Combine(Folder, "BufferCache.csproj");

        // Debug, the configuration both hosts evaluate the project in.
        var build = Dotnet.Run(Root, TimeSpan.FromMinutes(4), "build", ProjectFile, "-c", "Debug", "-nologo", "-v", "q");
        Assert.True(build.ExitCode == 0, "building the sample failed:\n" + build.Output);
    }

    public string Root { get; }

    public string Folder { get; }

    public string ProjectFile { get; }

    public string PathOf(string relative) => Path.Combine(Folder, relative.Replace('/', Path.DirectorySeparatorChar));

    public string Read(string relative) => File.ReadAllText(PathOf(relative));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "VmapAnalyzers.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("VmapAnalyzers.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class SampleProjectCollection : ICollectionFixture<SampleProject>
{
    public const string Name = "sample project";
}

/// <summary>Runs the dotnet CLI with a bounded wait; output and error merged.</summary>
internal static class Dotnet
{
    public static (int ExitCode, string Output) Run(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"dotnet {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s");
        }

        return (process.ExitCode, output.Result + error.Result);
    }
}
