using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// An acquire: a <c>[MapsMemory]</c> on a return value (<see cref="OutOrdinal"/> null) or an out
/// parameter, or the same fact from the built-in table or .editorconfig.
/// </summary>
/// <param name="ReportsLoss">False for families whose lost acquisitions are legal (a rented array the GC collects): no VMAP002.</param>
/// <param name="PerReceiver">The family is qualified by the receiver the call is made on (one pool is not another).</param>
/// <param name="Verb">A <c>vmap_pair</c>'s <c>verb:</c>, the release participle its messages use instead of the family's.</param>
/// <param name="ActsOnArgument">
/// The acquire has an effect beyond the value it returns: <c>GCHandle.Alloc(value)</c> roots (or
/// pins) <c>value</c>. A result the call discards, when the method also hands <c>value</c> to
/// native code, is that root kept on purpose for as long as native code may call back (a
/// callback registered once), not a value the program lost: no loss is claimed for it. A block
/// allocator's only effect is its result, so a discarded block is lost.
/// </param>
internal sealed record MapSpec(string Family, int? OutOrdinal, int? CountOrdinal, bool IsTry, bool ReportsLoss = true, bool PerReceiver = false, string? Verb = null, bool ActsOnArgument = false)
{
    /// <summary>The words the messages use for this acquire's mappings.</summary>
    public FamilyWords Words => FamilyWords.Of(Family, Verb);
}

/// <summary>A release: a <c>[UnmapsMemory]</c> parameter, or the receiver (<see cref="Receiver"/>) of an instance release such as <c>GCHandle.Free()</c>.</summary>
internal sealed record UnmapSpec(string Family, int Ordinal, int? CountOrdinal, bool PerReceiver = false, string? Verb = null)
{
    /// <summary>The words the messages use for what this release releases.</summary>
    public FamilyWords Words => FamilyWords.Of(Family, Verb);

    /// <summary>The <see cref="Ordinal"/> that names the receiver of an instance method.</summary>
    public const int Receiver = -1;
}

/// <summary>What a method's annotations say it does with mappings.</summary>
internal sealed class MethodAnnotation
{
    public MethodAnnotation(ImmutableArray<MapSpec> maps, ImmutableArray<UnmapSpec> unmaps)
    {
        Maps = maps;
        Unmaps = unmaps;
    }

    public ImmutableArray<MapSpec> Maps { get; }

    public ImmutableArray<UnmapSpec> Unmaps { get; }
}

/// <summary>
/// Resolves annotations by full metadata name (a library may declare its own copies of the
/// attributes), once per method symbol per compilation.
/// </summary>
internal sealed class Annotations
{
    public const string MapsMemoryMetadataName = "Vmap.Annotations.MapsMemoryAttribute";
    public const string UnmapsMemoryMetadataName = "Vmap.Annotations.UnmapsMemoryAttribute";

    private static readonly MethodAnnotation None = new(ImmutableArray<MapSpec>.Empty, ImmutableArray<UnmapSpec>.Empty);

    // Made once: the factory is asked for at every lookup (issue 25 §4).
    private static readonly System.Func<IMethodSymbol, MethodAnnotation> s_resolve = Resolve;

    private readonly ConcurrentDictionary<IMethodSymbol, MethodAnnotation> _methods = new(SymbolEqualityComparer.Default);

    /// <summary>The annotation of <paramref name="method"/>, or null when it neither maps nor unmaps.</summary>
    public MethodAnnotation? Get(IMethodSymbol method)
    {
        var annotation = _methods.GetOrAdd(method.OriginalDefinition, s_resolve);
        return ReferenceEquals(annotation, None) ? null : annotation;
    }

    public static bool IsMapsMemory(INamedTypeSymbol? type) => IsAnnotation(type, "MapsMemoryAttribute");

    public static bool IsUnmapsMemory(INamedTypeSymbol? type) => IsAnnotation(type, "UnmapsMemoryAttribute");

    /// <summary><c>[TakesOwnership]</c>: the parameter adopts the mapping passed to it (any method, a P/Invoke included).</summary>
    public static bool IsTakesOwnership(INamedTypeSymbol? type) => IsAnnotation(type, "TakesOwnershipAttribute");

    private static bool IsAnnotation(INamedTypeSymbol? type, string name) =>
        type is { ContainingType: null } &&
        type.Name == name &&
        type.ContainingNamespace is { Name: "Annotations" } ns &&
        ns.ContainingNamespace is { Name: "Vmap" } vmap &&
        vmap.ContainingNamespace is { IsGlobalNamespace: true };

    private static MethodAnnotation Resolve(IMethodSymbol method)
    {
        List<MapSpec>? maps = null;
        List<UnmapSpec>? unmaps = null;
        var returnsBool = method.ReturnType.SpecialType == SpecialType.System_Boolean;

        foreach (var attribute in method.GetReturnTypeAttributes())
        {
            if (IsMapsMemory(attribute.AttributeClass) && Family(attribute) is { } family)
            {
                (maps ??= new()).Add(new MapSpec(family, null, CountOrdinal(method, attribute), IsTry: false));
            }
        }

        foreach (var parameter in method.Parameters)
        {
            foreach (var attribute in parameter.GetAttributes())
            {
                if (!IsMapsMemory(attribute.AttributeClass) && !IsUnmapsMemory(attribute.AttributeClass))
                {
                    continue;
                }

                if (Family(attribute) is not { } family)
                {
                    continue;
                }

                if (IsMapsMemory(attribute.AttributeClass) && parameter.RefKind is RefKind.Out or RefKind.Ref)
                {
                    (maps ??= new()).Add(new MapSpec(family, parameter.Ordinal, CountOrdinal(method, attribute), IsTry: returnsBool));
                }
                else if (IsUnmapsMemory(attribute.AttributeClass))
                {
                    (unmaps ??= new()).Add(new UnmapSpec(family, parameter.Ordinal, CountOrdinal(method, attribute)));
                }
            }
        }

        return maps is null && unmaps is null
            ? None
            : new MethodAnnotation(
                maps is null ? ImmutableArray<MapSpec>.Empty : maps.ToImmutableArray(),
                unmaps is null ? ImmutableArray<UnmapSpec>.Empty : unmaps.ToImmutableArray());
    }

    private static string? Family(AttributeData attribute) =>
        attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0] is { Kind: TypedConstantKind.Primitive, Value: string family } ? family : null;

    private static int? CountOrdinal(IMethodSymbol method, AttributeData attribute)
    {
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "CountParameter" && named.Value is { Kind: TypedConstantKind.Primitive, Value: string name })
            {
                foreach (var parameter in method.Parameters)
                {
                    if (parameter.Name == name)
                    {
                        return parameter.Ordinal;
                    }
                }
            }
        }

        return null;
    }
}
