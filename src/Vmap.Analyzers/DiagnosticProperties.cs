namespace Vmap.Analyzers;

/// <summary>
/// The contract between the analyzers and the code fixes: the keys each diagnostic carries in
/// <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/> and the order of its additional
/// locations. A fix reads these instead of re-running the analysis.
/// </summary>
/// <remarks>
/// Locations, per rule (the primary location first, then <c>AdditionalLocations[0]</c>):
/// <list type="bullet">
/// <item>VMAP001 local: the unmapped argument at the unmap; [0] the reassignment (the whole assignment expression, <c>p = q</c> or <c>p += 64</c>), or for a pointer computed from the mapping (<c>var header = p + 64</c>) the arithmetic that made it.</item>
/// <item>VMAP001 field: the re-pointing assignment expression; [0] the unmapped argument in the method that unmaps the field.</item>
/// <item>VMAP001 foreign: the released argument; [0] the argument itself (a new array) or the assignment that re-pointed the pooled member.</item>
/// <item>VMAP007: no location (the .editorconfig entry is named in the message).</item>
/// <item>VMAP002 overwrite: the overwriting assignment expression; [0] the map call.</item>
/// <item>VMAP002 re-pointed (beside VMAP001 field, same primary location): the re-pointing assignment expression; [0] the map call that assigned the member a mapping (in another method).</item>
/// <item>VMAP002 out of scope: the map call; [0] the statement where the mapping goes out of scope (a <c>return</c>, a <c>throw</c>, or the closing brace of the body), or the call that may throw (exception path).</item>
/// <item>VMAP003: the argument of the second unmap; [0] the argument of the first unmap.</item>
/// <item>VMAP004: the expression that uses the mapping; [0] the argument of the unmap.</item>
/// <item>VMAP005: the count argument of the unmap; [0] the count argument of the map call.</item>
/// <item>VMAP006: the argument of the release; [0] the map call.</item>
/// <item>VMAP009: the acquire call whose block the member holds; [0] the member's name in its declaration, [1] the identifier of the type's Dispose method when it has one. <see cref="Target"/> is the member's name.</item>
/// <item>VMAP010: the wrong failure value in the comparison (<c>IntPtr.Zero</c> in <c>p == IntPtr.Zero</c>); [0] the map call.</item>
/// <item>VMAP008: the released member as the release writes it (the argument, <c>_p</c> or <c>this._p</c>, inside any cast; the receiver of <c>_h.Free()</c>, <c>_h?.Free()</c>, <c>_h.Value.Free()</c>); [0] the identifier of the Dispose method. <see cref="Target"/> is the member's name.</item>
/// </list>
/// After the locations above come the steps of the path inside callees (issue 11), each present
/// only when that step happened in another method, always in this order:
/// <list type="number">
/// <item>the acquire call inside an inferred acquire (<c>MapRam</c> inside <c>Open</c>), when the mapping came from one (VMAP001 local, VMAP002, VMAP005, VMAP006);</item>
/// <item>the released argument inside the releasing callee of the earlier release (<c>UnmapRam(address, …)</c> inside <c>Release</c>) (VMAP003, VMAP004);</item>
/// <item>the released argument inside the releasing callee of this release (VMAP003, VMAP006);</item>
/// <item>where the callee that may throw throws (its <c>throw</c>, or its call of the callee that does) (VMAP002 exception path).</item>
/// </list>
/// A fix that needs only the documented <c>[0]</c> can ignore them; a consumer that shows paths
/// (IDE, SARIF) lists them in order.
/// </remarks>
internal static class DiagnosticProperties
{
    /// <summary>Every diagnostic: the text of the variable or member that holds the mapping (<c>p</c>, <c>bp.Addr</c>).</summary>
    public const string Target = "Target";

