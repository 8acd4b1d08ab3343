using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Vmap.Analyzers.Pairing;
using Xunit.Abstractions;

namespace Vmap.Analyzers.Tests.Robustness;

/// <summary>
/// The analyzers over broken code, as an editor shows it while it is typed: the test corpora's
/// files (ValidCode, the samples, the rule tests' sources and the shapes that once made the
/// engine throw) cut at random points, with tokens deleted and blocks duplicated. Nothing the analyzers' own code throws may escape
/// (<see cref="PairingAnalyzer.ThrowOnEngineFailure"/> is on, so a swallowed failure of ours
/// fails the test as well); the compiler's own failures are counted and shown.
/// </summary>
/// <remarks>
/// Fixed seed; bounded by time (<c>VMAP_FUZZ_SECONDS</c>, 35 by default) and by a case count
/// (<c>VMAP_FUZZ_CASES</c>), so a long run is one environment variable away. A failing case
/// names its number and leaves its source in the temporary folder. Runs on the Roslyn the
/// analyzers are built against (<see cref="EngineFailureTests.The_tests_run_on_the_Roslyn_the_analyzers_are_built_against"/>).
/// </remarks>
public class FuzzTests
{
    private const int Seed = 20_07;

    private static readonly Regex Markup = new(@"\{\|(#\d+|[A-Za-z]+\d*):|\|\}|\[\||\|\]", RegexOptions.Compiled);

    private readonly ITestOutputHelper _output;

    static FuzzTests() => PairingAnalyzer.ThrowOnEngineFailure = true;

    public FuzzTests(ITestOutputHelper output) => _output = output;

    /// <summary>One corpus file: its name, its text, and whether it declares the annotations through <see cref="Verify.FakeApi"/>.</summary>
    private sealed record Sample(string Name, string Text, bool WithFakeApi);

    [Fact]
    public async Task Broken_corpus_code_never_makes_the_analyzers_throw()
    {
        var corpus = Corpus();
        Assert.True(corpus.Count >= 200, $"corpus of {corpus.Count} files");
        var seconds = Setting("VMAP_FUZZ_SECONDS", 35);
        var maxCases = Setting("VMAP_FUZZ_CASES", 100_000);
        var fakeApi = CSharpSyntaxTree.ParseText(Verify.FakeApi, Options, path: "FakeApi.cs");
        var clock = Stopwatch.StartNew();
        var cases = 0;
        var compilerFailures = new List<string>();
        while (cases < maxCases && clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var random = new Random(Seed + (cases * 7919));
            var sample = corpus[random.Next(corpus.Count)];
            var (text, steps) = Mutate(sample.Text, random);
            var tree = CSharpSyntaxTree.ParseText(text, Options, path: sample.Name);
            var result = sample.WithFakeApi
                ? await Analysis.Run(new[] { tree, fakeApi }, Analysis.PlatformReferences)
                : await Analysis.Run(new[] { tree });
            if (result.Thrown.Count > 0 || result.Skipped.Any(s => s.Kind == EngineFailureKind.Engine))
            {
                var path = Path.Combine(Path.GetTempPath(), $"vmap-fuzz-{Seed}-{cases}.cs");
                File.WriteAllText(path, text);
                Assert.Fail($"Case {cases} ({sample.Name}: {steps}), source in {path}:{Environment.NewLine}" +
                    string.Join(Environment.NewLine, result.Thrown.Concat(result.Skipped.Select(s => s.Exception))));
            }

            compilerFailures.AddRange(result.Skipped.Select(s => $"case {cases} ({sample.Name}: {steps}): {s.Owner?.ToDisplayString()}: {s.Exception.InnerException?.Message}"));
            cases++;
        }

        _output.WriteLine($"{cases} cases in {clock.Elapsed.TotalSeconds:F1} s over {corpus.Count} files; {compilerFailures.Count} methods skipped for the compiler's own failure");
        foreach (var failure in compilerFailures)
        {
            _output.WriteLine(failure);
        }

        // A run that did nothing proves nothing, however busy the machine.
        Assert.True(cases >= 40, $"only {cases} cases in {seconds} s");
    }

    [Fact]
    public void Mutations_cut_delete_and_duplicate()
    {
        const string Text = "class C { void M() { int a = 1; a++; } }";
        var seen = new HashSet<string>();
        for (var i = 0; i < 200; i++)
        {
            var (mutated, steps) = Mutate(Text, new Random(i));
            Assert.NotEqual(Text, mutated);
            foreach (var step in steps.Split(", "))
            {
                seen.Add(step.Split(' ')[0]);
            }
        }

        Assert.Equal(new[] { "cut", "delete", "duplicate", "insert", "truncate" }, seen.Order(StringComparer.Ordinal));
    }

