using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// The operating system's own map/unmap calls (docs/configuration.md, the facts in the guide's
/// os-pairs.md): <c>mmap</c>/<c>munmap</c>, <c>VirtualAlloc</c>/<c>VirtualFree</c>,
/// <c>MapViewOfFile</c>/<c>UnmapViewOfFile</c>, as P/Invoke declarations of libc or kernel32
/// (by entry point and library) or the usual wrappers (by metadata name), and
/// <c>SafeBuffer.AcquirePointer</c>/<c>ReleasePointer</c>. A method that only shares a name
/// (a managed <c>mmap</c> helper, another library's export) is none of them.
/// </summary>
internal static class OsPairs
{
    public const string Mmap = "mmap";
    public const string VirtualAlloc = "virtual-alloc";
    public const string MapView = "map-view";
    public const string SafeBufferPointer = "safe-buffer-pointer";

    /// <summary><c>MEM_RELEASE</c>: the only <c>VirtualFree</c> type that frees the region (its size must be 0).</summary>
    public const long MemRelease = 0x8000;

    /// <summary><c>MEM_RESERVE</c>: a <c>VirtualAlloc</c> that reserves makes a region; a commit alone uses one.</summary>
    public const long MemReserve = 0x2000;

    /// <summary>
    /// <c>MEM_COALESCE_PLACEHOLDERS</c> and <c>MEM_PRESERVE_PLACEHOLDER</c>: a <c>MEM_RELEASE</c> free
    /// with either merges or splits placeholders, and releases nothing.
    /// </summary>
    public const long PlaceholderFlags = 0x1 | 0x2;

    /// <summary><c>MAP_FIXED</c> (Linux and macOS): an <c>mmap</c> that replaces pages at an address the caller already owns.</summary>
    public const long MapFixed = 0x10;

    /// <summary>What a failed acquire of a family returns.</summary>
    public enum Failure
    {
        /// <summary>The family has no failure value (it throws, or is not an OS family).</summary>
        None,

        /// <summary>NULL: <c>VirtualAlloc</c>, <c>MapViewOfFile</c>.</summary>
        Null,

        /// <summary>MAP_FAILED, <c>(void*)-1</c>: <c>mmap</c>, <c>mremap</c>.</summary>
        AllBitsSet,
    }

    private static readonly ImmutableHashSet<string> PosixNames = ImmutableHashSet.Create("mmap", "mmap64", "munmap", "mremap");

    private static readonly ImmutableHashSet<string> WindowsNames = ImmutableHashSet.Create(
        "VirtualAlloc", "VirtualAllocEx", "VirtualAlloc2", "VirtualFree", "VirtualFreeEx",
        "MapViewOfFile", "MapViewOfFileEx", "MapViewOfFile3", "UnmapViewOfFile", "UnmapViewOfFileEx", "UnmapViewOfFile2");

    /// <summary>The entry points (and wrapper names) this table knows.</summary>
    public static readonly ImmutableHashSet<string> EntryPoints = PosixNames.Union(WindowsNames);

    /// <summary>The names of the acquires among <see cref="MethodNames"/>.</summary>
    public static readonly ImmutableHashSet<string> AcquireNames = ImmutableHashSet.Create(
        "mmap", "mmap64", "mremap", "VirtualAlloc", "VirtualAllocEx", "VirtualAlloc2", "MapViewOfFile", "MapViewOfFileEx", "MapViewOfFile3", "AcquirePointer");

    /// <summary>Every method name this table knows (a P/Invoke renamed by its <c>EntryPoint</c> comes from <see cref="RenamedEntryPoints"/>).</summary>
    public static readonly ImmutableHashSet<string> MethodNames = EntryPoints.Union(new[] { "AcquirePointer", "ReleasePointer" });

    /// <summary>The failure value of a family's acquire.</summary>
    public static Failure FailureOf(string family) => family switch
    {
        Mmap => Failure.AllBitsSet,
        VirtualAlloc or MapView => Failure.Null,
        _ => Failure.None,
    };

    /// <summary>True for a family whose counts are bytes (the length of a mapping), not pages.</summary>
    public static bool CountsBytes(string family) => family is Mmap or VirtualAlloc;

