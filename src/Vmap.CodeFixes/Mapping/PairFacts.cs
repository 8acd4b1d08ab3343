using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Vmap.Analyzers.Pairing;

namespace Vmap.CodeFixes.Mapping;

/// <summary>An acquire: its family, the parameter that carries the count, and the <c>out</c> parameter that receives the block (null when the return value does).</summary>
internal sealed record MapsAnnotation(string Family, IParameterSymbol? CountParameter, IParameterSymbol? OutParameter);

/// <summary>A release: its family, the parameter that takes the block (null when the receiver is released, as by <c>GCHandle.Free()</c>) and its count parameter.</summary>
internal sealed record UnmapsAnnotation(string Family, IParameterSymbol? AddressParameter, IParameterSymbol? CountParameter)
{
    /// <summary>The call releases its receiver (<c>handle.Free()</c>) rather than an argument.</summary>
    public bool ReleasesReceiver => AddressParameter is null;
}

/// <summary>
/// The analyzers' own pair table (attributes, .editorconfig pairs, .NET's built-in pairs), read
/// the way the diagnostic was produced, so a fix acts on every pair the rules report. The table
/// of a compilation is made once from the project's options (<see cref="Use"/>) and kept only as
/// long as the compilation lives.
/// </summary>
internal static class PairFacts
{
    private static readonly ConditionalWeakTable<Compilation, Holder> s_tables = new();

    /// <summary>Makes the table of <paramref name="compilation"/> with the project's .editorconfig pairs.</summary>
    public static void Use(Compilation compilation, AnalyzerOptions options, CancellationToken cancellationToken)
        => s_tables.GetValue(compilation, c => new Holder(PairingContext.TryCreate(c, options, cancellationToken)?.Pairs));

    public static MapsAnnotation? GetMaps(Compilation compilation, IMethodSymbol method)
    {
        method = method.OriginalDefinition;
        if (Table(compilation)?.Get(method) is not { Maps: { Length: 1 } maps } || maps[0].PerReceiver)
        {
            return null;
        }

        var map = maps[0];
        return new MapsAnnotation(map.Family, Parameter(method, map.CountOrdinal), Parameter(method, map.OutOrdinal));
    }

    public static UnmapsAnnotation? GetUnmaps(Compilation compilation, IMethodSymbol method)
    {
        method = method.OriginalDefinition;
        if (Table(compilation)?.Get(method) is not { Unmaps: { Length: 1 } unmaps } || unmaps[0].PerReceiver)
        {
            return null;
        }

        var unmap = unmaps[0];
        if (unmap.Ordinal == UnmapSpec.Receiver)
        {
            return method.IsStatic ? null : new UnmapsAnnotation(unmap.Family, null, Parameter(method, unmap.CountOrdinal));
        }

        return unmap.Ordinal < method.Parameters.Length
            ? new UnmapsAnnotation(unmap.Family, method.Parameters[unmap.Ordinal], Parameter(method, unmap.CountOrdinal))
            : null;
    }

    /// <summary>A release that acquires nothing (<c>FreeHGlobal</c>, not <c>ReAllocHGlobal</c>).</summary>
    public static bool IsPureRelease(Compilation compilation, IMethodSymbol method)
        => Table(compilation)?.Get(method.OriginalDefinition) is { Maps.IsEmpty: true, Unmaps.Length: 1 } && GetUnmaps(compilation, method) is not null;

    /// <summary>A type whose other methods use a block without taking it over (the allocator itself, <c>Marshal</c>, <c>NativeMemory</c>).</summary>
    public static bool IsApiOwner(Compilation compilation, ITypeSymbol? type)
        => type is INamedTypeSymbol named && Table(compilation)?.IsApiOwner(named) == true;

    private static PairTable? Table(Compilation compilation)
        => s_tables.GetValue(compilation, c => new Holder(PairingContext.TryCreate(c, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), CancellationToken.None)?.Pairs)).Pairs;

    private static IParameterSymbol? Parameter(IMethodSymbol method, int? ordinal)
        => ordinal is { } i && i >= 0 && i < method.Parameters.Length ? method.Parameters[i] : null;

    private sealed class Holder
    {
        public Holder(PairTable? pairs) => Pairs = pairs;

        public PairTable? Pairs { get; }
    }
}
