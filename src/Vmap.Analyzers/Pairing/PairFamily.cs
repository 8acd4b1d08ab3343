namespace Vmap.Analyzers.Pairing;

/// <summary>
/// The family of a mapping or a release: the declared family name, qualified by the receiver the
/// call is made on for per-receiver families (<c>array-pool(ArrayPool.Shared)</c>: one pool is not
/// another). An unqualified family (the receiver is computed) matches every receiver of its name.
/// </summary>
internal sealed record PairFamily(string Name, string? Receiver = null)
{
    /// <summary>The family of a parameter's mapping while its method is summarised: it matches every family.</summary>
    public static readonly PairFamily Any = new(MapSite.AnyFamily);

    /// <summary>True when a mapping of this family may be released by a release of <paramref name="released"/>.</summary>
    public bool IsReleasedBy(PairFamily released) =>
        ReferenceEquals(this, Any) || (Name == released.Name && (Receiver is null || released.Receiver is null || Receiver == released.Receiver));

    /// <summary>How the family reads in messages and in <see cref="DiagnosticProperties.Family"/>.</summary>
    public override string ToString() => Receiver is null ? Name : Name + "(" + Receiver + ")";
}