    /// <summary>The pair description of an OS map/unmap call, or null when <paramref name="method"/> is none.</summary>
    public static MethodAnnotation? Resolve(IMethodSymbol method)
    {
        if (method.Name is "AcquirePointer" or "ReleasePointer")
        {
            return IsSafeBuffer(method.ContainingType) ? SafeBuffer(method) : null;
        }

        if (EntryPointOf(method) is not { } entryPoint || ReturnsSafeHandle(method))
        {
            // A map call declared to return a SafeHandle (the runtime's own MapViewOfFile) hands
            // the mapping to the handle, which unmaps it when released: nothing for the caller to pair.
            return null;
        }

        return entryPoint switch
        {
            "mmap" or "mmap64" when method.Parameters.Length >= 2 => Map(Mmap, 1),
            "munmap" when method.Parameters.Length >= 2 => Unmap(Mmap, 0, 1),
            "mremap" when method.Parameters.Length >= 3 => new MethodAnnotation(
                ImmutableArray.Create(new MapSpec(Mmap, null, 2, IsTry: false)),
                ImmutableArray.Create(new UnmapSpec(Mmap, 0, 1))),
            "VirtualAlloc" when method.Parameters.Length >= 2 => Map(VirtualAlloc, 1),
            "VirtualAllocEx" or "VirtualAlloc2" when method.Parameters.Length >= 3 => Map(VirtualAlloc, 2),
            "VirtualFree" when method.Parameters.Length >= 1 => Unmap(VirtualAlloc, 0, null),
            "VirtualFreeEx" when method.Parameters.Length >= 2 => Unmap(VirtualAlloc, 1, null),
            "MapViewOfFile" or "MapViewOfFileEx" or "MapViewOfFile3" => Map(MapView, null),
            "UnmapViewOfFile" or "UnmapViewOfFileEx" when method.Parameters.Length >= 1 => Unmap(MapView, 0, null),
            "UnmapViewOfFile2" when method.Parameters.Length >= 2 => Unmap(MapView, 1, null),
            _ => null,
        };
    }

    /// <summary>
    /// <c>VirtualFree(Ex)</c>'s size and type parameters, when <paramref name="method"/> is one:
    /// only a <c>MEM_RELEASE</c> free releases, and it must pass size 0.
    /// </summary>
    public static (int Size, int Type)? FreeParameters(IMethodSymbol method, string family)
    {
        if (family != VirtualAlloc)
        {
            return null;
        }

        var first = method.Name == "VirtualFreeEx" || EntryPointOf(method) == "VirtualFreeEx" ? 2 : 1;
        return method.Parameters.Length > first + 1 ? (first, first + 1) : null;
    }

    /// <summary>
    /// The address and type parameters of a <c>VirtualAlloc</c>-family acquire (a commit inside a
    /// reserved region is no new one), or <c>mmap</c>'s address and flags (a <c>MAP_FIXED</c> map at
    /// an address the caller owns replaces pages of a mapping it already has).
    /// </summary>
    public static (int Address, int Type, long NewRegionBit, bool BitMeansNew)? AllocParameters(IMethodSymbol method, string family)
    {
        var entry = EntryPointOf(method);
        if (family == Mmap && entry is "mmap" or "mmap64")
        {
            return method.Parameters.Length > 3 ? (0, 3, MapFixed, false) : null;
        }

        if (family == MapView)
        {
            // A view placed at an address: MapViewOfFileEx's base (argument 6), MapViewOfFile3's
            // (argument 3, and MEM_REPLACE_PLACEHOLDER in argument 6). Placed inside a region the
            // method holds, it replaces part of that region; no flag makes it new by itself.
            return entry switch
            {
                "MapViewOfFileEx" when method.Parameters.Length > 5 => (5, 5, 0, true),
                "MapViewOfFile3" when method.Parameters.Length > 5 => (2, 5, 0, true),
                _ => null,
            };
        }

        if (family != VirtualAlloc)
        {
            return null;
        }

        var address = entry == "VirtualAlloc" ? 0 : 1;
        var type = entry == "VirtualAlloc" ? 2 : 3;
        return method.Parameters.Length > type ? (address, type, MemReserve, true) : null;
    }

