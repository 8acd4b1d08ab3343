using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Vmap.Analyzers.Tests.Fixes;

/// <summary>
/// The fixes through the real command-line host: <c>dotnet format analyzers</c> of the SDK that
/// runs these tests, with every fixable VMAP id at once, on a consumer project
/// (<c>DotnetFormat/Consumer</c>) that references the analyzer and code-fix assemblies just built.
/// The project holds every edit the rules have, several rules in one file, findings of one rule
/// that interact in one method (two mappings, each wrapped in its own try/finally), findings of two
/// rules in one method (VMAP004 and VMAP005 in <c>Cache.Refill</c>), a release path in another file
/// than the re-pointing (VMAP001, field), a Dispose that forgets one of two blocks (VMAP009,
/// <c>NativePair</c>), an mmap result tested against NULL (VMAP010, <c>MappedRegion</c>), and one
/// finding that has no fix (VMAP002 in
/// <c>Pager.Keep</c>: the mapping is returned on another path).
/// </summary>
/// <remarks>
/// dotnet format visits the ids in hash order, which changes from one process to the next, so two
/// copies formatted by two processes are also two orders of the rules.
/// </remarks>
public sealed class DotnetFormatTests : IClassFixture<DotnetFormatTests.Runs>
{
    private readonly Runs _runs;

    public DotnetFormatTests(Runs runs) => _runs = runs;

    [Fact]
    public void One_run_applies_every_fix_and_reports_no_rule_it_could_not_fix()
    {
        AssertNoFixFailure(_runs.First);
        AssertFixedText(_runs.FirstCopy);
    }

    [Fact]
    public void Another_process_formatting_the_same_project_writes_the_same_text()
    {
        AssertNoFixFailure(_runs.Second);
        AssertFixedText(_runs.SecondCopy);
    }

    [Fact]
    public void A_second_run_on_the_fixed_project_changes_nothing()
    {
        AssertNoFixFailure(_runs.Again);
        Assert.Equal(_runs.TextAfterFirst, _runs.TextAfterAgain);
    }

    [Fact]
    public void The_build_afterwards_reports_only_the_finding_that_has_no_fix()
    {
        Assert.True(_runs.Build.ExitCode == 0, _runs.Build.Transcript);
        var findings = Regex.Matches(_runs.Build.StandardOutput, @"(?<file>[^\s/\\]+\.cs)\((?<line>\d+),(?<column>\d+)\): warning (?<id>VMAP\d{3})")
            .Select(m => $"{m.Groups["file"].Value}({m.Groups["line"].Value},{m.Groups["column"].Value}): {m.Groups["id"].Value}")
            .Distinct()
            .ToList();
        Assert.Equal(new[] { "Pager.cs(53,18): VMAP002" }, findings);
    }

    private static void AssertNoFixFailure(ProcessResult run)
    {
        Assert.True(run.ExitCode == 0, run.Transcript);

        // The host's words when a provider gives it nothing to apply or throws.
        Assert.DoesNotContain("Unable to fix", run.Transcript, StringComparison.Ordinal);
        Assert.DoesNotContain("Failed to apply", run.Transcript, StringComparison.Ordinal);
    }

    private static void AssertFixedText(ConsumerCopy copy)
    {
        foreach (var expected in Directory.GetFiles(Path.Combine(DataDirectory, "Fixed"), "*.cs").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(expected);
            Assert.True(File.ReadAllText(expected) == copy.Read(name), $"{name} after dotnet format:\n{copy.Read(name)}");
        }
    }

    private static string DataDirectory => Path.Combine(AppContext.BaseDirectory, "Fixes", "DotnetFormat");

