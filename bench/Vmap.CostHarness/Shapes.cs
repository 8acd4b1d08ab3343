using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Vmap.Analyzers;

namespace Vmap.CostHarness;

/// <summary>
/// Issue 25 §3: generated methods whose cost could grow faster than their size. For each shape and
/// size, Vmap's code block actions are timed (the minimum of --runs runs, each on a fresh clone so
/// binding starts from nothing) next to the compiler's own GetDiagnostics on the same text, and the
/// ratio time(2N)/time(N) is printed. Every pair-dense shape ends in a seeded double free: "found"
/// says whether Vmap still reports it (a method given up by the step budget would not).
/// </summary>
internal static class Shapes
{
    private const string Header = "using System;\nusing System.Runtime.InteropServices;\n\n";

    private static readonly (string Name, int[] Sizes, Func<int, string> Source)[] All =
    {
        ("loops: N loops allocate / continue / free", new[] { 50, 100, 200, 400, 800, 1600, 3200 }, Loops),
        ("shared-if: N ifs sharing their conditions", new[] { 25, 50, 100, 200, 400, 800, 1600 }, SharedIfs),
        ("seq-if: N sequential ifs re-pointing one pointer", new[] { 100, 200, 400, 800, 1600, 3200, 6400 }, SequentialIfs),
        ("pointer-loops: one pointer through N loops", new[] { 100, 200, 400, 800, 1600, 3200, 6400 }, PointerLoops),
        ("gotos: irreducible, N labels", new[] { 4, 8, 16, 32, 64, 128, 256 }, Gotos),
        ("dispose-fields: N fields released in Dispose", new[] { 400, 800, 1600, 3200, 6400 }, DisposeFields),
        ("no-pair: N classes of ordinary code (19 lines per method)", new[] { 250, 500, 1000 }, n => Ordinary(n, namesakes: false)),
        ("namesakes: the same, methods named Alloc/Free/Rent/Return", new[] { 250, 500, 1000 }, n => Ordinary(n, namesakes: true)),
    };

    public static int Run(string[] argv)
    {
        var runs = 3;
        var maxSeconds = 20.0;
        string? only = null;
        for (int i = 0; i < argv.Length; i++)
        {
            string Value() => i + 1 < argv.Length ? argv[++i] : throw new HarnessException($"{argv[i]} needs a value");
            switch (argv[i])
            {
                case "--runs": runs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--max-seconds": maxSeconds = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--only": only = Value(); break;
                default: throw new HarnessException($"shapes: unknown option {argv[i]}");
            }
        }

        var directory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var references = new[] { typeof(object).Assembly.Location, Path.Combine(directory, "System.Runtime.dll"), Path.Combine(directory, "System.Runtime.InteropServices.dll") }
            .Select(p => MetadataReference.CreateFromFile(p)).ToList();
        Console.WriteLine($"shapes: min of {runs} runs, load average {Stats.LoadAverage()}, host Roslyn {typeof(Compilation).Assembly.GetName().Version}");
        Console.WriteLine($"{"shape",-58} {"N",6} {"lines",7} {"Vmap ms",9} {"x prev",7} {"CPU ms",8} {"x prev",7} {"compiler ms",11} {"Vmap/compiler",13} {"floor ms",9} {"Vmap MB",8} {"found",6}");
        foreach (var (name, sizes, source) in All.Where(s => only is null || s.Name.StartsWith(only, StringComparison.Ordinal)))
        {
            double previous = double.NaN, previousCpu = double.NaN;
            foreach (var n in sizes)
            {
                var text = source(n);
                var tree = CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Latest), path: "Shape.cs");
                var compilation = CSharpCompilation.Create("Shape", new[] { tree }, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
                var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                if (errors.Count > 0)
                {
                    throw new HarnessException($"shape {name} N={n} does not compile: {errors[0]}");
                }

                double vmapMs = double.MaxValue, cpuMs = double.MaxValue, compilerMs = double.MaxValue, floorMs = double.MaxValue, allocatedMb = double.MaxValue;
                var found = 0;
                for (int run = 0; run < runs; run++)
                {
                    var clock = Stopwatch.StartNew();
                    compilation.Clone().GetDiagnostics();
                    compilerMs = Math.Min(compilerMs, clock.Elapsed.TotalMilliseconds);

                    var floorClone = compilation.Clone();
                    floorClone.GetDiagnostics();
                    clock.Restart();
                    Floor(floorClone);
                    floorMs = Math.Min(floorMs, clock.Elapsed.TotalMilliseconds);

                    var times = new ConcurrentDictionary<string, MethodTime>();
                    var analyzers = new DiagnosticAnalyzer[] { new PairingAnalyzer(), new DisposeReleaseAnalyzer() }
                        .Select(a => (DiagnosticAnalyzer)new TimedAnalyzer(a, times)).ToImmutableArray();
                    var clone = compilation.Clone();
                    clone.GetDiagnostics();
                    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                    var diagnostics = clone.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
                    allocatedMb = Math.Min(allocatedMb, (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1048576.0);
                    vmapMs = Math.Min(vmapMs, times.Values.Sum(t => t.Ticks) * 1000.0 / Stopwatch.Frequency);
                    cpuMs = Math.Min(cpuMs, times.Values.Sum(t => t.CpuNanoseconds) / 1e6);
                    found = diagnostics.Count(d => d.Id == "VMAP003");
                }

                var lines = tree.GetText().Lines.Count;
                var seeded = text.Contains("// seeded", StringComparison.Ordinal);
                Console.WriteLine($"{name,-58} {n,6} {lines,7} {vmapMs,9:F1} {(double.IsNaN(previous) ? "" : (vmapMs / previous).ToString("F2", CultureInfo.InvariantCulture)),7} {cpuMs,8:F1} {(double.IsNaN(previousCpu) ? "" : (cpuMs / previousCpu).ToString("F2", CultureInfo.InvariantCulture)),7} {compilerMs,11:F1} {vmapMs / compilerMs,13:P1} {floorMs,9:F1} {allocatedMb,8:F1} {(seeded ? found > 0 ? "yes" : "NO" : "-"),6}");
                previous = vmapMs;
                previousCpu = cpuMs;
                if (vmapMs > maxSeconds * 1000)
                {
                    break;
                }
            }
        }

        return 0;
    }

