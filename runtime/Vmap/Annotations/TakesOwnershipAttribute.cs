namespace Vmap.Annotations;

/// <summary>
/// Marks a parameter that adopts the mapping passed to it: the method (a P/Invoke into native code
/// that keeps the pointer, a queue that frees it later) becomes responsible for releasing it.
/// </summary>
/// <remarks>
/// The Vmap analyzers follow a mapping into methods whose body they can see and treat P/Invoke
/// parameters as borrowing; after a call to a parameter carrying this attribute they no longer
/// report the mapping as lost (VMAP002), while the caller's own later release is still checked.
/// Matched by full metadata name (<c>Vmap.Annotations.TakesOwnershipAttribute</c>) like
/// <see cref="MapsMemoryAttribute"/>, so a library may declare its own internal copy. For methods
/// you cannot edit, use a <c>vmap_takes_ownership.&lt;name&gt;</c> entry in .editorconfig.
/// </remarks>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class TakesOwnershipAttribute : Attribute
{
}
