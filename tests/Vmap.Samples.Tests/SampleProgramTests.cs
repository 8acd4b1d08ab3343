using System.Diagnostics;
using BufferCache;

namespace Vmap.Samples.Tests;

/// <summary>The sample as a new user runs it: its output and exit codes.</summary>
public class SampleProgramTests
{
    [LinuxFact]
    public void Default_run_prints_the_refused_unmap_and_exits_3()
    {
        (int exitCode, string output) = RunSample();

        Assert.Equal(3, exitCode);
        string[] lines = output.Split('\n');
        Assert.Equal("BufferCache: the hazardous cache on the native Linux vmap space (real memory: memfd pages mapped into one reservation)", lines[0]);
        Assert.Contains("the runtime refused the unmap (VmapMisuseException, rule VMAP001):", lines);
        Assert.Single(lines, l => l.StartsWith("VMAP001: UnmapRam(0x", StringComparison.Ordinal) && l.Contains(", 2): ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("at BufferCache.Log.Xlog..ctor(", StringComparison.Ordinal));
        // Live: the multi-page buffers among the last LruLimit written, the iclog, and the split buffer's lost mapping.
        int mappedCached = Enumerable.Range(Workload.MetadataBuffers - Workload.LruLimit, Workload.LruLimit).Count(i => Workload.PageCountOf(i) > 1);
        Assert.Contains(
            $"nothing changed: {mappedCached + 2} mappings still live (the split buffer's own one among them, though its Addr no longer names it), " +
            $"{Workload.LruLimit} cached buffers intact, {Workload.LruLimit} of them still reading as written",
            lines);
    }

    [LinuxFact]
    public void Fixed_run_completes_prints_stats_and_exits_0()
    {
        (int exitCode, string output) = RunSample("--fixed");

        Assert.Equal(0, exitCode);
        string[] lines = output.Split('\n');
        Assert.Equal("BufferCache: the fixed cache on the native Linux vmap space (real memory: memfd pages mapped into one reservation)", lines[0]);
        Assert.DoesNotContain(lines, l => l.StartsWith("VMAP", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("stats: ", StringComparison.Ordinal) && l.Contains("space in use: 0 mappings, 0 mapped pages, 0 areas, 0 lazily freed pages; pool pages in use 0", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_arguments_are_refused_with_exit_2()
    {
        (int exitCode, string output) = RunSample("--fix");

        Assert.Equal(2, exitCode);
        Assert.Equal("usage: BufferCache [--fixed]\n", output);
    }

    private static (int ExitCode, string Output) RunSample(params string[] args)
    {
        string dll = typeof(Workload).Assembly.Location;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
