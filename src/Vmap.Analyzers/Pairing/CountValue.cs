namespace Vmap.Analyzers.Pairing;

/// <summary>What a count is reckoned from: a storage assigned once in the method, its value or its Length.</summary>
internal readonly record struct CountBase(StorageKey Storage, bool IsLength)
{
    public static CountBase ValueOf(StorageKey storage) => new(storage, IsLength: false);

    public static CountBase LengthOf(StorageKey storage) => new(storage, IsLength: true);
}

/// <summary>
/// A page count as <c>Scale * Base + Offset</c>, where Base is what it is reckoned from, or null
/// for a pure constant. <see cref="Resolved"/> is the constant value when the base's value is known.
/// </summary>
internal sealed record CountValue(CountBase? Base, long Offset, long? Resolved, string Text, long Scale = 1)
{
    /// <summary>
    /// True when both counts are known and certainly differ. Two expressions of the same base
    /// (<c>length</c> and <c>length * 2</c>) differ when they agree at no base value that a mapping
    /// could have been made with: where <c>a*x + b</c> and <c>c*x + d</c> meet, the mapped count
    /// would be zero or negative, or they meet at no whole <c>x</c>. Arithmetic is taken over the
    /// integers: a count that relies on overflow wrapping around is no count anyone meant.
    /// </summary>
    public static bool Differ(CountValue mapped, CountValue unmapped)
    {
        if (mapped.Resolved is { } m && unmapped.Resolved is { } u)
        {
            return m != u;
        }

        if (mapped.Base is null || mapped.Base != unmapped.Base)
        {
            return false;
        }

        if (mapped.Scale == unmapped.Scale)
        {
            return mapped.Offset != unmapped.Offset;
        }

        // mapped.Scale * x + mapped.Offset == unmapped.Scale * x + unmapped.Offset
        var difference = unmapped.Offset - mapped.Offset;
        var slope = mapped.Scale - unmapped.Scale;
        if (difference % slope != 0)
        {
            return true;
        }

        var meet = difference / slope;
        return mapped.Scale * meet + mapped.Offset <= 0;
    }
}
