using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vmap.Editor.Tests;

/// <summary>
/// The client half of the Language Server Protocol over a server's stdio, as an editor speaks it:
/// Content-Length framed JSON-RPC, requests with ids, notifications, and answers to the server's
/// own requests (a server that asks and gets no answer waits forever).
/// </summary>
internal sealed class LspClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode?>> _pending = new();
    private readonly Func<string, JsonNode?, JsonNode?> _answer;
    private readonly Task _reader;
    private readonly StringBuilder _log = new();
    private int _nextId;

    private LspClient(Process process, Func<string, JsonNode?, JsonNode?> answer)
    {
        _process = process;
        _answer = answer;
        _input = process.StandardInput.BaseStream;
        _reader = Task.Run(ReadLoop);
        _ = Task.Run(async () =>
        {
            string? line;
            while ((line = await process.StandardError.ReadLineAsync().ConfigureAwait(false)) is not null)
            {
                Log("stderr: " + line);
            }
        });
    }

    /// <summary>Every <c>textDocument/publishDiagnostics</c>, in arrival order, with the time it arrived.</summary>
    public ConcurrentQueue<(DateTime At, JsonNode Params)> Published { get; } = new();

    public event Action? PublishedDiagnostics;

    /// <summary>What was said (truncated), for a failure message.</summary>
    public string Transcript
    {
        get
        {
            lock (_log)
            {
                return _log.Length > 20_000 ? _log.ToString(_log.Length - 20_000, 20_000) : _log.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="executable"/> and answers its requests with <paramref name="answer"/> (method, params) → result.</summary>
    public static LspClient Start(string executable, string workingDirectory, Func<string, JsonNode?, JsonNode?> answer, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return new LspClient(Process.Start(start)!, answer);
    }

    public async Task<JsonNode?> RequestAsync(string method, JsonNode? parameters, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var response = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = response;
        await SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters }, cancellationToken).ConfigureAwait(false);
        using var registration = cancellationToken.Register(() => response.TrySetCanceled(cancellationToken));
        return await response.Task.ConfigureAwait(false);
    }

    public Task NotifyAsync(string method, JsonNode? parameters, CancellationToken cancellationToken)
        => SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await RequestAsync("shutdown", null, shutdown.Token).ConfigureAwait(false);
            await NotifyAsync("exit", null, shutdown.Token).ConfigureAwait(false);
            await _process.WaitForExitAsync(shutdown.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // A server that does not shut down in time is ended below.
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }

    private async Task SendAsync(JsonObject message, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(message.ToJsonString());
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        Log("-> " + Shorten(message.ToJsonString()));
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _input.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            await _input.WriteAsync(body, cancellationToken).ConfigureAwait(false);
            await _input.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoop()
    {
        var output = _process.StandardOutput.BaseStream;
        try
        {
            while (true)
            {
                var length = await ReadHeadersAsync(output).ConfigureAwait(false);
                if (length < 0)
                {
                    break;
                }

                var body = new byte[length];
                await output.ReadExactlyAsync(body).ConfigureAwait(false);
                var message = JsonNode.Parse(body)!;
                Log("<- " + Shorten(Encoding.UTF8.GetString(body)));
                await DispatchAsync(message).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or ObjectDisposedException or JsonException)
        {
            Log("reader stopped: " + e.Message);
        }

        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new IOException("the language server closed its output"));
        }
    }

    private async Task DispatchAsync(JsonNode message)
    {
        var method = (string?)message["method"];
        var id = message["id"];
        if (method is not null && id is not null)
        {
            // The server's own request: answer it, or it stalls.
            var result = _answer(method, message["params"]);
            await SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id.DeepClone(), ["result"] = result }, CancellationToken.None).ConfigureAwait(false);
        }
        else if (method is null && id is not null)
        {
            if (_pending.TryRemove((int)id, out var response))
            {
                if (message["error"] is { } error)
                {
                    response.TrySetException(new InvalidOperationException("LSP error: " + error.ToJsonString()));
                }
                else
                {
                    response.TrySetResult(message["result"]);
                }
            }
        }
        else if (method == "textDocument/publishDiagnostics" && message["params"] is { } parameters)
        {
            Published.Enqueue((DateTime.UtcNow, parameters));
            PublishedDiagnostics?.Invoke();
        }
    }

    /// <summary>The Content-Length of the next message; -1 at the end of the stream.</summary>
    private static async Task<int> ReadHeadersAsync(Stream stream)
    {
        var length = -1;
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one).ConfigureAwait(false) == 0)
            {
                return -1;
            }

            if (one[0] != '\n')
            {
                if (one[0] != '\r')
                {
                    line.Append((char)one[0]);
                }

                continue;
            }

            if (line.Length == 0)
            {
                return length;
            }

            var header = line.ToString();
            if (header.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(header["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }

            line.Clear();
        }
    }

    private void Log(string line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static string Shorten(string text) => text.Length > 600 ? text[..600] + "…" : text;
}
