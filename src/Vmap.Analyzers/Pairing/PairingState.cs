using System.Collections.Generic;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// The abstract state at one program point: what each storage holds, what each mapping's state
/// is, and which branch conditions are known on this path. Conditions make the analysis
/// path-sensitive exactly where callers correlate map and unmap (<c>if (n &gt; 1)</c> twice, a
/// Mapped flag): states that disagree on a condition are kept apart instead of joined.
/// </summary>
internal sealed class PairingState
{
    private PairingState(Dictionary<StorageKey, AbstractValue> storage, Dictionary<int, MappingFacts> mappings, Dictionary<ConditionKey, bool> conditions)
    {
        Storage = storage;
        Mappings = mappings;
        Conditions = conditions;
    }

    public static PairingState Empty => new(new(), new(), new());

    public Dictionary<StorageKey, AbstractValue> Storage { get; }

    public Dictionary<int, MappingFacts> Mappings { get; }

    public Dictionary<ConditionKey, bool> Conditions { get; }

    public PairingState Clone() => new(new(Storage), new(Mappings), new(Conditions));

    public AbstractValue Get(StorageKey key) => Storage.TryGetValue(key, out var value) ? value : AbstractValue.Unknown;

    public MappingFacts Facts(int mapping) => Mappings.TryGetValue(mapping, out var facts) ? facts : MappingFacts.Absent;

    public void Escape(int mapping)
    {
        if (Mappings.TryGetValue(mapping, out var facts))
        {
            Mappings[mapping] = facts.Escape();
        }
    }

    /// <summary>Whether a storage other than <paramref name="except"/> (temporaries excluded) still holds the start of <paramref name="mapping"/>.</summary>
    public bool IsHeldElsewhere(int mapping, StorageKey except)
    {
        foreach (var pair in Storage)
        {
            if (pair.Key != except && !pair.Key.IsCapture && pair.Value.Kind == ValueKind.Mapped && pair.Value.Mapping == mapping)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The storage (temporaries excluded) that holds the start of <paramref name="mapping"/>, or
    /// failing that an offset of it (a pointer walked past the start), if any.
    /// </summary>
    public StorageKey? Holder(int mapping) => Holder(mapping, ValueKind.Mapped) ?? Holder(mapping, ValueKind.Offset);

    private StorageKey? Holder(int mapping, ValueKind kind)
    {
        StorageKey? holder = null;
        foreach (var pair in Storage)
        {
            if (!pair.Key.IsCapture && pair.Value.Kind == kind && pair.Value.Mapping == mapping &&
                (holder is null || string.CompareOrdinal(pair.Key.ToString(), holder.ToString()) < 0))
            {
                holder = pair.Key;
            }
        }

        return holder;
    }

    /// <summary>Forgets what a storage and everything reached through it held, and every condition that reads it.</summary>
    public void Invalidate(StorageKey key)
    {
        List<StorageKey>? stale = null;
        foreach (var pair in Storage)
        {
            if (pair.Key.IsWithin(key))
            {
                (stale ??= new()).Add(pair.Key);
            }
        }

        if (stale is not null)
        {
            foreach (var s in stale)
            {
                Storage.Remove(s);
            }
        }

        List<ConditionKey>? staleConditions = null;
        foreach (var pair in Conditions)
        {
            if (pair.Key.Reads(key))
            {
                (staleConditions ??= new()).Add(pair.Key);
            }
        }

        if (staleConditions is not null)
        {
            foreach (var s in staleConditions)
            {
                Conditions.Remove(s);
            }
        }
    }

    public bool SameConditions(PairingState other)
    {
        if (Conditions.Count != other.Conditions.Count)
        {
            return false;
        }

        foreach (var pair in Conditions)
        {
            if (!other.Conditions.TryGetValue(pair.Key, out var value) || value != pair.Value)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The least upper bound: values and facts join pointwise, only conditions both agree on survive.
    /// A join that forgets a condition the two states disagree on (the walker's widening, past its
    /// disjunct limit) also forgets how each mapping's state depended on it: a mapping whose flags
    /// differ between the two, or that one handed over and the other did not, becomes unknown-ownership (<see cref="MappingFlags.Escaped"/>), about
    /// which no loss, double release or use after release is ever claimed. So widening can only
    /// make the engine quieter; a mapping in the same state on both sides keeps its claims.
    /// </summary>
    public static PairingState Join(PairingState a, PairingState b)
    {
        var forgetsCondition = !a.SameConditions(b);
        var result = a.Clone();
        List<int>? untracked = null;
        foreach (var pair in b.Storage)
        {
            if (result.Storage.TryGetValue(pair.Key, out var mine))
            {
                var joined = AbstractValue.Join(mine, pair.Value);
                if (joined.Kind == ValueKind.Unknown)
                {
                    // Losing track of where a mapping lives must silence it, not report it as lost.
                    // Escaped once the facts are joined: a mapping only b knows (the other arm's
                    // call of c ? Alloc() : Other() joined where the test is not kept) has no facts
                    // in the result yet, and its join with Absent would otherwise stay live.
                    Lost(ref untracked, mine);
                    Lost(ref untracked, pair.Value);
                }

                result.Storage[pair.Key] = joined;
            }
            else
            {
                // A storage assigned on one path only (a local declared in a loop body, a member
                // the other path never touched) keeps the one value known.
                result.Storage[pair.Key] = pair.Value;
            }
        }

        foreach (var pair in b.Mappings)
        {
            result.Mappings[pair.Key] = JoinFacts(result.Facts(pair.Key), pair.Value, forgetsCondition && !MappingFacts.SameOwnership(a.Facts(pair.Key), pair.Value));
        }

        foreach (var pair in a.Mappings)
        {
            if (!b.Mappings.ContainsKey(pair.Key))
            {
                result.Mappings[pair.Key] = JoinFacts(result.Facts(pair.Key), MappingFacts.Absent, forgetsCondition && !MappingFacts.SameOwnership(pair.Value, MappingFacts.Absent));
            }
        }

        foreach (var pair in a.Conditions)
        {
            if (!b.Conditions.TryGetValue(pair.Key, out var value) || value != pair.Value)
            {
                result.Conditions.Remove(pair.Key);
            }
        }

        if (untracked is not null)
        {
            foreach (var mapping in untracked)
            {
                result.Escape(mapping);
            }
        }

        return result;
    }

    /// <summary>The join of one mapping's facts; <paramref name="dependsOnForgotten"/>: its flags differed and a condition was forgotten.</summary>
    private static MappingFacts JoinFacts(MappingFacts a, MappingFacts b, bool dependsOnForgotten)
    {
        var joined = MappingFacts.Join(a, b);
        return dependsOnForgotten ? joined.Escape() : joined;
    }

    private static void Lost(ref List<int>? untracked, AbstractValue value)
    {
        if (value.Mapping >= 0)
        {
            (untracked ??= new()).Add(value.Mapping);
        }
    }

    public bool SameAs(PairingState other) =>
        SameEntries(Storage, other.Storage) && SameEntries(Mappings, other.Mappings) && SameEntries(Conditions, other.Conditions);

    private static bool SameEntries<TKey, TValue>(Dictionary<TKey, TValue> a, Dictionary<TKey, TValue> b)
        where TKey : notnull
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var pair in a)
        {
            if (!b.TryGetValue(pair.Key, out var value) || !EqualityComparer<TValue>.Default.Equals(value, pair.Value))
            {
                return false;
            }
        }

        return true;
    }
}