    /// <summary>
    /// Every dotnet invocation of these tests, once: two copies formatted by two processes at the
    /// same time, the first formatted again, then built.
    /// </summary>
    public sealed class Runs : IDisposable
    {
        public Runs()
        {
            FirstCopy = ConsumerCopy.Create(DataDirectory);
            SecondCopy = ConsumerCopy.Create(DataDirectory);
            var first = Task.Run(FirstCopy.Format);
            var second = Task.Run(SecondCopy.Format);
            First = first.GetAwaiter().GetResult();
            Second = second.GetAwaiter().GetResult();
            TextAfterFirst = FirstCopy.ReadSources();
            Again = FirstCopy.Format();
            TextAfterAgain = FirstCopy.ReadSources();
            Build = FirstCopy.Dotnet("build", "--no-restore");
        }

        public ConsumerCopy FirstCopy { get; }

        public ConsumerCopy SecondCopy { get; }

        public ProcessResult First { get; }

        public ProcessResult Second { get; }

        public ProcessResult Again { get; }

        public ProcessResult Build { get; }

        public IReadOnlyDictionary<string, string> TextAfterFirst { get; }

        public IReadOnlyDictionary<string, string> TextAfterAgain { get; }

        public void Dispose()
        {
            FirstCopy.Dispose();
            SecondCopy.Dispose();
        }
    }

    /// <summary>The consumer project in a temporary folder, outside this repository's build props.</summary>
    public sealed class ConsumerCopy : IDisposable
    {
        /// <summary>The command CI users run: every rule that has a fix, at the default severity.</summary>
        private static readonly string[] s_format =
        {
            "format", "analyzers", "--diagnostics",
            RuleIds.VMAP001, RuleIds.VMAP002, RuleIds.VMAP003, RuleIds.VMAP004, RuleIds.VMAP005, RuleIds.VMAP006, RuleIds.VMAP008, RuleIds.VMAP009, RuleIds.VMAP010,
        };

        private readonly string _directory;

        private ConsumerCopy(string directory) => _directory = directory;

        public static ConsumerCopy Create(string dataDirectory)
        {
            var directory = Path.Combine(Path.GetTempPath(), "vmap-format-" + Guid.NewGuid().ToString("N"));
            var analyzers = Path.Combine(directory, "analyzers");
            Directory.CreateDirectory(analyzers);
            foreach (var assembly in new[] { "Vmap.Analyzers.dll", "Vmap.CodeFixes.dll" })
            {
                File.Copy(Path.Combine(AppContext.BaseDirectory, assembly), Path.Combine(analyzers, assembly));
            }

            foreach (var source in Directory.GetFiles(Path.Combine(dataDirectory, "Consumer"), "*.cs"))
            {
                File.Copy(source, Path.Combine(directory, Path.GetFileName(source)));
            }

            File.WriteAllText(Path.Combine(directory, "FakeApi.cs"), Verify.FakeApi);

            // Empty props and targets end MSBuild's search upward for a Directory.Build.* of the temp folder's parents.
            File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
            File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
            File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>disable</ImplicitUsings>
                    <Nullable>disable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    <Analyzer Include="analyzers/Vmap.Analyzers.dll" />
                    <Analyzer Include="analyzers/Vmap.CodeFixes.dll" />
                  </ItemGroup>
                </Project>
                """);
            return new ConsumerCopy(directory);
        }

        public ProcessResult Format() => Dotnet(s_format);

        public string Read(string name) => File.ReadAllText(Path.Combine(_directory, name));

        public IReadOnlyDictionary<string, string> ReadSources()
            => Directory.GetFiles(_directory, "*.cs").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

        public ProcessResult Dotnet(params string[] arguments)
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
            {
                WorkingDirectory = _directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            // dotnet test hands its MSBuild's state to the test host; the child must start fresh.
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
                || k.StartsWith("_MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                start.Environment.Remove(key);
            }

            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
            start.Environment["MSBUILDDISABLENODEREUSE"] = "1";

            using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within 5 minutes.");
            }

            return new ProcessResult($"dotnet {string.Join(' ', arguments)}", process.ExitCode, stdout.Result, stderr.Result);
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A build server may still hold a file; the temp folder is the OS's to clean.
            }
        }
    }

    public sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
    {
        public string Transcript => $"$ {CommandLine}\n(exit {ExitCode})\n{StandardOutput}\n{StandardError}";
    }
}
