using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>One map call in the analyzed method; a mapping is identified by the call that made it.</summary>
internal sealed class MapSite
{
    public MapSite(int id, IInvocationOperation call, MapSpec spec, CountValue? count, SyntaxNode? countSyntax)
    {
        Id = id;
        Call = call;
        Spec = spec;
        Count = count;
        CountSyntax = countSyntax;
    }

    public int Id { get; }

    public IInvocationOperation Call { get; }

    public MapSpec Spec { get; }

    /// <summary>The mapped count as the engine understands it, when the map call carries one.</summary>
    public CountValue? Count { get; }

    public SyntaxNode? CountSyntax { get; }

    public string MethodName => Call.TargetMethod.Name;
}
