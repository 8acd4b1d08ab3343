// The README's internal copies, verbatim: the analyzers match them by full metadata name, so
// this library checks its callers without referencing the runtime.
namespace Vmap.Annotations;

[AttributeUsage(AttributeTargets.ReturnValue | AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
internal sealed class MapsMemoryAttribute(string family) : Attribute
{
    public string Family { get; } = family;
    public string? CountParameter { get; set; }
}

[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
internal sealed class UnmapsMemoryAttribute(string family) : Attribute
{
    public string Family { get; } = family;
    public string? CountParameter { get; set; }
}
