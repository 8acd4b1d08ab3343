using System;
using System.Collections.Generic;
using System.Collections.Immutable;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// One of a <see cref="PairingState"/>'s maps, persistent: a clone shares everything with the state
/// it came from and a write copies only a path of the tree, so a block's copy of its input costs
/// nothing and a write costs the logarithm of the map, not its size, and two maps cloned from one
/// are compared at the keys either changed since (<see cref="KeysThatMayDiffer"/>). Two maps that still share their
/// entries are equal without a look at them, and two whose fingerprints (the sum of their entries'
/// hashes) differ are unequal. Issue 25 §3: the walk copied and compared whole states at every
/// block, and the states grow with the method (a condition for every test, a mapping for every
/// call), so the cost grew with the square of the method.
/// </summary>
internal sealed class StateMap<TKey, TValue> : IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : notnull
{
    private static readonly IEqualityComparer<TKey> KeyComparer = EqualityComparer<TKey>.Default;

    private static readonly IEqualityComparer<TValue> ValueComparer = EqualityComparer<TValue>.Default;

    /// <summary>What a key reads (storage roots, and for storages the first member of the path), for <see cref="EntriesReading"/>; null: not indexed.</summary>
    private readonly Func<TKey, object[]>? _rootsOf;

    private HashTrie<TKey, TValue>.Node _items;

    private int _count;

    /// <summary>
    /// Below this many entries an indexed map keeps no index and <see cref="EntriesReading"/> looks
    /// at every key: most methods' states hold a handful of entries, and keeping the index (a set of
    /// keys per root, written at every new key) cost them more allocation than the scan costs time
    /// (issue 25 §4); the index pays where states are large (§3).
    /// </summary>
    internal const int IndexThreshold = 16;

    /// <summary>The keys that read each storage root or first member, and how many (null when not indexed, or not yet: <see cref="IndexThreshold"/>).</summary>
    private HashTrie<object, Readers>.Node? _roots;

    /// <summary>The sum of the entries' hashes (see <see cref="SameEntries"/>).</summary>
    private int _fingerprint;

    public StateMap(Func<TKey, object[]>? rootsOf = null)
    {
        _rootsOf = rootsOf;
        _items = HashTrie<TKey, TValue>.Node.Empty;
    }

    private StateMap(StateMap<TKey, TValue> original)
    {
        _rootsOf = original._rootsOf;
        _items = original._items;
        _count = original._count;
        _roots = original._roots;
        _fingerprint = original._fingerprint;
    }

    public int Count => _count;

    /// <summary>A map with the same entries, sharing them: writing either leaves the other as it was.</summary>
    public StateMap<TKey, TValue> Clone() => new(this);

    /// <summary>True when the two maps still share their entries (then they are equal).</summary>
    public bool SharesEntriesWith(StateMap<TKey, TValue> other) => ReferenceEquals(_items, other._items);

    public TValue this[TKey key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException();
        set
        {
            var hash = HashTrie<TKey, TValue>.Hash(key);
            if (HashTrie<TKey, TValue>.TryGetValue(_items, hash, key, out var current))
            {
                // Writing what the map already holds changes nothing and keeps the entries shared.
                if (ValueComparer.Equals(current, value))
                {
                    return;
                }

                _fingerprint = unchecked(_fingerprint - EntryHash(key, current));
            }
            else
            {
                _count++;
                Index(key, +1);
            }

            _items = HashTrie<TKey, TValue>.SetItem(_items, hash, key, value);
            _fingerprint = unchecked(_fingerprint + EntryHash(key, value));
        }
    }

    public bool TryGetValue(TKey key, out TValue value) => HashTrie<TKey, TValue>.TryGetValue(_items, HashTrie<TKey, TValue>.Hash(key), key, out value);

    public bool ContainsKey(TKey key) => TryGetValue(key, out _);

    public bool Remove(TKey key)
    {
        var hash = HashTrie<TKey, TValue>.Hash(key);
        if (!HashTrie<TKey, TValue>.TryGetValue(_items, hash, key, out var current))
        {
            return false;
        }

        _items = HashTrie<TKey, TValue>.Remove(_items, hash, key);
        _count--;
        _fingerprint = unchecked(_fingerprint - EntryHash(key, current));
        Index(key, -1);
        return true;
    }

    public IEnumerable<TKey> Keys
    {
        get
        {
            foreach (var pair in HashTrie<TKey, TValue>.Entries(_items))
            {
                yield return pair.Key;
            }
        }
    }

    public HashTrie<TKey, TValue>.Enumerator GetEnumerator() => HashTrie<TKey, TValue>.Entries(_items);

