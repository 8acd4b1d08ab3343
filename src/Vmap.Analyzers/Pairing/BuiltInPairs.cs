using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// The acquire/release pairs of .NET's own native-memory APIs, known without annotations. Each
/// family's defaults are the ones its users expect (docs/configuration.md): a lost HGlobal,
/// CoTaskMem, BSTR, NativeMemory block or GCHandle leaks for the life of the process, so VMAP002
/// applies; a rented array that is never returned is only a missed reuse (the GC collects it),
/// so it does not.
/// </summary>
internal static class BuiltInPairs
{
    public const string HGlobal = "hglobal";
    public const string CoTaskMem = "cotaskmem";
    public const string Bstr = "bstr";
    public const string NativeMemory = "native-memory";
    public const string AlignedNativeMemory = "native-memory-aligned";
    public const string ArrayPool = "array-pool";
    public const string GCHandle = "gchandle";

    private const string InteropNamespace = "System.Runtime.InteropServices";

    /// <summary>The names of .NET's own acquires (a re-allocation both releases and acquires).</summary>
    private static readonly ImmutableHashSet<string> DotNetAcquireNames = ImmutableHashSet.Create(
        "AllocHGlobal", "ReAllocHGlobal", "StringToHGlobalAnsi", "StringToHGlobalUni", "StringToHGlobalAuto",
        "AllocCoTaskMem", "ReAllocCoTaskMem", "StringToCoTaskMemAnsi", "StringToCoTaskMemUni", "StringToCoTaskMemAuto", "StringToCoTaskMemUTF8",
        "StringToBSTR",
        "Alloc", "AllocZeroed", "Realloc", "AlignedAlloc", "AlignedRealloc",
        "Rent");

    private static readonly ImmutableHashSet<string> DotNetNames = DotNetAcquireNames.Union(new[]
    {
        "FreeHGlobal", "FreeCoTaskMem", "FreeBSTR", "Free", "AlignedFree", "Return",
    });

    /// <summary>The names of the table's acquires, .NET's and the operating system's (<see cref="OsPairs"/>).</summary>
    public static readonly ImmutableHashSet<string> AcquireNames = DotNetAcquireNames.Union(OsPairs.AcquireNames);

    /// <summary>
    /// Every method name the table knows: a call by any other name is never a built-in pair, except
    /// a P/Invoke renamed by its <c>EntryPoint</c> (<see cref="OsPairs.RenamedEntryPoints"/>).
    /// </summary>
    public static readonly ImmutableHashSet<string> MethodNames = DotNetNames.Union(OsPairs.MethodNames);

    /// <summary>True for the name of one of .NET's own pair methods (not the operating system's).</summary>
    public static bool IsDotNetName(string name) => DotNetNames.Contains(name);

    /// <summary>
    /// The types that declare .NET's pair methods, by simple name: a static call qualified by any
    /// other name (or an alias of none of them) is none of .NET's pair methods.
    /// </summary>
    public static readonly ImmutableHashSet<string> ApiTypeNames = ImmutableHashSet.Create("Marshal", "NativeMemory", "GCHandle", "ArrayPool");

    /// <summary>
    /// .NET's pair methods that are called on an instance (<c>GCHandle.Free</c>, <c>ArrayPool.Rent</c>
    /// and <c>Return</c>): any receiver of the type may be one, and a call without a receiver inside
    /// a pool derived from <c>ArrayPool&lt;T&gt;</c>. Every other .NET pair method is static.
    /// </summary>
    public static readonly ImmutableHashSet<string> InstanceMethodNames = ImmutableHashSet.Create("Free", "Rent", "Return");

