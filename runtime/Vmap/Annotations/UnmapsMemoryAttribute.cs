namespace Vmap.Annotations;

/// <summary>
/// Marks a parameter whose argument must be the start of a live mapping of <see cref="Family"/>;
/// the call releases that mapping.
/// </summary>
/// <remarks>
/// Matched by full metadata name (<c>Vmap.Annotations.UnmapsMemoryAttribute</c>) like
/// <see cref="MapsMemoryAttribute"/>.
/// </remarks>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class UnmapsMemoryAttribute : Attribute
{
    /// <summary>Creates the attribute for releases of <paramref name="family"/>.</summary>
    /// <param name="family">The API family the released mapping must belong to.</param>
    public UnmapsMemoryAttribute(string family) => Family = family;

    /// <summary>The API family of the mapping this parameter releases.</summary>
    public string Family { get; }

    /// <summary>
    /// The name of the parameter that carries the size being released in pages (an integer, or an
    /// array or span whose <c>Length</c> is the count); it must equal the mapped count.
    /// </summary>
    public string? CountParameter { get; set; }
}