    /// <summary>The floor: operation tree and control flow graph of every method body, nothing else.</summary>
    private static void Floor(Compilation compilation)
    {
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var body in tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.BaseMethodDeclarationSyntax>())
            {
                if (model.GetOperation(body) is Microsoft.CodeAnalysis.Operations.IMethodBodyBaseOperation operation)
                {
                    _ = operation is Microsoft.CodeAnalysis.Operations.IMethodBodyOperation method
                        ? Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph.Create(method)
                        : Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph.Create((Microsoft.CodeAnalysis.Operations.IConstructorBodyOperation)operation);
                }
            }
        }
    }

    private static string Method(string parameters, IEnumerable<string> body) =>
        Header + "public static class Shape\n{\n    public static void Run(" + parameters + ")\n    {\n" +
        string.Concat(body.Select(line => "        " + line + "\n")) +
        "        IntPtr seeded = Marshal.AllocHGlobal(8);\n        Marshal.FreeHGlobal(seeded);\n        Marshal.FreeHGlobal(seeded); // seeded double free\n    }\n}\n";

    private static string Loops(int n) => Method("int n", Enumerable.Range(0, n).SelectMany(k => new[]
    {
        $"for (int i{k} = 0; i{k} < n; i{k}++)",
        "{",
        $"    IntPtr p{k} = Marshal.AllocHGlobal(16);",
        $"    if (i{k} == 3) {{ Marshal.FreeHGlobal(p{k}); continue; }}",
        $"    Marshal.FreeHGlobal(p{k});",
        "}",
    }));

    private static string SharedIfs(int n) => Method("int x", Enumerable.Range(0, n).SelectMany(k => new[]
    {
        $"bool c{k} = x > {k};",
        $"IntPtr p{k} = IntPtr.Zero;",
        $"if (c{k}) {{ p{k} = Marshal.AllocHGlobal({k + 8}); }}",
    }).Concat(Enumerable.Range(0, n).Select(k => $"if (c{k}) {{ Marshal.FreeHGlobal(p{k}); }}")));

    private static string SequentialIfs(int n) => Method("int x", new[] { "IntPtr p = Marshal.AllocHGlobal(8);" }
        .Concat(Enumerable.Range(0, n).Select(k => $"if (x == {k}) {{ Marshal.FreeHGlobal(p); p = Marshal.AllocHGlobal({k + 8}); }}"))
        .Append("Marshal.FreeHGlobal(p);"));

    private static string PointerLoops(int n) => Method("int n", new[] { "IntPtr p = Marshal.AllocHGlobal(64);" }
        .Concat(Enumerable.Range(0, n).Select(k => $"for (int i{k} = 0; i{k} < n; i{k}++) {{ Marshal.WriteByte(p, i{k} % 64, {k % 256}); }}"))
        .Append("Marshal.FreeHGlobal(p);"));

    private static string Gotos(int labels) => Method("int x", new[]
        {
            "IntPtr p = Marshal.AllocHGlobal(8);",
            "int s = x;",
            "switch (s % " + labels + ") { " + string.Concat(Enumerable.Range(0, labels).Select(k => $"case {k}: goto L{k}; ")) + "}",
            "goto End;",
        }
        .Concat(Enumerable.Range(0, labels).Select(k =>
            $"L{k}: s = s * 3 + {k}; if (s > 100000) goto End; if ((s & 1) == 0) goto L{(k + 2) % labels}; goto L{(k + labels - 1) % labels};"))
        .Append("End: Marshal.FreeHGlobal(p);"));

    private static string DisposeFields(int n)
    {
        var text = new StringBuilder(Header).Append("public sealed class Holder : IDisposable\n{\n");
        for (int k = 0; k < n; k++)
        {
            text.Append($"    private IntPtr _f{k};\n");
        }

        text.Append("    public Holder()\n    {\n");
        for (int k = 0; k < n; k++)
        {
            text.Append($"        _f{k} = Marshal.AllocHGlobal({k + 8});\n");
        }

        text.Append("    }\n\n    public void Dispose()\n    {\n");
        for (int k = 0; k < n; k++)
        {
            text.Append($"        Marshal.FreeHGlobal(_f{k});\n        _f{k} = IntPtr.Zero;\n");
        }

        return text.Append("    }\n}\n").ToString();
    }

    /// <summary>
    /// Ordinary code, 4 methods of 19 lines per class and no pair call; with <paramref name="namesakes"/>
    /// every class also declares and calls its own Alloc/Free/Rent/Return (a pooling library's names,
    /// which are also NativeMemory's and ArrayPool's).
    /// </summary>
    private static string Ordinary(int classes, bool namesakes)
    {
        var text = new StringBuilder(Header).Append("using System.Collections.Generic;\n\n");
        for (int c = 0; c < classes; c++)
        {
            text.Append($"public sealed class Worker{c}\n{{\n    private readonly List<int> _items = new();\n    private int _next;\n\n");
            if (namesakes)
            {
                text.Append("    public int Alloc(int size) { _next += size; return _next; }\n");
                text.Append("    public void Free(int handle) { _items.Remove(handle); }\n");
                text.Append("    public int[] Rent(int size) => new int[size];\n");
                text.Append("    public void Return(int[] array) { _next -= array.Length; }\n\n");
            }

            for (int m = 0; m < 4; m++)
            {
                var acquire = namesakes ? "Alloc(k)" : "k * 2";
                var release = namesakes ? "Free(h);" : "_items.Add(h);";
                var rent = namesakes ? "Rent(4)" : "new int[4]";
                var giveBack = namesakes ? "Return(a);" : "_next -= a.Length;";
                text.Append($"    public int Step{m}(int n, string label)\n    {{\n");
                text.Append("        var total = 0;\n");
                text.Append("        for (int k = 0; k < n; k++)\n        {\n");
                text.Append($"            var h = {acquire};\n");
                text.Append("            if (h % 3 == 0) { total += h; }\n");
                text.Append("            else if (label.Length > k) { total -= label[k]; }\n");
                text.Append($"            {release}\n");
                text.Append("        }\n\n");
                text.Append($"        var a = {rent};\n");
                text.Append("        a[0] = total;\n");
                text.Append($"        {giveBack}\n");
                text.Append("        foreach (var item in _items) { total ^= item; }\n");
                text.Append("        switch (total % 4) { case 0: total++; break; case 1: total--; break; default: total *= 2; break; }\n");
                text.Append($"        return total + _next + {m};\n    }}\n\n");
            }

            text.Append("}\n\n");
        }

        return text.ToString();
    }
}
