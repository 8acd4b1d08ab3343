namespace Vmap.Editor.Tests;

/// <summary>
/// csharp-ls 0.28.0, installed from the NuGet registry by the test itself into
/// artifacts/tools (git-ignored), once per machine: the tool is a dotnet tool package.
/// </summary>
internal static class CsharpLs
{
    public const string Version = "0.28.0";

    private static readonly Lazy<(string? Executable, string? Problem)> s_installed = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The server's executable, or null with <see cref="Problem"/> saying why it could not be installed.</summary>
    public static string? Executable => s_installed.Value.Executable;

    public static string? Problem => s_installed.Value.Problem;

    private static (string?, string?) Install()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "VmapAnalyzers.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar));
        }

        if (root is null)
        {
            return (null, "VmapAnalyzers.sln not found above " + AppContext.BaseDirectory);
        }

        var toolPath = Path.Combine(root, "artifacts", "tools", "csharp-ls-" + Version);
        var executable = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "csharp-ls.exe" : "csharp-ls");
        if (File.Exists(executable))
        {
            return (executable, null);
        }

        var (exitCode, output) = Dotnet.Run(root, TimeSpan.FromMinutes(3), "tool", "install", "--tool-path", toolPath, "csharp-ls", "--version", Version);
        return exitCode == 0 && File.Exists(executable)
            ? (executable, null)
            : (null, $"csharp-ls {Version} could not be installed with 'dotnet tool install --tool-path {toolPath} csharp-ls --version {Version}' (exit {exitCode}): {output.Trim()}");
    }
}

/// <summary>A test that needs csharp-ls: skipped, saying why, only when the tool cannot be installed.</summary>
public sealed class CsharpLsFactAttribute : FactAttribute
{
    public CsharpLsFactAttribute()
    {
        if (CsharpLs.Executable is null)
        {
            Skip = CsharpLs.Problem;
        }
    }
}
