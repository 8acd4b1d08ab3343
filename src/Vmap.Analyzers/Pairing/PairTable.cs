using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// The one place the engine asks "does this call acquire or release, of which family, through
/// which parameter, with which count". Three sources feed it, the first that knows a method wins:
/// the <c>[MapsMemory]</c>/<c>[UnmapsMemory]</c> attributes, pairs declared in .editorconfig
/// (so a user can change a built-in family's defaults), and the built-in table of .NET APIs.
/// </summary>
internal sealed class PairTable
{
    private static readonly MethodAnnotation None = new(ImmutableArray<MapSpec>.Empty, ImmutableArray<UnmapSpec>.Empty);

    private readonly Annotations _annotations = new();
    private readonly IReadOnlyDictionary<IMethodSymbol, MethodAnnotation> _configured;
    private readonly ConcurrentDictionary<IMethodSymbol, MethodAnnotation> _methods = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _apiOwners = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<(INamedTypeSymbol, string), string?> _releaseMethods = new();

    private readonly HashSet<(IMethodSymbol, int)> _adopting;

    // The caches' factories, made once: a method group or a lambda that reads the table is a new
    // delegate at every call, and Get is asked for every invocation the walker meets (issue 25 §4).
    private readonly Func<IMethodSymbol, MethodAnnotation> _resolve;
    private readonly Func<INamedTypeSymbol, bool> _resolveApiOwner;
    private readonly Func<(INamedTypeSymbol, string), string?> _resolveReleaseMethod;

    public PairTable(bool hasAttributes, IReadOnlyDictionary<IMethodSymbol, MethodAnnotation> configured)
        : this(hasAttributes, configured, System.Array.Empty<(IMethodSymbol, int)>())
    {
    }

    public PairTable(bool hasAttributes, IReadOnlyDictionary<IMethodSymbol, MethodAnnotation> configured, IEnumerable<(IMethodSymbol, int)> adopting)
        : this(hasAttributes, configured, adopting, System.Array.Empty<string>())
    {
    }

    /// <param name="renamed">Source P/Invokes named otherwise than the OS entry point they call (<see cref="OsPairs.RenamedEntryPoints"/>).</param>
    public PairTable(bool hasAttributes, IReadOnlyDictionary<IMethodSymbol, MethodAnnotation> configured, IEnumerable<(IMethodSymbol, int)> adopting, IEnumerable<string> renamed)
    {
        HasAttributes = hasAttributes;
        _configured = configured;
        _resolve = Resolve;
        _resolveApiOwner = ResolveApiOwner;
        _resolveReleaseMethod = ResolveReleaseMethod;
        _adopting = new HashSet<(IMethodSymbol, int)>(adopting, new KeyComparer());
        var names = BuiltInPairs.MethodNames.ToBuilder();
        var acquires = BuiltInPairs.AcquireNames.ToBuilder();
        foreach (var name in renamed)
        {
            // Whether a renamed one maps or unmaps is known only from its symbol: admit it as both.
            names.Add(name);
            acquires.Add(name);
        }

        foreach (var pair in configured)
        {
            names.Add(pair.Key.Name);
            if (!pair.Value.Maps.IsEmpty)
            {
                acquires.Add(pair.Key.Name);
            }
        }

        MethodNames = names.ToImmutable();
        AcquireNames = acquires.ToImmutable();
    }

    /// <summary>True when the compilation can see the annotation attributes: then any method may be annotated.</summary>
    public bool HasAttributes { get; }

    /// <summary>The names of the built-in and configured acquire/release methods.</summary>
    public ImmutableHashSet<string> MethodNames { get; }

    /// <summary>The names among <see cref="MethodNames"/> that acquire.</summary>
    public ImmutableHashSet<string> AcquireNames { get; }

    /// <summary>The pair description of <paramref name="method"/>, or null when it neither acquires nor releases.</summary>
    public MethodAnnotation? Get(IMethodSymbol method)
    {
        if (!HasAttributes && !MethodNames.Contains(method.Name))
        {
            // The cheap filter every invocation of every method passes through.
            return null;
        }

        var annotation = _methods.GetOrAdd(method.OriginalDefinition, _resolve);
        return ReferenceEquals(annotation, None) ? null : annotation;
    }

    /// <summary>
    /// True when <paramref name="type"/> declares annotated methods: calls into the mapping API's
    /// own type (a <c>GetSpan(address, length)</c>, <c>Marshal.Copy</c>) use a mapping without taking it over.
    /// </summary>
    public bool IsApiOwner(INamedTypeSymbol type) => _apiOwners.GetOrAdd(type.OriginalDefinition, _resolveApiOwner);

    private bool ResolveApiOwner(INamedTypeSymbol t)
    {
        if (BuiltInPairs.IsApiOwner(t))
        {
            return true;
        }

        if (!HasAttributes)
        {
            return false;
        }

        foreach (var member in t.GetMembers())
        {
            if (member is IMethodSymbol m && _annotations.Get(m) is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The name of the method of <paramref name="type"/> that releases <paramref name="family"/>, if
    /// any; none for a receiver-qualified family (the right release is the right receiver's).
    /// </summary>
    public string? FindReleaseMethod(INamedTypeSymbol type, PairFamily family) =>
        family.Receiver is null ? FindReleaseMethod(type, family.Name) : null;

    private string? FindReleaseMethod(INamedTypeSymbol type, string family) => _releaseMethods.GetOrAdd((type.OriginalDefinition, family), _resolveReleaseMethod);

    private string? ResolveReleaseMethod((INamedTypeSymbol, string) key)
    {
        foreach (var member in key.Item1.GetMembers())
        {
            if (member is IMethodSymbol m && Get(m) is { } a)
            {
                foreach (var unmap in a.Unmaps)
                {
                    if (unmap.Family == key.Item2)
                    {
                        return m.Name;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>
    /// True when parameter <paramref name="ordinal"/> of <paramref name="method"/> adopts the mapping
    /// passed to it: <c>[TakesOwnership]</c> on the parameter, or a <c>vmap_takes_ownership</c> entry.
    /// </summary>
    public bool TakesOwnership(IMethodSymbol method, int ordinal)
    {
        method = method.OriginalDefinition;
        if (_adopting.Contains((method, ordinal)))
        {
            return true;
        }

        if (ordinal < 0 || ordinal >= method.Parameters.Length)
        {
            return false;
        }

        foreach (var attribute in method.Parameters[ordinal].GetAttributes())
        {
            if (Annotations.IsTakesOwnership(attribute.AttributeClass))
            {
                return true;
            }
        }

        return false;
    }

    private MethodAnnotation Resolve(IMethodSymbol method)
    {
        if (HasAttributes && _annotations.Get(method) is { } annotated)
        {
            return annotated;
        }

        if (_configured.TryGetValue(method, out var configured))
        {
            return configured;
        }

        return BuiltInPairs.Resolve(method) ?? None;
    }
}
