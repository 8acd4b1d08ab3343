using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// One map call in the analyzed method; a mapping is identified by the call that made it. While a
/// callee is summarised, each of its parameters that may receive a mapping is a site too (no call).
/// </summary>
internal sealed class MapSite
{
    public MapSite(int id, IInvocationOperation call, MapSpec spec, PairFamily family, CountValue? count, SyntaxNode? countSyntax, PathStep? via = null)
    {
        Id = id;
        Call = call;
        Family = family;
        Syntax = call.Syntax;
        Spec = spec;
        Count = count;
        CountSyntax = countSyntax;
        Via = via;
    }

    private MapSite(int id, IParameterSymbol parameter, SyntaxNode syntax)
    {
        Id = id;
        Parameter = parameter;
        Syntax = syntax;
        Spec = new MapSpec(AnyFamily, null, null, IsTry: false, ReportsLoss: false);
        Family = PairFamily.Any;
    }

    /// <summary>The family of a parameter's mapping while its method is summarised: it matches every family.</summary>
    public const string AnyFamily = "*";

    public static MapSite ForParameter(int id, IParameterSymbol parameter, SyntaxNode syntax) => new(id, parameter, syntax);

    public int Id { get; }

    /// <summary>The map call; null for a parameter's site.</summary>
    public IInvocationOperation? Call { get; }

    /// <summary>The parameter whose incoming mapping this site stands for, while its method is summarised.</summary>
    public IParameterSymbol? Parameter { get; }

    /// <summary>The map call's syntax (the parameter's declaration for a parameter site).</summary>
    public SyntaxNode Syntax { get; }

    public MapSpec Spec { get; }

    /// <summary>The family of the mapping, qualified by the call's receiver for a per-receiver family.</summary>
    public PairFamily Family { get; }

    /// <summary>The mapped count as the engine understands it, when the map call carries one.</summary>
    public CountValue? Count { get; }

    public SyntaxNode? CountSyntax { get; }

    /// <summary>For a call to a source method inferred to acquire: the API call inside it that made the mapping.</summary>
    public PathStep? Via { get; }

    public string MethodName => Call?.TargetMethod.Name ?? Parameter!.Name;

    /// <summary>
    /// The mappings that were live and passed to the acquire when it ran (<c>GCHandle.Alloc(pooled)</c>):
    /// where one of them is known absent, this one was never made.
    /// </summary>
    public HashSet<int> Sources { get; } = new();
}
