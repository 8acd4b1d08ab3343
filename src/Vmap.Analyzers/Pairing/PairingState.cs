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
    private PairingState(StateMap<StorageKey, AbstractValue> storage, StateMap<int, MappingFacts> mappings, StateMap<ConditionKey, bool> conditions)
    {
        Storage = storage;
        Mappings = mappings;
        Conditions = conditions;
    }

    public static PairingState Empty => new(new(RootOf), new(), new(RootsRead));

    public StateMap<StorageKey, AbstractValue> Storage { get; }

    public StateMap<int, MappingFacts> Mappings { get; }

    public StateMap<ConditionKey, bool> Conditions { get; }

    /// <summary>A copy to work on; its maps share their entries with this state's until either writes (see <see cref="StateMap{TKey, TValue}"/>).</summary>
    public PairingState Clone() => new(Storage.Clone(), Mappings.Clone(), Conditions.Clone());

    private static IEnumerable<StorageRoot> RootOf(StorageKey key)
    {
        yield return key.Root;
    }

    /// <summary>The roots of the storages a condition reads (see <see cref="ConditionKey.Reads"/>).</summary>
    private static IEnumerable<StorageRoot> RootsRead(ConditionKey condition)
    {
        var pending = new Stack<ConditionKey>();
        pending.Push(condition);
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            if (next.Storage is { } storage)
            {
                yield return storage.Root;
            }

            if (next.Left is { } left)
            {
                pending.Push(left);
            }

            if (next.Right is { } right)
            {
                pending.Push(right);
            }
        }
    }

    /// <summary>Whether a storage other than <paramref name="key"/> is rooted where it is (a member of it, or it a member of that).</summary>
    public bool HasOtherStorageRootedAt(StorageKey key) => Storage.EntriesReading(key.Root) > (Storage.ContainsKey(key) ? 1 : 0);

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
        // The indexes answer for the common write, of a local or a temporary that nothing is
        // reached through and no condition reads, without a look at the other entries.
        if (!HasOtherStorageRootedAt(key))
        {
            Storage.Remove(key);
        }
        else
        {
            RemoveWithin(key);
        }

        if (Conditions.EntriesReading(key.Root) > 0)
        {
            ForgetConditionsReading(key);
        }
    }

    private void RemoveWithin(StorageKey key)
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
    }

    private void ForgetConditionsReading(StorageKey key)
    {
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

    public bool SameConditions(PairingState other) => Conditions.SameEntries(other.Conditions);

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

        // A map the two states still share is its own join (the same values, the same facts, the
        // same ownership on both sides): only the maps they no longer share are walked.
        if (!a.Storage.SharesEntriesWith(b.Storage))
        {
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
        }

        if (!a.Mappings.SharesEntriesWith(b.Mappings))
        {
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
        }

        if (forgetsCondition)
        {
            foreach (var pair in a.Conditions)
            {
                if (!b.Conditions.TryGetValue(pair.Key, out var value) || value != pair.Value)
                {
                    result.Conditions.Remove(pair.Key);
                }
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
        Storage.SameEntries(other.Storage) && Mappings.SameEntries(other.Mappings) && Conditions.SameEntries(other.Conditions);
}
