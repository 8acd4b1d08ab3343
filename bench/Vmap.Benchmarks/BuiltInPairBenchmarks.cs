using System.Collections.Immutable;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Vmap.Analyzers;

namespace Vmap.Benchmarks;

/// <summary>
/// The pairing analyzer over a generated compilation with no annotation attribute, heavy in .NET's
/// own acquire/release APIs: 200 files, 1,200 methods, 2,800 acquire and 3,000 release calls of
/// Marshal (HGlobal, CoTaskMem), NativeMemory (plain and aligned), ArrayPool and GCHandle, in
/// loops, try/finally, stackalloc-or-rent and realloc growth; one deliberate double free per file,
/// so the setup checks that all 200 findings come out. Each benchmark starts from a fresh clone.
/// Target: <c>Analyze_BuiltIn</c> minus <c>Bind</c> well under <c>Emit</c>.
/// </summary>
[MemoryDiagnoser]
public class BuiltInPairBenchmarks
{
    private const int Files = 200;

    private CSharpCompilation _compilation = null!;

    [GlobalSetup]
    public void Setup()
    {
        var references = AnalyzerBenchmarks.PlatformReferences();
        var trees = Enumerable.Range(0, Files).Select(i => CSharpSyntaxTree.ParseText(File(i), path: $"File{i}.cs"));
        _compilation = CSharpCompilation.Create(
            "BuiltIn",
            trees,
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, optimizationLevel: OptimizationLevel.Release));

        var errors = _compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var findings = AnalyzerBenchmarks.Analyze(_compilation, new PairingAnalyzer());
        if (errors.Count > 0 || findings.Length != Files || findings.Any(d => d.Id != RuleIds.VMAP003))
        {
            throw new InvalidOperationException($"Generated code is off: {errors.Count} errors ({errors.FirstOrDefault()}), {findings.Length} findings ({string.Join(", ", findings.Select(d => d.Id).Distinct())}).");
        }
    }

    [Benchmark(Baseline = true)]
    public int Bind() => _compilation.Clone().GetDiagnostics().Length;

    [Benchmark]
    public long Emit()
    {
        using var stream = new MemoryStream();
        _compilation.Clone().Emit(stream);
        return stream.Length;
    }

    [Benchmark]
    public int Analyze_EmptyAnalyzer() => AnalyzerBenchmarks.Analyze(_compilation.Clone(), new AnalyzerBenchmarks.EmptyAnalyzer()).Length;

    [Benchmark]
    public int Analyze_ControlFlowGraphsOnly() => AnalyzerBenchmarks.Analyze(_compilation.Clone(), new AnalyzerBenchmarks.OperationBlockAnalyzer(buildGraph: true)).Length;

    [Benchmark]
    public int Analyze_BuiltIn() => AnalyzerBenchmarks.Analyze(_compilation.Clone(), new PairingAnalyzer()).Length;

    /// <summary>Six methods, 14 acquires, 15 releases; one double FreeHGlobal.</summary>
    private static string File(int n) => $$"""
        namespace Gen
        {
            using System;
            using System.Buffers;
            using System.IO;
            using System.Runtime.InteropServices;

            public static unsafe class Interop{{n.ToString(CultureInfo.InvariantCulture)}}
            {
                public static long Copy(Stream source, Stream destination)
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(81920);
                    try
                    {
                        long total = 0;
                        int read;
                        while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
                        {
                            destination.Write(buffer, 0, read);
                            total += read;
                        }

                        return total;
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }

                public static int Checksum(ReadOnlySpan<byte> input)
                {
                    byte[]? rented = null;
                    Span<byte> scratch = input.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(input.Length));
                    input.CopyTo(scratch);
                    var sum = 0;
                    foreach (var b in scratch.Slice(0, input.Length))
                    {
                        sum = (sum * 31) + b;
                    }

                    if (rented != null)
                    {
                        ArrayPool<byte>.Shared.Return(rented);
                    }

                    var chars = ArrayPool<char>.Shared.Rent(32);
                    sum += chars.Length;
                    ArrayPool<char>.Shared.Return(chars);
                    return sum;
                }

                public static byte[] Marshalled(string text, short[] values)
                {
                    var p = Marshal.StringToHGlobalUni(text);
                    var block = Marshal.AllocHGlobal(values.Length * sizeof(short));
                    try
                    {
                        Marshal.Copy(values, 0, block, values.Length);
                        var result = new byte[values.Length];
                        for (var i = 0; i < values.Length; i++)
                        {
                            result[i] = (byte)(Marshal.ReadInt16(block, i * sizeof(short)) + Marshal.ReadByte(p, i % 2));
                        }

                        return result;
                    }
                    finally
                    {
                        Marshal.FreeHGlobal(block);
                        Marshal.FreeHGlobal(p);
                    }
                }

                public static int Grow(int count)
                {
                    var capacity = 4;
                    var block = Marshal.AllocCoTaskMem(capacity * sizeof(int));
                    for (var i = 0; i < count; i++)
                    {
                        if (i == capacity)
                        {
                            capacity *= 2;
                            block = Marshal.ReAllocCoTaskMem(block, capacity * sizeof(int));
                        }

                        Marshal.WriteInt32(block, i * sizeof(int), i);
                    }

                    var last = count > 0 ? Marshal.ReadInt32(block, (count - 1) * sizeof(int)) : 0;
                    Marshal.FreeCoTaskMem(block);
                    var s = Marshal.StringToCoTaskMemUTF8(last.ToString());
                    Marshal.FreeCoTaskMem(s);
                    return last;
                }

                public static long Native(int n)
                {
                    long* values = (long*)NativeMemory.Alloc(8, sizeof(long));
                    values = (long*)NativeMemory.Realloc(values, (nuint)(n + 8) * sizeof(long));
                    void* aligned = NativeMemory.AlignedAlloc((nuint)n + 64, 64);
                    try
                    {
                        new Span<byte>(aligned, n + 64).Fill(1);
                        for (var i = 0; i < n; i++)
                        {
                            values[i] = ((byte*)aligned)[i] * i;
                        }

                        return n > 0 ? values[n - 1] : 0;
                    }
                    finally
                    {
                        NativeMemory.AlignedFree(aligned);
                        NativeMemory.Free(values);
                    }
                }

                public static long Pinned(byte[] data, object target)
                {
                    var handle = GCHandle.Alloc(data, GCHandleType.Pinned);
                    long address;
                    try
                    {
                        address = (long)handle.AddrOfPinnedObject();
                    }
                    finally
                    {
                        handle.Free();
                    }

                    var weak = GCHandle.Alloc(target, GCHandleType.Weak);
                    if (weak.IsAllocated)
                    {
                        weak.Free();
                    }

                    var bug = Marshal.AllocHGlobal(16);
                    Marshal.FreeHGlobal(bug);
                    Marshal.FreeHGlobal(bug);
                    return address;
                }
            }
        }
        """;
}