    private static readonly CSharpParseOptions Options = new(LanguageVersion.Latest);

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : fallback;

    /// <summary>One to three edits of the kinds a file goes through while it is typed.</summary>
    private static (string Text, string Steps) Mutate(string text, Random random)
    {
        var steps = new List<string>();
        var count = 1 + random.Next(3);
        for (var i = 0; i < count; i++)
        {
            var root = CSharpSyntaxTree.ParseText(text, Options).GetRoot();
            var tokens = root.DescendantTokens().Where(t => t.Span.Length > 0).ToList();
            if (tokens.Count == 0)
            {
                break;
            }

            switch (random.Next(5))
            {
                case 0:
                    {
                        // Truncated mid-statement, as a file is while it is written top to bottom.
                        var at = random.Next(text.Length);
                        text = text[..at];
                        steps.Add($"truncate at {at}");
                        break;
                    }

                case 1:
                    {
                        // A slice cut out: half a statement, a closing brace, the head of a loop.
                        var at = random.Next(text.Length);
                        var length = Math.Min(text.Length - at, 1 + random.Next(120));
                        text = text.Remove(at, length);
                        steps.Add($"cut {at}+{length}");
                        break;
                    }

                case 2:
                    {
                        var deleted = 1 + random.Next(3);
                        var builder = new StringBuilder(text);
                        foreach (var token in Enumerable.Range(0, deleted).Select(_ => tokens[random.Next(tokens.Count)]).Distinct().OrderByDescending(t => t.SpanStart))
                        {
                            builder.Remove(token.SpanStart, token.Span.Length);
                        }

                        text = builder.ToString();
                        steps.Add($"delete {deleted} tokens");
                        break;
                    }

                case 3:
                    {
                        // A statement, block or member pasted twice: duplicate locals, a second
                        // release, a second declaration of the same method.
                        var nodes = root.DescendantNodes().Where(n => n is StatementSyntax or MemberDeclarationSyntax or SwitchSectionSyntax or CatchClauseSyntax).ToList();
                        if (nodes.Count == 0)
                        {
                            goto case 2;
                        }

                        var node = nodes[random.Next(nodes.Count)];
                        text = text.Insert(node.FullSpan.End, node.ToFullString());
                        steps.Add($"duplicate {node.Kind()} at {node.SpanStart}");
                        break;
                    }

                default:
                    {
                        // A token of the file typed at another place.
                        var token = tokens[random.Next(tokens.Count)];
                        var at = tokens[random.Next(tokens.Count)].SpanStart;
                        text = text.Insert(at, token.Text + " ");
                        steps.Add($"insert '{token.Text}' at {at}");
                        break;
                    }
            }
        }

        return (text, string.Join(", ", steps));
    }

    /// <summary>
    /// The ValidCode corpora (copied next to the tests), the samples and the sources of the rule
    /// and robustness tests (their raw string literals, markup removed), read from the repository.
    /// </summary>
    private static List<Sample> Corpus()
    {
        var validCode = Path.Combine(AppContext.BaseDirectory, "ValidCode");
        var samples = Directory.GetFiles(validCode, "*.cs", SearchOption.AllDirectories)
            .Select(path => new Sample(Path.GetRelativePath(validCode, path), File.ReadAllText(path), WithFakeApi: false))
            .ToList();
        var repository = new DirectoryInfo(AppContext.BaseDirectory);
        while (repository is not null && !File.Exists(Path.Combine(repository.FullName, "VmapAnalyzers.sln")))
        {
            repository = repository.Parent;
        }

        Assert.NotNull(repository);
        samples.AddRange(Directory.GetFiles(Path.Combine(repository.FullName, "samples"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) &&
                !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => new Sample(Path.GetRelativePath(repository.FullName, path), File.ReadAllText(path), WithFakeApi: false)));
        foreach (var folder in new[] { "Rules", "BuiltIn", "Robustness" })
        {
            foreach (var path in Directory.GetFiles(Path.Combine(repository.FullName, "tests", "Vmap.Analyzers.Tests", folder), "*.cs"))
            {
                var literals = CSharpSyntaxTree.ParseText(File.ReadAllText(path)).GetRoot().DescendantTokens()
                    .Where(t => t.IsKind(SyntaxKind.MultiLineRawStringLiteralToken) && t.ValueText.Contains("class ", StringComparison.Ordinal));
                var index = 0;
                foreach (var literal in literals)
                {
                    samples.Add(new Sample($"{Path.GetFileNameWithoutExtension(path)}#{index++}.cs", Markup.Replace(literal.ValueText, string.Empty), WithFakeApi: true));
                }
            }
        }

        return samples;
    }
}