    /// <summary>
    /// The OS entry point <paramref name="method"/> calls: a libc or kernel32 P/Invoke's entry point,
    /// or the name of a known wrapper (CsWin32's <c>Windows.Win32.PInvoke</c>, Mono.Posix's
    /// <c>Mono.Unix.Native.Syscall</c>, <c>Tmds.Linux.LibC</c>); null for anything else.
    /// </summary>
    public static string? EntryPointOf(IMethodSymbol method)
    {
        if (!method.IsStatic)
        {
            return null;
        }

        if (method.GetDllImportData() is { } data)
        {
            var entry = data.EntryPointName ?? method.Name;
            if (IsKnown(entry, data.ModuleName))
            {
                return entry;
            }
        }

        foreach (var attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "LibraryImportAttribute" } type &&
                type.ContainingNamespace?.ToDisplayString() == "System.Runtime.InteropServices" &&
                attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string library)
            {
                var entry = method.Name;
                foreach (var named in attribute.NamedArguments)
                {
                    if (named.Key == "EntryPoint" && named.Value.Value is string given)
                    {
                        entry = given;
                    }
                }

                if (IsKnown(entry, library))
                {
                    return entry;
                }
            }
        }

        var owner = method.ContainingType?.ToDisplayString();
        return owner switch
        {
            "Windows.Win32.PInvoke" when WindowsNames.Contains(method.Name) => method.Name,
            "Mono.Unix.Native.Syscall" or "Tmds.Linux.LibC" when PosixNames.Contains(method.Name) => method.Name,
            _ => null,
        };
    }

    /// <summary>
    /// The source P/Invoke declarations whose method name differs from an OS entry point they name
    /// (<c>[DllImport("libc", EntryPoint = "mmap")] static extern IntPtr SysMmap(...)</c>): read from
    /// the syntax alone, so the per-call name filter admits them.
    /// </summary>
    public static IEnumerable<string> RenamedEntryPoints(Compilation compilation, System.Threading.CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tree in compilation.SyntaxTrees)
        {
            if (!tree.TryGetText(out var text))
            {
                text = tree.GetText(cancellationToken);
            }

            var source = text.ToString();
            if (source.IndexOf("EntryPoint", StringComparison.Ordinal) < 0)
            {
                continue;
            }

            foreach (var node in tree.GetRoot(cancellationToken).DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax))
            {
                if (node is MethodDeclarationSyntax declaration && NamesEntryPoint(declaration))
                {
                    found.Add(declaration.Identifier.ValueText);
                }
            }
        }

        return found;
    }

    private static bool NamesEntryPoint(MethodDeclarationSyntax declaration)
    {
        foreach (var list in declaration.AttributeLists)
        {
            foreach (var attribute in list.Attributes)
            {
                if (attribute.ArgumentList is null)
                {
                    continue;
                }

                foreach (var argument in attribute.ArgumentList.Arguments)
                {
                    if ((argument.NameEquals?.Name.Identifier.ValueText ?? argument.NameColon?.Name.Identifier.ValueText) == "EntryPoint" &&
                        argument.Expression is LiteralExpressionSyntax literal && literal.IsKind(SyntaxKind.StringLiteralExpression) &&
                        EntryPoints.Contains(literal.Token.ValueText))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="entry"/> is an OS map/unmap call exported by <paramref name="library"/>.</summary>
    private static bool IsKnown(string entry, string? library)
    {
        if (library is null)
        {
            return false;
        }

        var name = library.Trim().ToLowerInvariant();
        if (PosixNames.Contains(entry))
        {
            return name is "libc" or "libc.so" or "libc.so.6" or "c" or "libsystem" or "libsystem.dylib" or "libsystem.b.dylib" or "/usr/lib/libsystem.dylib";
        }

        if (WindowsNames.Contains(entry))
        {
            if (name.EndsWith(".dll", StringComparison.Ordinal))
            {
                name = name.Substring(0, name.Length - 4);
            }

            return name is "kernel32" or "kernelbase" || name.StartsWith("api-ms-win-core-memory-", StringComparison.Ordinal);
        }

        return false;
    }

    private static MethodAnnotation Map(string family, int? countOrdinal) =>
        new(ImmutableArray.Create(new MapSpec(family, null, countOrdinal, IsTry: false)), ImmutableArray<UnmapSpec>.Empty);

    private static MethodAnnotation Unmap(string family, int ordinal, int? countOrdinal) =>
        new(ImmutableArray<MapSpec>.Empty, ImmutableArray.Create(new UnmapSpec(family, ordinal, countOrdinal)));

    /// <summary>
    /// <c>AcquirePointer(ref p)</c> adds a reference to the receiver (the view's handle), which
    /// <c>ReleasePointer()</c> on the same receiver removes: the mapping is keyed by the receiver,
    /// as <c>GCHandle.Free()</c>'s is, and the pointer itself may be moved freely.
    /// </summary>
    private static MethodAnnotation? SafeBuffer(IMethodSymbol method) => method switch
    {
        { Name: "AcquirePointer", IsStatic: false, Parameters.Length: 1 } => new MethodAnnotation(
            ImmutableArray.Create(new MapSpec(SafeBufferPointer, UnmapSpec.Receiver, null, IsTry: false)),
            ImmutableArray<UnmapSpec>.Empty),
        { Name: "ReleasePointer", IsStatic: false, Parameters.Length: 0 } => new MethodAnnotation(
            ImmutableArray<MapSpec>.Empty,
            ImmutableArray.Create(new UnmapSpec(SafeBufferPointer, UnmapSpec.Receiver, null))),
        _ => null,
    };

    private static bool ReturnsSafeHandle(IMethodSymbol method)
    {
        for (var t = method.ReturnType as INamedTypeSymbol; t is not null; t = t.BaseType)
        {
            if (t.Name == "SafeHandle" && t.ContainingNamespace?.ToDisplayString() == "System.Runtime.InteropServices")
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSafeBuffer(INamedTypeSymbol? type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.Name == "SafeBuffer" && t.ContainingNamespace?.ToDisplayString() == "System.Runtime.InteropServices")
            {
                return true;
            }
        }

        return false;
    }
}
