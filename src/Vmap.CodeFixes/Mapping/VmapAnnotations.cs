using System.Linq;
using Microsoft.CodeAnalysis;

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
/// Reads the Vmap annotations by full metadata name, as the analyzers do, so that a library's own
/// internal copy of the attributes is honoured as well.
/// </summary>
internal static class VmapAnnotations
{
    private const string MapsMemoryName = "Vmap.Annotations.MapsMemoryAttribute";
    private const string UnmapsMemoryName = "Vmap.Annotations.UnmapsMemoryAttribute";

    public static MapsAnnotation? GetMaps(IMethodSymbol method)
    {
        method = method.OriginalDefinition;
        var onReturn = Find(method.GetReturnTypeAttributes(), MapsMemoryName);
        if (onReturn is not null)
            return CreateMaps(method, onReturn, outParameter: null);

        foreach (var parameter in method.Parameters)
        {
            var onOut = parameter.RefKind == RefKind.Out ? Find(parameter.GetAttributes(), MapsMemoryName) : null;
            if (onOut is not null)
                return CreateMaps(method, onOut, parameter);
        }

        return null;
    }

    public static UnmapsAnnotation? GetUnmaps(IMethodSymbol method)
    {
        method = method.OriginalDefinition;
        foreach (var parameter in method.Parameters)
        {
            var attribute = Find(parameter.GetAttributes(), UnmapsMemoryName);
            if (attribute is null)
                continue;
            var family = Family(attribute);
            if (family is null)
                return null;
            return new UnmapsAnnotation(family, parameter, CountParameter(method, attribute));
        }

        return null;
    }

    private static MapsAnnotation? CreateMaps(IMethodSymbol method, AttributeData attribute, IParameterSymbol? outParameter)
    {
        var family = Family(attribute);
        return family is null ? null : new MapsAnnotation(family, CountParameter(method, attribute), outParameter);
    }

    private static AttributeData? Find(System.Collections.Immutable.ImmutableArray<AttributeData> attributes, string metadataName)
        => attributes.FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == metadataName);

    private static string? Family(AttributeData attribute)
        => attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;

    private static IParameterSymbol? CountParameter(IMethodSymbol method, AttributeData attribute)
    {
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "CountParameter" && named.Value.Value is string name)
                return method.Parameters.FirstOrDefault(p => p.Name == name);
        }

        return null;
    }
}
