using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Vmap.Editor.Tests;

/// <summary>
/// A real language server (csharp-ls, Roslyn-based, the server of several editors' C# plugins)
/// driven over stdio as an editor drives it: the sample's VMAP warnings arrive for the open file,
/// at their exact ranges, and a bug typed into the buffer is reported without a build. The server
/// offers no VMAP code fix (it only instantiates Roslyn's own fix providers), so none is asserted.
/// </summary>
[Collection(SampleProjectCollection.Name)]
public sealed class CsharpLsTests(SampleProject sample, ITestOutputHelper output)
{
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(150);

    [CsharpLsFact]
    public async Task Publishes_the_sample_warnings_on_open_and_a_new_bug_after_an_edit()
    {
        using var timeout = new CancellationTokenSource(s_budget);
        await using var client = LspClient.Start(CsharpLs.Executable!, sample.Folder, Answer);
        try
        {
            await RunAsync(client, timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            Assert.Fail($"csharp-ls did not publish the expected diagnostics within {s_budget.TotalSeconds:0} s:\n{client.Transcript}");
        }
    }

    private async Task RunAsync(LspClient client, CancellationToken cancellationToken)
    {
        var rootUri = new Uri(sample.Folder + Path.DirectorySeparatorChar).AbsoluteUri;
        var started = DateTime.UtcNow;
        await client.RequestAsync(
            "initialize",
            new JsonObject
            {
                ["processId"] = Environment.ProcessId,
                ["rootUri"] = rootUri,
                ["workspaceFolders"] = new JsonArray(new JsonObject { ["uri"] = rootUri, ["name"] = "BufferCache" }),
                ["capabilities"] = new JsonObject
                {
                    ["workspace"] = new JsonObject { ["configuration"] = true, ["workspaceFolders"] = true },
                    ["window"] = new JsonObject { ["workDoneProgress"] = true },
                    ["textDocument"] = new JsonObject
                    {
                        ["publishDiagnostics"] = new JsonObject { ["relatedInformation"] = true },
                        ["synchronization"] = new JsonObject { ["didSave"] = true, ["dynamicRegistration"] = true },
                    },
                },
            },
            cancellationToken);
        await client.NotifyAsync("initialized", new JsonObject(), cancellationToken);

        var uri = new Uri(sample.PathOf(SampleProject.HazardousFile)).AbsoluteUri;
        var text = sample.Read(SampleProject.HazardousFile);
        var opened = DateTime.UtcNow;
        await client.NotifyAsync(
            "textDocument/didOpen",
            new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = uri, ["languageId"] = "csharp", ["version"] = 1, ["text"] = text } },
            cancellationToken);

        // The split write's re-pointing (VMAP001, and VMAP002 for the mapping it loses) and recovery's count (VMAP005).
        string[] expected =
        [
            Expect(RuleIds.VMAP001, text, "bp.Addr = addr;", "bp.Addr = addr"),
            Expect(RuleIds.VMAP002, text, "bp.Addr = addr;", "bp.Addr = addr"),
            Expect(RuleIds.VMAP005, text, "Space.UnmapRam(addr, Xlog.LogPages);", "Xlog.LogPages"),
        ];
        var (atOpen, onOpen) = await WaitForAsync(client, uri, opened, expected.Length, cancellationToken);
        Assert.Equal(expected, onOpen);

        // A new method that maps and forgets, typed into the open buffer and never saved.
        var edited = text[..text.LastIndexOf('}')]
            + "\n    public void MapAndForget(Page[] pages)\n    {\n        nint leaked = Space.MapRam(pages);\n    }\n}\n";
        var changed = DateTime.UtcNow;
        await client.NotifyAsync(
            "textDocument/didChange",
            new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = uri, ["version"] = 2 },
                ["contentChanges"] = new JsonArray(new JsonObject { ["text"] = edited }),
            },
            cancellationToken);
        string[] afterEdit =
        [
            .. expected,
            Expect(RuleIds.VMAP002, edited, "nint leaked = Space.MapRam(pages);", "Space.MapRam(pages)"),
        ];
        var (atEdit, onEdit) = await WaitForAsync(client, uri, changed, afterEdit.Length, cancellationToken);
        Assert.Equal(afterEdit.Order(StringComparer.Ordinal), onEdit.Order(StringComparer.Ordinal));

        output.WriteLine($"csharp-ls {CsharpLs.Version}: VMAP diagnostics {(atOpen - opened).TotalSeconds:0.0} s after didOpen "
            + $"({(atOpen - started).TotalSeconds:0.0} s after initialize, project load included); "
            + $"the new bug {(atEdit - changed).TotalSeconds:0.0} s after didChange");
    }

    /// <summary>
    /// The server's own requests. csharp-ls runs analyzers only when section 'csharp' answers
    /// analyzersEnabled; progress tokens and capability registrations just need an answer.
    /// </summary>
    private static JsonNode? Answer(string method, JsonNode? parameters) => method switch
    {
        "workspace/configuration" => new JsonArray((parameters?["items"]?.AsArray() ?? new JsonArray())
            .Select(item => (string?)item?["section"] == "csharp" ? (JsonNode)new JsonObject { ["analyzersEnabled"] = true } : null)
            .ToArray()),
        _ => null,
    };

    /// <summary>The first publication for <paramref name="uri"/> after <paramref name="since"/> with at least <paramref name="count"/> VMAP diagnostics.</summary>
    private static async Task<(DateTime At, string[] Vmap)> WaitForAsync(LspClient client, string uri, DateTime since, int count, CancellationToken cancellationToken)
    {
        var signal = new SemaphoreSlim(0);
        void OnPublished() => signal.Release();
        client.PublishedDiagnostics += OnPublished;
        try
        {
            while (true)
            {
                foreach (var (at, parameters) in client.Published)
                {
                    if (at < since || (string?)parameters["uri"] != uri)
                    {
                        continue;
                    }

                    var vmap = Vmap(parameters);
                    if (vmap.Length >= count)
                    {
                        return (at, vmap);
                    }
                }

                await signal.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            client.PublishedDiagnostics -= OnPublished;
        }
    }

    private static string[] Vmap(JsonNode parameters) =>
        (parameters["diagnostics"]?.AsArray() ?? new JsonArray())
            .Where(d => ((string?)d?["code"])?.StartsWith("VMAP", StringComparison.Ordinal) == true)
            .Select(d => Format((string)d!["code"]!, d["range"]!))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>"ID line:character-line:character" (0-based, as LSP counts) of <paramref name="flagged"/> inside the one line containing <paramref name="lineText"/>.</summary>
    private static string Expect(string id, string text, string lineText, string flagged)
    {
        var lines = text.Split('\n');
        var line = Assert.Single(Enumerable.Range(0, lines.Length), i => lines[i].Contains(lineText, StringComparison.Ordinal));
        var character = lines[line].IndexOf(flagged, StringComparison.Ordinal);
        return $"{id} {line}:{character}-{line}:{character + flagged.Length}";
    }

    private static string Format(string code, JsonNode range) =>
        $"{code} {(int)range["start"]!["line"]!}:{(int)range["start"]!["character"]!}-{(int)range["end"]!["line"]!}:{(int)range["end"]!["character"]!}";
}
