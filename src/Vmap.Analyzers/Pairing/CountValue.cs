namespace Vmap.Analyzers.Pairing;

/// <summary>
/// A page count as <c>Base + Offset</c>, where Base names a storage that is assigned once in the
/// method (<c>len:</c> its Length, <c>val:</c> its value), or null for a pure constant.
/// <see cref="Resolved"/> is the constant value when the base's value is known.
/// </summary>
internal sealed record CountValue(string? Base, long Offset, long? Resolved, string Text)
{
    /// <summary>True when both counts are known and certainly differ.</summary>
    public static bool Differ(CountValue mapped, CountValue unmapped)
    {
        if (mapped.Resolved is { } m && unmapped.Resolved is { } u)
        {
            return m != u;
        }

        return mapped.Base is not null && mapped.Base == unmapped.Base && mapped.Offset != unmapped.Offset;
    }
}
