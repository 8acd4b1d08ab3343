using Vmap.Analyzers.Pairing;

namespace Vmap.CodeFixes.Mapping;

/// <summary>A method's <c>[MapsMemory]</c>: the family and the parameter that carries the count.</summary>
internal sealed class MapsAnnotation
{
    public MapsAnnotation(string family, IParameterSymbol? countParameter, IParameterSymbol? outParameter)
    {
        Family = family;
        CountParameter = countParameter;
        OutParameter = outParameter;
    }

    public string Family { get; }

    public IParameterSymbol? CountParameter { get; }

    /// <summary>The <c>out</c> parameter that receives the mapping; null when the return value does.</summary>
    public IParameterSymbol? OutParameter { get; }
}

/// <summary>A release method's <c>[UnmapsMemory]</c> parameter, its family and its count parameter.</summary>
internal sealed class UnmapsAnnotation
{
    public UnmapsAnnotation(string family, IParameterSymbol addressParameter, IParameterSymbol? countParameter)
    {
        Family = family;
        AddressParameter = addressParameter;
        CountParameter = countParameter;
    }

    public string Family { get; }

    public IParameterSymbol AddressParameter { get; }

    public IParameterSymbol? CountParameter { get; }
}

/// <summary>
/// The analyzers' own reading of the annotations (by full metadata name, so a library's internal
/// copy of the attributes counts too), presented as parameter symbols for building calls.
/// </summary>
internal static class VmapAnnotations
{
    public static MapsAnnotation? GetMaps(IMethodSymbol method)
    {
        method = method.OriginalDefinition;
        var annotation = For().Get(method);
        if (annotation is null || annotation.Maps.Length != 1)
            return null;
        var map = annotation.Maps[0];
        return new MapsAnnotation(map.Family, Parameter(method, map.CountOrdinal), Parameter(method, map.OutOrdinal));
    }

    public static UnmapsAnnotation? GetUnmaps(IMethodSymbol method)
    {
        method = method.OriginalDefinition;
        var annotation = For().Get(method);
        if (annotation is null || annotation.Unmaps.Length != 1)
            return null;
        var unmap = annotation.Unmaps[0];
        return new UnmapsAnnotation(unmap.Family, method.Parameters[unmap.Ordinal], Parameter(method, unmap.CountOrdinal));
    }

    // A fresh reader per question: a shared one would keep symbols, and with them whole
    // compilations, alive after the fix session ends; resolving one method's attributes is cheap.
    private static Annotations For() => new();

    private static IParameterSymbol? Parameter(IMethodSymbol method, int? ordinal)
        => ordinal is { } i && i < method.Parameters.Length ? method.Parameters[i] : null;
}
