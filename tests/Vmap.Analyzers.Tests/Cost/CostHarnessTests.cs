using System.Diagnostics;
using Vmap.Analyzers.Tests.Configuration;

namespace Vmap.Analyzers.Tests.Cost;

/// <summary>
/// The cost harness (bench/Vmap.CostHarness) run as its users run it, on a tiny generated project,
/// so that it cannot rot unseen: it must recreate the compilation from a csc command line, run every
/// configuration, and count what the text gate admits against what really pairs.
/// </summary>
public sealed class CostHarnessTests : IDisposable
{
    private const string Source = """
        using System;
        using System.Runtime.InteropServices;

        public static class Buffers
        {
            public static void Pairs()
            {
                IntPtr p = Marshal.AllocHGlobal(16);
                Marshal.FreeHGlobal(p);
            }

            public static int Plain(int x) => x * 2;
        }

        public sealed class Arena
        {
            private int _used;

            public int Alloc(int size) { _used += size; return _used; }

            public int Twice() => Alloc(1) + Alloc(2);
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("vmap-cost-").FullName;

    [Fact]
    public void Measures_a_compilation_recreated_from_its_command_line()
    {
        File.WriteAllText(Path.Combine(_directory, "Buffers.cs"), Source);
        var run = Harness("--rounds", "1", "--methods", "--top", "3", "--cwd", _directory, "--",
            "/nostdlib+", "/target:library", "/out:Tiny.dll", "/reference:" + typeof(object).Assembly.Location,
            "/reference:" + Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "System.Runtime.dll"), "Buffers.cs");

        Assert.True(run.ExitCode == 0, run.Transcript);
        var lines = run.Output.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Contains(lines, l => l.StartsWith("compilation: Tiny, 1 trees, 22 lines", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("warning:", StringComparison.Ordinal));
        foreach (var row in new[] { "(a) compile: diagnostics + emit", "(b) (a) + Vmap", "(e) (a) + an empty code block analyzer", "(g) (a) + an empty syntax tree analyzer", "(h) (a) + an empty semantic model analyzer", "(t) (a) + Vmap in build mode", "(f) floor:" })
        {
            Assert.Contains(lines, l => l.StartsWith(row, StringComparison.Ordinal));
        }

        Assert.Contains(lines, l => l.StartsWith("marginal (b - a) / a: wall ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  Vmap.Analyzers.PairingAnalyzer", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Vmap in build mode (t - a) / a: wall ", StringComparison.Ordinal) && l.EndsWith("; diagnostics 0 against (b)'s 0", StringComparison.Ordinal));

        // Four method code blocks; Pairs names Marshal's pair, Arena.Alloc and Twice only Alloc's name
        // (NativeMemory.Alloc's): the declaration of Arena's own Alloc, and calls of it.
        Assert.Contains("gate: 4 method code blocks, 1 admitted, 1 really call a pair API or an inferred acquirer (admitted / real = 1.00x)", lines);
        Assert.Contains("gate: 3 blocks name a pair method or a possible acquirer, 2 of them judged to call none (not bound)", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("names in the admitted blocks that pair nothing", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("slowest 3 of 4 methods", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_source_file_is_named()
    {
        var run = Harness("--cwd", _directory, "--", "/target:library", "Missing.cs");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Missing.cs", run.Error, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output, string Error, string Transcript) Harness(params string[] arguments)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var harness = Path.Combine(RuleDocsTests.RepositoryRoot(), "bench", "Vmap.CostHarness", "bin", configuration, "net10.0", "Vmap.CostHarness.dll");
        Assert.True(File.Exists(harness), harness + " is not built (the test project references it, so a build of the tests builds it)");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(harness);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the cost harness did not finish within 3 minutes");
        }

        return (process.ExitCode, output.Result, error.Result, $"$ {harness} {string.Join(' ', arguments)}\n(exit {process.ExitCode})\n{output.Result}\n{error.Result}");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
