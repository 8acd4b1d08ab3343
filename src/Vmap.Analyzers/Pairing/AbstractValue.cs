using Microsoft.CodeAnalysis;

namespace Vmap.Analyzers.Pairing;

internal enum ValueKind
{
    /// <summary>Nothing known; the value may be anything, including a mapping made elsewhere.</summary>
    Unknown,

    /// <summary>The start of mapping <see cref="AbstractValue.Mapping"/> (or zero when <see cref="AbstractValue.MaybeZero"/>).</summary>
    Mapped,

    /// <summary>
    /// A pointer derived from mapping <see cref="AbstractValue.Mapping"/> by arithmetic at
    /// <see cref="AbstractValue.Origin"/>; with <see cref="AbstractValue.MaybeStart"/>, only on
    /// some paths (a loop that advances it may run zero times), on the others it is the start.
    /// </summary>
    Offset,

    /// <summary>
    /// A storage that held a live mapping and was re-pointed at something else at
    /// <see cref="AbstractValue.Origin"/>; unmapping it releases memory never mapped.
    /// </summary>
    Reassigned,

    /// <summary>Zero, null or default: "no mapping".</summary>
    Zero,

    /// <summary>A non-zero integer constant (<see cref="AbstractValue.Number"/>).</summary>
    Constant,

    /// <summary>An array or span of known length <see cref="AbstractValue.Number"/>.</summary>
    Sized,

    /// <summary>The bool result of a Try-map call: true exactly when mapping <see cref="AbstractValue.Mapping"/> exists.</summary>
    TryResult,

    /// <summary>
    /// The bool result of a callee that releases mapping <see cref="AbstractValue.Mapping"/> exactly
    /// when it returns true (false when <see cref="AbstractValue.MaybeZero"/> is set, read as "negated").
    /// </summary>
    ReleaseResult,
}

/// <summary>
/// The abstract value of one storage (local, parameter, capture, member of a tracked object).
/// <see cref="Source"/> says what a <see cref="ValueKind.Reassigned"/> storage now holds.
/// </summary>
internal sealed record AbstractValue(
    ValueKind Kind,
    int Mapping = -1,
    bool MaybeZero = false,
    long Number = 0,
    SyntaxNode? Origin = null,
    ValueSource? Source = null,
    bool MaybeStart = false)
{
    public static readonly AbstractValue Unknown = new(ValueKind.Unknown);
    public static readonly AbstractValue Zero = new(ValueKind.Zero);

    /// <summary>True for values through which the mapping can still be reached (and so used).</summary>
    public bool ReachesMapping => Kind is ValueKind.Mapped or ValueKind.Offset;

    public static AbstractValue MappedBy(int mapping) => new(ValueKind.Mapped, mapping);

    public static AbstractValue TryResultOf(int mapping, bool negated) => new(ValueKind.TryResult, mapping, MaybeZero: negated);

    public static AbstractValue ReleaseResultOf(int mapping, bool releasedWhen) => new(ValueKind.ReleaseResult, mapping, MaybeZero: !releasedWhen);

    /// <summary>
    /// The join of two values that reach the same point on different paths. Precision is kept only
    /// where a report depends on it (a mapping or zero); anything else becomes unknown.
    /// </summary>
    public static AbstractValue Join(AbstractValue a, AbstractValue b)
    {
        if (a == b)
        {
            return a;
        }

        if (a.Kind == ValueKind.Mapped && b.Kind == ValueKind.Mapped && a.Mapping == b.Mapping)
        {
            return a with { MaybeZero = true };
        }

        if (a.Kind == ValueKind.Mapped && b.Kind == ValueKind.Zero)
        {
            return a with { MaybeZero = true };
        }

        if (b.Kind == ValueKind.Mapped && a.Kind == ValueKind.Zero)
        {
            return b with { MaybeZero = true };
        }

        if (a.Kind == b.Kind && a.Mapping == b.Mapping && a.Kind is ValueKind.Offset or ValueKind.Reassigned)
        {
            // Same derivation reached by two paths: keep the earlier origin so the fixpoint settles.
            var earlier = a.Origin!.SpanStart <= b.Origin!.SpanStart ? a : b;
            return a.MaybeStart || b.MaybeStart ? earlier with { MaybeStart = true } : earlier;
        }

        if (a.Mapping == b.Mapping && a.Kind == ValueKind.Offset && b.Kind == ValueKind.Mapped)
        {
            // The start on one path, an offset of it on the other (after a loop that advances the
            // pointer): still the same mapping, and releasing it releases an offset on some path.
            return a with { MaybeStart = true };
        }

        if (a.Mapping == b.Mapping && b.Kind == ValueKind.Offset && a.Kind == ValueKind.Mapped)
        {
            return b with { MaybeStart = true };
        }

        return Unknown;
    }
}
