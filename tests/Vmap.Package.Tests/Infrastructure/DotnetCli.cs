using System.Diagnostics;

namespace Vmap.Package.Tests.Infrastructure;

/// <summary>What one <c>dotnet</c> invocation printed and returned.</summary>
public sealed record CliResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Everything the command printed, for assertion messages.</summary>
    public string Transcript => $"$ {CommandLine}\n(exit {ExitCode})\n{StandardOutput}\n{StandardError}";
}

/// <summary>Runs the .NET SDK the way a user's shell would.</summary>
public static class DotnetCli
{
    /// <summary>
    /// Against a hang, not a slow machine: packing both packages took 6 minutes on the shared
    /// 2-core build machine at a load average of 50.
    /// </summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(15);

    public static CliResult Run(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetPath())
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

        ScrubEnvironment(start.Environment);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(s_timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {s_timeout}.");
        }

        return new CliResult($"dotnet {string.Join(' ', arguments)}", process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The SDK that runs these tests, so the consumer builds with the same one.</summary>
    private static string DotnetPath() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static void ScrubEnvironment(IDictionary<string, string?> environment)
    {
        // The test host inherits the variables of the MSBuild that launched it (dotnet test);
        // they would steer the child builds into that build's SDK state instead of a fresh one.
        foreach (var key in environment.Keys.Where(IsInheritedBuildState).ToList())
        {
            environment.Remove(key);
        }

        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        // Worker nodes outliving the test would hold the temp folders and the CPU.
        environment["MSBUILDDISABLENODEREUSE"] = "1";
    }

    private static bool IsInheritedBuildState(string key) =>
        key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("_MSBUILD", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase);
}
