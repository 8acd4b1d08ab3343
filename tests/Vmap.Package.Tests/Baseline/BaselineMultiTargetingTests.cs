using Vmap.Package.Tests.Infrastructure;

namespace Vmap.Package.Tests.Baseline;

/// <summary>
/// A consumer that targets net8.0 and net10.0: the outer build writes one baseline holding every
/// framework's findings, and each framework's compile then accepts its own without calling the
/// other's entries stale.
/// </summary>
[Collection(PackedVmapCollection.Name)]
public sealed class BaselineMultiTargetingTests(PackedVmap package)
{
    // A finding only the net10.0 compile sees.
    private const string OnlyTen = """
        namespace App;

        public static class OnlyTen
        {
        #if NET10_0_OR_GREATER
            public static void Lost()
            {
                var q = System.Runtime.InteropServices.Marshal.AllocHGlobal(8);
                q = System.IntPtr.Zero;
            }
        #endif
        }
        """;

    [Fact]
    public void The_update_writes_the_union_of_the_frameworks_findings_and_no_framework_reports_the_others_entries()
    {
        var consumer = ConsumerProject.Create(
            package,
            Path.Combine(package.WorkDirectory, "baseline-multi"),
            "SetPtr",
            new Dictionary<string, string> { ["OnlyTen.cs"] = OnlyTen });
        var project = consumer.PathOf("App.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace("<TargetFramework>net10.0</TargetFramework>", "<TargetFrameworks>net8.0;net10.0</TargetFrameworks>", StringComparison.Ordinal));
        var restore = DotnetCli.Run(consumer.Directory, "restore");
        Assert.True(restore.ExitCode == 0, restore.Transcript);

        var update = consumer.Build("-p:VmapUpdateBaseline=true");

        Assert.True(update.Cli.ExitCode == 0, update.Cli.Transcript);
        Assert.Empty(update.Diagnostics);
        var baseline = consumer.PathOf("vmap-baseline.txt");
        Assert.Contains($"Vmap baseline: 3 entries in {baseline} (3 added, 0 removed).", update.Cli.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(
            [
                ("VMAP001", "LogBuffer.cs", "App.LogBufferCache.SetPtr(LogBuffer,nint)"),
                ("VMAP002", "LogBuffer.cs", "App.LogBufferCache.SetPtr(LogBuffer,nint)"),
                ("VMAP002", "OnlyTen.cs", "App.OnlyTen.Lost()"),
            ],
            File.ReadAllLines(baseline).Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split(' ')).Select(f => (f[0], f[1], f[2])));

        var build = consumer.Build();

        Assert.True(build.Cli.ExitCode == 0, build.Cli.Transcript);
        Assert.Empty(build.Diagnostics);
    }
}