    /// <summary>
    /// The pairing rules (VMAP001–VMAP006, VMAP010): the family's release as the fixes' titles say it,
    /// <c>"Unmap"</c>, <c>"Free"</c>, <c>"Return"</c> or <c>"Release"</c> (docs/configuration.md, words in messages).
    /// </summary>
    public const string ReleaseWord = "ReleaseWord";

    /// <summary>VMAP001: <c>"Local"</c> (report at the unmap), <c>"Field"</c> (report at the re-pointing) or <c>"Foreign"</c> (the pool shapes).</summary>
    public const string Shape = "Shape";

    /// <summary>VMAP001 <c>Shape=Field</c>: the name of the field that holds the mapping.</summary>
    public const string FieldName = "FieldName";

    /// <summary>
    /// VMAP001 <c>Shape=Field</c>, only when the unmap path tests a boolean flag member of the same
    /// object (<c>if (bp.Mapped ...)</c>): that member's name.
    /// </summary>
    public const string FlagName = "FlagName";

    /// <summary>
    /// VMAP002: <c>"Overwrite"</c>, <c>"OutOfScope"</c>, or <c>"Repointed"</c> (a member that holds a
    /// mapping made in another method is re-pointed; reported beside VMAP001's field shape, whose fix
    /// also cures this one).
    /// </summary>
    public const string LossKind = "LossKind";

    /// <summary>
    /// VMAP003: <c>"true"</c> when the mapping is already unmapped on every path reaching the second
    /// unmap (the call is redundant and can go), <c>"false"</c> when only on some paths.
    /// </summary>
    public const string Redundant = "Redundant";

    /// <summary>VMAP005: the source text of the count the mapping was made with (<c>pages.Length</c>, <c>4</c>, <c>n</c>), valid at the unmap.</summary>
    public const string MappedCount = "MappedCount";

    /// <summary>VMAP005: <c>"true"</c> for a <c>MEM_RELEASE</c> free whose size must be 0 (the fix writes 0, not the mapped count).</summary>
    public const string MustBeZero = "MustBeZero";

    /// <summary>VMAP010: the source text of the right failure value, in the tested value's type (<c>new IntPtr(-1)</c>, <c>(byte*)-1</c>, <c>IntPtr.Zero</c>, <c>null</c>).</summary>
    public const string FailureValue = "FailureValue";

    /// <summary>VMAP006: the family of the mapping (<c>vmap-ram</c>).</summary>
    public const string Family = "Family";

    /// <summary>VMAP006: the name of the method that releases the mapping's family, when the mapping API declares one (<c>UnmapRam</c>); absent otherwise.</summary>
    public const string ReleaseMethod = "ReleaseMethod";

    /// <summary>The value of <see cref="Shape"/> for the local shape of VMAP001.</summary>
    public const string ShapeLocal = "Local";

    /// <summary>The value of <see cref="Shape"/> for the field (XFS) shape of VMAP001.</summary>
    public const string ShapeField = "Field";

    /// <summary>
    /// The value of <see cref="Shape"/> for the pool shapes, which no fix rewrites: a released value
    /// that never came from an acquire (a new array returned to a pool; the additional location is
    /// the argument itself), and a pooled member re-pointed at a new rental and then returned (the
    /// additional location is the re-pointing assignment).
    /// </summary>
    public const string ShapeForeign = "Foreign";

    /// <summary>The value of <see cref="LossKind"/> for an overwritten mapping.</summary>
    public const string LossOverwrite = "Overwrite";

    /// <summary>The value of <see cref="LossKind"/> for a member re-pointed while it holds a mapping made elsewhere.</summary>
    public const string LossRepointed = "Repointed";

    /// <summary>The value of <see cref="LossKind"/> for a mapping that goes out of scope.</summary>
    public const string LossOutOfScope = "OutOfScope";

    /// <summary>The value of <see cref="LossKind"/> for a mapping kept only in a local list or array that goes out of scope (no fix: the release belongs in a loop over the container).</summary>
    public const string LossInLocalContainer = "InLocalContainer";
}
