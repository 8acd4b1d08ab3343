using System.Collections.Generic;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// A persistent hash array mapped trie (Bagwell's HAMT): 32-way nodes indexed by five bits of the
/// key's hash at a time, a write copies the path to its key and shares every other node. It stands
/// in for <see cref="System.Collections.Immutable.ImmutableDictionary{TKey, TValue}"/> in the
/// walker's states for one operation that dictionary cannot do: <see cref="Diff"/> of two tries
/// that share most of their nodes visits only the paths where they differ. The states of one
/// method all descend from its entry state, so two paths that split a few tests ago share all but
/// a few paths, and the walker's join — which used to walk every mapping and condition the method
/// had met — walks those few (issue 25 §3). Hand-written: no package on the list offers a
/// persistent map with a structural diff that an analyzer (netstandard2.0, no dependencies
/// shipped beside it) can use.
/// </summary>
internal static class HashTrie<TKey, TValue>
    where TKey : notnull
{
    private const int BitsPerLevel = 5;

    private const int LevelMask = (1 << BitsPerLevel) - 1;

    private static readonly IEqualityComparer<TKey> KeyComparer = EqualityComparer<TKey>.Default;

    private static readonly IEqualityComparer<TValue> ValueComparer = EqualityComparer<TValue>.Default;

    /// <summary>An entry; <see cref="Next"/> chains the entries whose hashes are equal in all 32 bits.</summary>
    internal sealed class Leaf(int hash, TKey key, TValue value, Leaf? next)
    {
        public int Hash { get; } = hash;

        public TKey Key { get; } = key;

        public TValue Value { get; } = value;

        public Leaf? Next { get; } = next;
    }

    /// <summary>A node: <see cref="Bitmap"/> says which of the 32 slots are used, <see cref="Slots"/> holds them in order (a <see cref="Leaf"/> or a <see cref="Node"/>).</summary>
    internal sealed class Node(uint bitmap, object[] slots)
    {
        public static readonly Node Empty = new(0, new object[0]);

        public uint Bitmap { get; } = bitmap;

        public object[] Slots { get; } = slots;
    }

    public static int Hash(TKey key) => KeyComparer.GetHashCode(key);

    public static bool TryGetValue(Node root, int hash, TKey key, out TValue value)
    {
        object? slot = root;
        for (var shift = 0; slot is Node node; shift += BitsPerLevel)
        {
            var bit = Bit(hash, shift);
            slot = (node.Bitmap & bit) == 0 ? null : node.Slots[Position(node.Bitmap, bit)];
        }

        for (var leaf = slot as Leaf; leaf is not null; leaf = leaf.Next)
        {
            if (leaf.Hash == hash && KeyComparer.Equals(leaf.Key, key))
            {
                value = leaf.Value;
                return true;
            }
        }

        value = default!;
        return false;
    }

    /// <summary>The trie with <paramref name="key"/> set to <paramref name="value"/> (the caller has checked that it changes something).</summary>
    public static Node SetItem(Node root, int hash, TKey key, TValue value) => Set(root, hash, key, value, 0);

    /// <summary>The trie without <paramref name="key"/> (the caller has checked that it is there).</summary>
    public static Node Remove(Node root, int hash, TKey key) => Without(root, hash, key, 0) as Node ?? Node.Empty;

    public static Enumerator Entries(Node root) => new(root);

    /// <summary>
    /// The entries in slot order. A struct, and it allocates only to descend below the root: the
    /// walker enumerates a state's storages at every release and exit, and most states fit in
    /// the root's 32 slots.
    /// </summary>
    public struct Enumerator : IEnumerator<KeyValuePair<TKey, TValue>>, IEnumerable<KeyValuePair<TKey, TValue>>
    {
        private readonly Node _root;

        private Node _node;

        private int _index;

        private Leaf? _leaf;

        private Stack<(Node Node, int Index)>? _parents;

        public Enumerator(Node root)
        {
            _root = root;
            _node = root;
            _index = 0;
            _leaf = null;
            _parents = null;
        }

        public readonly KeyValuePair<TKey, TValue> Current => new(_leaf!.Key, _leaf.Value);

        readonly object System.Collections.IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (_leaf?.Next is { } next)
            {
                _leaf = next;
                return true;
            }

            while (true)
            {
                if (_index < _node.Slots.Length)
                {
                    var slot = _node.Slots[_index++];
                    if (slot is Leaf leaf)
                    {
                        _leaf = leaf;
                        return true;
                    }

                    (_parents ??= new()).Push((_node, _index));
                    _node = (Node)slot;
                    _index = 0;
                    continue;
                }

                if (_parents is not { Count: > 0 })
                {
                    _leaf = null;
                    return false;
                }

                (_node, _index) = _parents.Pop();
            }
        }

        public void Reset()
        {
            _node = _root;
            _index = 0;
            _leaf = null;
            _parents = null;
        }

        public readonly void Dispose()
        {
        }

        public readonly Enumerator GetEnumerator() => new(_root);

        readonly IEnumerator<KeyValuePair<TKey, TValue>> IEnumerable<KeyValuePair<TKey, TValue>>.GetEnumerator() => GetEnumerator();

        readonly System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// Adds to <paramref name="keys"/> every key whose entry may differ between the two tries (a
    /// superset, and a key may come twice: where a leaf meets a node all keys under both are
    /// added), skipping every node the two share.
    /// </summary>
    public static void Diff(Node a, Node b, List<TKey> keys) => DiffSlots(a, b, keys);

    private static void DiffSlots(object? a, object? b, List<TKey> keys)
    {
        if (ReferenceEquals(a, b))
        {
            return;
        }

        if (a is Node left && b is Node right)
        {
            var used = left.Bitmap | right.Bitmap;
            while (used != 0)
            {
                var bit = used & (~used + 1);
                used &= ~bit;
                DiffSlots(
                    (left.Bitmap & bit) == 0 ? null : left.Slots[Position(left.Bitmap, bit)],
                    (right.Bitmap & bit) == 0 ? null : right.Slots[Position(right.Bitmap, bit)],
                    keys);
            }

            return;
        }

        AddKeys(a, keys);
        AddKeys(b, keys);
    }

    private static void AddKeys(object? slot, List<TKey> keys)
    {
        switch (slot)
        {
            case Node node:
                foreach (var child in node.Slots)
                {
                    AddKeys(child, keys);
                }

                break;
            case Leaf leaf:
                for (var entry = leaf; entry is not null; entry = entry.Next)
                {
                    keys.Add(entry.Key);
                }

                break;
        }
    }

    private static Node Set(Node node, int hash, TKey key, TValue value, int shift)
    {
        var bit = Bit(hash, shift);
        var position = Position(node.Bitmap, bit);
        if ((node.Bitmap & bit) == 0)
        {
            var grown = new object[node.Slots.Length + 1];
            System.Array.Copy(node.Slots, 0, grown, 0, position);
            grown[position] = new Leaf(hash, key, value, null);
            System.Array.Copy(node.Slots, position, grown, position + 1, node.Slots.Length - position);
            return new Node(node.Bitmap | bit, grown);
        }

        object replacement = node.Slots[position] switch
        {
            Node child => Set(child, hash, key, value, shift + BitsPerLevel),
            Leaf leaf when leaf.Hash == hash || shift + BitsPerLevel >= 32 => WithEntry(leaf, hash, key, value),
            Leaf leaf => Set(Set(Node.Empty, leaf, shift + BitsPerLevel), hash, key, value, shift + BitsPerLevel),
            _ => throw new System.InvalidOperationException("a trie slot holds neither a node nor a leaf"),
        };
        return WithSlot(node, position, replacement);
    }

    /// <summary>A node one level down holding <paramref name="leaf"/>'s chain (its entries share one hash).</summary>
    private static Node Set(Node empty, Leaf leaf, int shift) => new(empty.Bitmap | Bit(leaf.Hash, shift), new object[] { leaf });

    /// <summary>A chain of entries of equal hash with <paramref name="key"/> set (or added).</summary>
    private static Leaf WithEntry(Leaf chain, int hash, TKey key, TValue value)
    {
        if (chain.Hash != hash)
        {
            // Below the last level two different hashes can only meet if the hash has fewer bits
            // than the levels use; chain them anyway, lookups compare the full hash.
            return new Leaf(hash, key, value, chain);
        }

        var kept = new List<Leaf>();
        for (var entry = chain; entry is not null; entry = entry.Next)
        {
            if (!KeyComparer.Equals(entry.Key, key))
            {
                kept.Add(entry);
            }
        }

        var result = new Leaf(hash, key, value, null);
        foreach (var entry in kept)
        {
            result = new Leaf(entry.Hash, entry.Key, entry.Value, result);
        }

        return result;
    }

    /// <summary>The slot without <paramref name="key"/>: null when nothing is left, a lone leaf is pulled up.</summary>
    private static object? Without(object slot, int hash, TKey key, int shift)
    {
        if (slot is Leaf chain)
        {
            Leaf? result = null;
            for (var entry = chain; entry is not null; entry = entry.Next)
            {
                if (!(entry.Hash == hash && KeyComparer.Equals(entry.Key, key)))
                {
                    result = new Leaf(entry.Hash, entry.Key, entry.Value, result);
                }
            }

            return result;
        }

        var node = (Node)slot;
        var bit = Bit(hash, shift);
        if ((node.Bitmap & bit) == 0)
        {
            return node;
        }

        var position = Position(node.Bitmap, bit);
        var child = Without(node.Slots[position], hash, key, shift + BitsPerLevel);
        if (child is null)
        {
            if (node.Slots.Length == 1)
            {
                return null;
            }

            var shrunk = new object[node.Slots.Length - 1];
            System.Array.Copy(node.Slots, 0, shrunk, 0, position);
            System.Array.Copy(node.Slots, position + 1, shrunk, position, shrunk.Length - position);
            if (shift > 0 && shrunk.Length == 1 && shrunk[0] is Leaf lone)
            {
                return lone;
            }

            return new Node(node.Bitmap & ~bit, shrunk);
        }

        if (shift > 0 && node.Slots.Length == 1 && child is Leaf single)
        {
            return single;
        }

        return WithSlot(node, position, child);
    }

    private static Node WithSlot(Node node, int position, object replacement)
    {
        var slots = (object[])node.Slots.Clone();
        slots[position] = replacement;
        return new Node(node.Bitmap, slots);
    }

    private static uint Bit(int hash, int shift) => 1u << (int)(((uint)hash >> shift) & LevelMask);

    private static int Position(uint bitmap, uint bit) => PopCount(bitmap & (bit - 1));

    private static int PopCount(uint value)
    {
        // netstandard2.0 has no BitOperations.PopCount.
        value -= (value >> 1) & 0x55555555u;
        value = (value & 0x33333333u) + ((value >> 2) & 0x33333333u);
        return (int)((((value + (value >> 4)) & 0x0F0F0F0Fu) * 0x01010101u) >> 24);
    }
}
