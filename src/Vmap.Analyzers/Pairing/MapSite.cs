using System.Collections.Generic;
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

    /// <summary>
    /// The mappings that were live and passed to the acquire when it ran (<c>GCHandle.Alloc(pooled)</c>):
    /// where one of them is known absent, this one was never made.
    /// </summary>
    public HashSet<int> Sources { get; } = new();
}