    /// <summary>True when <paramref name="type"/> is or derives from a type named <c>ArrayPool&lt;T&gt;</c>, whose own methods may then be pair methods.</summary>
    public static bool MayInheritPairMethods(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (t is { Name: "ArrayPool", Arity: 1 })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The pair description of a built-in API, or null when <paramref name="method"/> is none.</summary>
    public static MethodAnnotation? Resolve(IMethodSymbol method)
    {
        if (!DotNetNames.Contains(method.Name))
        {
            return OsPairs.Resolve(method);
        }

        var type = method.ContainingType;
        if (IsType(type, InteropNamespace, "Marshal"))
        {
            return Marshal(method);
        }

        if (IsType(type, InteropNamespace, "NativeMemory"))
        {
            return NativeMemoryPair(method);
        }

        if (IsType(type, InteropNamespace, "GCHandle"))
        {
            return method.Name switch
            {
                "Alloc" when method.IsStatic => new MethodAnnotation(
                    ImmutableArray.Create(new MapSpec(GCHandle, null, null, IsTry: false, ActsOnArgument: true)), ImmutableArray<UnmapSpec>.Empty),
                "Free" when !method.IsStatic => new MethodAnnotation(
                    ImmutableArray<MapSpec>.Empty,
                    ImmutableArray.Create(new UnmapSpec(GCHandle, UnmapSpec.Receiver, null))),
                _ => null,
            };
        }

        if (method.Name is "Rent" or "Return" && IsArrayPool(method))
        {
            return method.Name == "Rent"
                ? new MethodAnnotation(ImmutableArray.Create(new MapSpec(ArrayPool, null, null, IsTry: false, ReportsLoss: false, PerReceiver: true)), ImmutableArray<UnmapSpec>.Empty)
                : new MethodAnnotation(ImmutableArray<MapSpec>.Empty, ImmutableArray.Create(new UnmapSpec(ArrayPool, 0, null, PerReceiver: true)));
        }

        return null;
    }

    /// <summary>
    /// Types whose other methods use a block without taking it over (<c>Marshal.Copy</c>,
    /// <c>NativeMemory.Clear</c>). GCHandle is not one: <c>GCHandle.ToIntPtr</c> hands the handle on.
    /// </summary>
    public static bool IsApiOwner(INamedTypeSymbol type) =>
        IsType(type, InteropNamespace, "Marshal") || IsType(type, InteropNamespace, "NativeMemory");

    private static MethodAnnotation? Marshal(IMethodSymbol method) => method.Name switch
    {
        "AllocHGlobal" or "StringToHGlobalAnsi" or "StringToHGlobalUni" or "StringToHGlobalAuto" => Acquire(HGlobal),
        "ReAllocHGlobal" => Reallocate(HGlobal),
        "FreeHGlobal" => Release(HGlobal),
        "AllocCoTaskMem" or "StringToCoTaskMemAnsi" or "StringToCoTaskMemUni" or "StringToCoTaskMemAuto" or "StringToCoTaskMemUTF8" => Acquire(CoTaskMem),
        "ReAllocCoTaskMem" => Reallocate(CoTaskMem),
        "FreeCoTaskMem" => Release(CoTaskMem),
        "StringToBSTR" => Acquire(Bstr),
        "FreeBSTR" => Release(Bstr),
        _ => null,
    };

    private static MethodAnnotation? NativeMemoryPair(IMethodSymbol method) => method.Name switch
    {
        "Alloc" or "AllocZeroed" => Acquire(NativeMemory),
        "Realloc" => Reallocate(NativeMemory),
        "Free" => Release(NativeMemory),
        "AlignedAlloc" => Acquire(AlignedNativeMemory),
        "AlignedRealloc" => Reallocate(AlignedNativeMemory),
        "AlignedFree" => Release(AlignedNativeMemory),
        _ => null,
    };

    private static MethodAnnotation Acquire(string family) =>
        new(ImmutableArray.Create(new MapSpec(family, null, null, IsTry: false)), ImmutableArray<UnmapSpec>.Empty);

    private static MethodAnnotation Release(string family) =>
        new(ImmutableArray<MapSpec>.Empty, ImmutableArray.Create(new UnmapSpec(family, 0, null)));

    /// <summary>A realloc releases its first argument and returns a new block of the same family (these throw instead of returning null on failure).</summary>
    private static MethodAnnotation Reallocate(string family) =>
        new(ImmutableArray.Create(new MapSpec(family, null, null, IsTry: false)), ImmutableArray.Create(new UnmapSpec(family, 0, null)));

    /// <summary><c>ArrayPool&lt;T&gt;.Rent/Return</c>, or an override of them in a pool of one's own.</summary>
    private static bool IsArrayPool(IMethodSymbol method)
    {
        for (IMethodSymbol? m = method; m is not null; m = m.OverriddenMethod)
        {
            if (m.ContainingType is { Name: "ArrayPool", Arity: 1 } pool && IsNamespace(pool.ContainingNamespace, "System.Buffers"))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsType(INamedTypeSymbol? type, string ns, string name) =>
        type is { ContainingType: null, Arity: 0 } && type.Name == name && IsNamespace(type.ContainingNamespace, ns);

    private static bool IsNamespace(INamespaceSymbol? symbol, string dotted)
    {
        var parts = dotted.Split('.');
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            if (symbol is null || symbol.Name != parts[i])
            {
                return false;
            }

            symbol = symbol.ContainingNamespace;
        }

        return symbol is { IsGlobalNamespace: true };
    }

    /// <summary>True when the compilation can call any built-in pair API at all.</summary>
    public static bool AnyReferenced(Compilation compilation) =>
        compilation.GetTypeByMetadataName(InteropNamespace + ".Marshal") is not null ||
        compilation.GetTypeByMetadataName(InteropNamespace + ".NativeMemory") is not null ||
        compilation.GetTypeByMetadataName(InteropNamespace + ".GCHandle") is not null ||
        compilation.GetTypeByMetadataName("System.Buffers.ArrayPool`1") is not null;
}
