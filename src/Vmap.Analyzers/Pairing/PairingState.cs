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

    private static object[] RootOf(StorageKey key) => key.IndexKeys;

    /// <summary>The roots of the storages a condition reads (see <see cref="ConditionKey.Reads"/>).</summary>
    private static object[] RootsRead(ConditionKey condition) => condition.RootsRead;

    /// <summary>Whether a storage other than <paramref name="key"/> is rooted where it is (a member of it, or it a member of that).</summary>
    public bool HasOtherStorageRootedAt(StorageKey key) => Storage.EntriesReading(key.Root) > (Storage.ContainsKey(key) ? 1 : 0);

    /// <summary>
    /// Whether a storage other than <paramref name="key"/> may be reached through it (a member of
    /// it): answered from the index of first members, so writing one of a type's many fields does
    /// not look at all the others (issue 25 §3, N fields released in Dispose).
    /// </summary>
    public bool HasOtherStorageWithin(StorageKey key) =>
        key.Path is null ? HasOtherStorageRootedAt(key) : Storage.EntriesReading(key.FirstMember) > (Storage.ContainsKey(key) ? 1 : 0);

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
        if (!HasOtherStorageWithin(key))
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
        foreach (var within in StoragesWithin(key))
        {
            (stale ??= new()).Add(within);
        }

        if (stale is not null)
        {
            foreach (var s in stale)
            {
                Storage.Remove(s);
            }
        }
    }

    /// <summary>The storages <paramref name="key"/> is or reaches (itself, its members), from the index of first members.</summary>
    public IEnumerable<StorageKey> StoragesWithin(StorageKey key)
    {
        foreach (var candidate in Storage.KeysReading(key.Path is null ? key.Root : key.FirstMember))
        {
            if (candidate.IsWithin(key))
            {
                yield return candidate;
            }
        }
    }

    private void ForgetConditionsReading(StorageKey key)
    {
        List<ConditionKey>? staleConditions = null;
        foreach (var condition in Conditions.KeysReading(key.Root))
        {
            if (condition.Reads(key))
            {
                (staleConditions ??= new()).Add(condition);
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

        // Only the keys at which the two states' maps may differ are joined: every other key holds
        // the same entry on both sides, whose join is itself (the same value, the same facts, the
        // same ownership), and the maps find those keys without a look at the nodes they share.
        if (!a.Storage.SharesEntriesWith(b.Storage))
        {
            foreach (var key in a.Storage.KeysThatMayDiffer(b.Storage))
            {
                if (b.Storage.TryGetValue(key, out var theirs))
                {
                    JoinStorage(result, key, theirs, ref untracked);
                }
            }
        }

        if (!a.Mappings.SharesEntriesWith(b.Mappings))
        {
            foreach (var key in a.Mappings.KeysThatMayDiffer(b.Mappings))
            {
                var mine = a.Facts(key);
                var theirs = b.Facts(key);
                if (a.Mappings.ContainsKey(key) || b.Mappings.ContainsKey(key))
                {
                    result.Mappings[key] = JoinFacts(mine, theirs, forgetsCondition && !MappingFacts.SameOwnership(mine, theirs));
                }
            }
        }

        if (forgetsCondition)
        {
            foreach (var key in a.Conditions.KeysThatMayDiffer(b.Conditions))
            {
                if (a.Conditions.TryGetValue(key, out var mine) && (!b.Conditions.TryGetValue(key, out var value) || value != mine))
                {
                    result.Conditions.Remove(key);
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

    /// <summary>Joins <paramref name="theirs"/> into what <paramref name="result"/> (a copy of the first state) holds at <paramref name="key"/>.</summary>
    private static void JoinStorage(PairingState result, StorageKey key, AbstractValue theirs, ref List<int>? untracked)
    {
        if (result.Storage.TryGetValue(key, out var mine))
        {
            var joined = AbstractValue.Join(mine, theirs);
            if (joined.Kind == ValueKind.Unknown)
            {
                // Losing track of where a mapping lives must silence it, not report it as lost.
                // Escaped once the facts are joined: a mapping only b knows (the other arm's
                // call of c ? Alloc() : Other() joined where the test is not kept) has no facts
                // in the result yet, and its join with Absent would otherwise stay live.
                Lost(ref untracked, mine);
                Lost(ref untracked, theirs);
            }

            result.Storage[key] = joined;
        }
        else
        {
            // A storage assigned on one path only (a local declared in a loop body, a member
            // the other path never touched) keeps the one value known.
            result.Storage[key] = theirs;
        }
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

