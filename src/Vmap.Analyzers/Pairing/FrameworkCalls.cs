using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// What .NET's own libraries do with a block passed to them. They never take over a caller's
/// native block except through the pair APIs themselves: a pointer, <c>IntPtr</c>/<c>nint</c> or
/// span parameter of a method in the runtime's own assemblies borrows (reads, fills, copies).
/// The exceptions are the methods that write the value somewhere that outlives the call (a store,
/// as an assignment to a field is) or hand it to an owner; they are listed here and in
/// docs/configuration.md. Methods of any other assembly without source stay unknown (the block
/// may be adopted), however their namespace is spelled.
/// </summary>
internal static class FrameworkCalls
{
    /// <summary>
    /// The public key tokens the runtime's assemblies are signed with: ECMA (mscorlib, System.Runtime's
    /// facades), Microsoft (System.Runtime, System.Runtime.InteropServices ...), the .NET Foundation
    /// key of netstandard and the out-of-band System.* packages, and System.Private.CoreLib's.
    /// </summary>
    private static readonly HashSet<string> RuntimeKeyTokens = new()
    {
        "b77a5c561934e089",
        "b03f5f7f11d50a3a",
        "cc7b13ffcd2ddd51",
        "7cec85d7bea7798e",
    };

    /// <summary>
    /// Whether <paramref name="assembly"/> is one of the runtime's: signed with one of its keys
    /// and named as its assemblies are (System, System.*, mscorlib, netstandard, Microsoft.Win32.*,
    /// Microsoft.VisualBasic*). A third-party assembly named System.Something is not signed with
    /// those keys; one signed with them for another product (Microsoft.Extensions.* are not) is
    /// not named like that.
    /// </summary>
    public static bool IsFramework(IAssemblySymbol? assembly)
    {
        if (assembly is null)
        {
            return false;
        }

        var identity = assembly.Identity;
        var name = identity.Name;
        if (!(name is "mscorlib" or "netstandard" or "System" ||
              name.StartsWith("System.", System.StringComparison.Ordinal) ||
              name.StartsWith("Microsoft.Win32.", System.StringComparison.Ordinal) ||
              name.StartsWith("Microsoft.VisualBasic", System.StringComparison.Ordinal)))
        {
            return false;
        }

        var token = identity.PublicKeyToken;
        if (token.IsDefaultOrEmpty || token.Length != 8)
        {
            return false;
        }

        var hex = new char[16];
        for (var i = 0; i < 8; i++)
        {
            hex[2 * i] = HexDigit(token[i] >> 4);
            hex[(2 * i) + 1] = HexDigit(token[i] & 0xF);
        }

        return RuntimeKeyTokens.Contains(new string(hex));
    }

    /// <summary>
    /// Whether a framework method writes its argument <paramref name="ordinal"/> where it outlives
    /// the call, or hands it to an owner: the block is stored, no loss is claimed for it.
    /// </summary>
    public static bool Stores(IMethodSymbol method, int ordinal)
    {
        method = method.OriginalDefinition;
        if (ordinal < 0 || ordinal >= method.Parameters.Length || !IsFramework(method.ContainingAssembly))
        {
            return false;
        }

        var type = method.ContainingType;
        var parameter = method.Parameters[ordinal];
        if (IsType(type, "System.Runtime.InteropServices", "Marshal"))
        {
            // Marshal.WriteIntPtr(table, offset, val) puts val into memory freed later through the
            // table; StructureToPtr(structure, ptr, ...) does the same with the fields of structure.
            // The address written to (ptr) is only borrowed.
            return (method.Name.StartsWith("Write", System.StringComparison.Ordinal) && parameter.Name == "val") ||
                (method.Name == "StructureToPtr" && parameter.Name == "structure") ||
                method.Name == "InitHandle";
        }

        if (InheritsFrom(type, "System.Runtime.InteropServices", "SafeHandle") ||
            InheritsFrom(type, "System.Runtime.InteropServices", "CriticalHandle"))
        {
            // SetHandle(block): the handle now owns the block and releases it in ReleaseHandle.
            return true;
        }

        if ((IsType(type, "System.Reflection", "Pointer") && method.Name == "Box") ||
            (IsType(type, "System.Threading", "ThreadPool") && method.Name == "UnsafeQueueNativeOverlapped") ||
            (InheritsFrom(type, "System.IO", "UnmanagedMemoryStream") && method.Name == "Initialize"))
        {
            // A pointer boxed into an object, an overlapped handed to the I/O completion port, a
            // stream initialised over the block: each keeps the address after the call.
            return true;
        }

        // Interlocked.Exchange(ref location, value), CompareExchange, Volatile.Write: a method that
        // takes an address by reference writes the address values it is given into it.
        if (parameter.RefKind == RefKind.None && IsAddressOrSpan(parameter.Type))
        {
            foreach (var other in method.Parameters)
            {
                if (other.RefKind is RefKind.Ref or RefKind.Out && IsAddressOrSpan(other.Type))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a framework method only borrows a block passed as its argument <paramref name="ordinal"/>:
    /// the parameter, as declared (not as a generic type argument fills it: <c>List&lt;IntPtr&gt;.Add</c>
    /// keeps its item), is a pointer, <c>IntPtr</c>/<c>UIntPtr</c> or a span, and the method is not
    /// one of the <see cref="Stores"/> exceptions.
    /// </summary>
    public static bool Borrows(IMethodSymbol method, int ordinal)
    {
        var definition = method.OriginalDefinition;
        if (definition.MethodKind == MethodKind.ReducedExtension && definition.ReducedFrom is { } reduced)
        {
            definition = reduced.OriginalDefinition;
        }

        return ordinal >= 0 && ordinal < definition.Parameters.Length &&
            definition.Parameters[ordinal].RefKind is RefKind.None or RefKind.In &&
            (IsAddressOrSpan(definition.Parameters[ordinal].Type) || IsLookup(definition, ordinal)) &&
            IsFramework(definition.ContainingAssembly) &&
            !Stores(definition, ordinal);
    }

    /// <summary>
    /// A lookup in a .NET collection (<c>ContainsKey</c>, <c>ContainsValue</c>, <c>Contains</c>,
    /// <c>TryGetValue</c>, <c>IndexOf</c>, <c>LastIndexOf</c>): its first argument is compared with
    /// what the collection holds and kept nowhere, whatever type fills the generic parameter.
    /// </summary>
    private static bool IsLookup(IMethodSymbol definition, int ordinal) =>
        ordinal == 0 && !definition.IsStatic &&
        definition.Name is "ContainsKey" or "ContainsValue" or "Contains" or "TryGetValue" or "IndexOf" or "LastIndexOf" &&
        definition.ContainingType?.ContainingNamespace?.ToDisplayString() is { } ns &&
        (ns == "System.Collections" || ns.StartsWith("System.Collections.", System.StringComparison.Ordinal));

    private static bool IsAddressOrSpan(ITypeSymbol type) =>
        type is IPointerTypeSymbol or IFunctionPointerTypeSymbol ||
        type.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr ||
        (type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", Arity: 1 } span && IsType(span, "System", span.Name));

    private static bool InheritsFrom(INamedTypeSymbol? type, string ns, string name)
    {
        for (; type is not null; type = type.BaseType)
        {
            if (IsType(type, ns, name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsType(INamedTypeSymbol type, string ns, string name) =>
        type.Name == name && type.ContainingType is null && type.ContainingNamespace?.ToDisplayString() == ns;

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);
}
