namespace Vmap.Annotations;

/// <summary>
/// Marks a method's return value, or an <c>out</c> parameter, as a fresh mapping of
/// <see cref="Family"/> that the caller owns and must release through a method whose parameter
/// carries <see cref="UnmapsMemoryAttribute"/> with the same family.
/// </summary>
/// <remarks>
/// The Vmap analyzers match this attribute by its full metadata name
/// (<c>Vmap.Annotations.MapsMemoryAttribute</c>), so a library may declare its own internal copy
/// instead of referencing this assembly.
/// </remarks>
[AttributeUsage(AttributeTargets.ReturnValue | AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class MapsMemoryAttribute : Attribute
{
    /// <summary>Creates the attribute for mappings of <paramref name="family"/>.</summary>
    /// <param name="family">The API family, e.g. <c>"vmap-ram"</c>; only a release of the same family may free the mapping.</param>
    public MapsMemoryAttribute(string family) => Family = family;

    /// <summary>The API family of the mapping.</summary>
    public string Family { get; }

    /// <summary>
    /// The name of the parameter that carries the size of the mapping in pages: an integer, or an
    /// array or span whose <c>Length</c> is the count. <see langword="null"/> when the size is not
    /// part of the call.
    /// </summary>
    public string? CountParameter { get; set; }
}