    IEnumerator<KeyValuePair<TKey, TValue>> IEnumerable<KeyValuePair<TKey, TValue>>.GetEnumerator() => GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// How many keys read <paramref name="root"/> (a <see cref="StorageRoot"/>, or a storage of one
    /// member, for an indexed map): zero means a storage rooted there can be written without a look
    /// at the keys.
    /// </summary>
    public int EntriesReading(object root)
    {
        if (_rootsOf is null)
        {
            return Count;
        }

        if (_roots is not null)
        {
            return ReadersOf(root)?.Count ?? 0;
        }

        var count = 0;
        foreach (var pair in this)
        {
            if (Reads(pair.Key, root))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// The keys that read <paramref name="root"/> (for an indexed map; every key otherwise): what a
    /// write there may make stale, found without a look at the other keys (issue 25 §3: a method
    /// of N loops kept a condition on every loop's counter, and each counter's increment scanned them all).
    /// </summary>
    public IEnumerable<TKey> KeysReading(object root) =>
        _rootsOf is null ? Keys
        : _roots is null ? KeysScanned(root)
        : ReadersOf(root) is { } readers ? KeysOf(readers.Keys) : Array.Empty<TKey>();

    private IEnumerable<TKey> KeysScanned(object root)
    {
        foreach (var pair in this)
        {
            if (Reads(pair.Key, root))
            {
                yield return pair.Key;
            }
        }
    }

    private bool Reads(TKey key, object root)
    {
        foreach (var read in _rootsOf!(key))
        {
            if (Equals(read, root))
            {
                return true;
            }
        }

        return false;
    }

    private Readers? ReadersOf(object root) =>
        _roots is not null && HashTrie<object, Readers>.TryGetValue(_roots, HashTrie<object, Readers>.Hash(root), root, out var readers) ? readers : null;

    private static IEnumerable<TKey> KeysOf(HashTrie<TKey, bool>.Node keys)
    {
        foreach (var pair in HashTrie<TKey, bool>.Entries(keys))
        {
            yield return pair.Key;
        }
    }

    /// <summary>Whether both maps hold the same entries.</summary>
    public bool SameEntries(StateMap<TKey, TValue> other)
    {
        if (SharesEntriesWith(other))
        {
            return true;
        }

        if (_count != other._count || _fingerprint != other._fingerprint)
        {
            return false;
        }

        foreach (var key in KeysThatMayDiffer(other))
        {
            var here = TryGetValue(key, out var mine);
            var there = other.TryGetValue(key, out var theirs);
            if (here != there || (here && !ValueComparer.Equals(mine, theirs)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The keys at which the two maps may hold different entries: every other key is absent from
    /// both or holds the same value in both. Found by a walk over the nodes the maps do not share.
    /// </summary>
    public List<TKey> KeysThatMayDiffer(StateMap<TKey, TValue> other)
    {
        var keys = new List<TKey>();
        HashTrie<TKey, TValue>.Diff(_items, other._items, keys);
        return keys;
    }

    private static int EntryHash(TKey key, TValue value) => unchecked((KeyComparer.GetHashCode(key) * 31) + (value is null ? 0 : ValueComparer.GetHashCode(value)));

    private void Index(TKey key, int change)
    {
        if (_rootsOf is null)
        {
            return;
        }

        if (_roots is null)
        {
            // Not indexed yet: the index is made whole when the map first grows past the
            // threshold (the new key is then among the entries or added below).
            if (change < 0 || _count <= IndexThreshold)
            {
                return;
            }

            _roots = HashTrie<object, Readers>.Node.Empty;
            foreach (var pair in this)
            {
                Index(pair.Key, +1);
            }
        }

        var keyHash = HashTrie<TKey, bool>.Hash(key);
        foreach (var root in _rootsOf(key))
        {
            // One key may read a root twice (a condition comparing two members of one object):
            // the set holds it once, so only a change of the set changes the count.
            var rootHash = HashTrie<object, Readers>.Hash(root);
            var known = ReadersOf(root);
            var keys = known?.Keys ?? HashTrie<TKey, bool>.Node.Empty;
            var present = HashTrie<TKey, bool>.TryGetValue(keys, keyHash, key, out _);
            if (change > 0 && !present)
            {
                _roots = HashTrie<object, Readers>.SetItem(_roots, rootHash, root, new Readers((known?.Count ?? 0) + 1, HashTrie<TKey, bool>.SetItem(keys, keyHash, key, true)));
            }
            else if (change < 0 && present)
            {
                _roots = known!.Count == 1
                    ? HashTrie<object, Readers>.Remove(_roots, rootHash, root)
                    : HashTrie<object, Readers>.SetItem(_roots, rootHash, root, new Readers(known.Count - 1, HashTrie<TKey, bool>.Remove(keys, keyHash, key)));
            }
        }
    }

    /// <summary>The keys that read one root, and how many.</summary>
    private sealed class Readers(int count, HashTrie<TKey, bool>.Node keys)
    {
        public int Count { get; } = count;

        public HashTrie<TKey, bool>.Node Keys { get; } = keys;
    }
}

