using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Tests.Pairing;

/// <summary>
/// The walker's persistent maps (<see cref="StateMap{TKey, TValue}"/> over <see cref="HashTrie{TKey, TValue}"/>)
/// against a plain dictionary: the same entries after any sequence of writes and removals, clones
/// that stay as they were, and a diff that names every key where two maps differ.
/// </summary>
public class HashTrieTests
{
    /// <summary>A key whose hash the test chooses, so keys can collide in some or all 32 bits.</summary>
    private sealed record Key(int Id, int Hash)
    {
        public override int GetHashCode() => Hash;

        public bool Equals(Key? other) => other is not null && other.Id == Id;
    }

    public static TheoryData<int> Seeds => new() { 1, 2, 3, 4, 5 };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Writes_and_removals_keep_the_same_entries_as_a_dictionary_and_clones_keep_theirs(int seed)
    {
        var random = new Random(seed);
        var map = new StateMap<Key, int>();
        var model = new Dictionary<Key, int>();
        var snapshots = new List<(StateMap<Key, int> Map, Dictionary<Key, int> Model)>();
        for (var step = 0; step < 4_000; step++)
        {
            var key = RandomKey(random);
            if (random.Next(4) == 0)
            {
                Assert.Equal(model.Remove(key), map.Remove(key));
            }
            else
            {
                var value = random.Next(5);
                map[key] = value;
                model[key] = value;
            }

            if (step % 500 == 0)
            {
                snapshots.Add((map.Clone(), new Dictionary<Key, int>(model)));
            }
        }

        AssertSame(model, map);
        foreach (var (snapshot, expected) in snapshots)
        {
            AssertSame(expected, snapshot);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void The_keys_that_may_differ_include_every_key_whose_entries_differ(int seed)
    {
        var random = new Random(seed);
        var common = new StateMap<Key, int>();
        for (var i = 0; i < 2_000; i++)
        {
            common[RandomKey(random)] = random.Next(5);
        }

        var left = common.Clone();
        var right = common.Clone();
        for (var i = 0; i < 20; i++)
        {
            Change(left, random);
            Change(right, random);
        }

        var keys = left.KeysThatMayDiffer(right);
        var differing = Entries(left).Keys.Union(Entries(right).Keys)
            .Where(k => left.TryGetValue(k, out var a) != right.TryGetValue(k, out var b) || a != b)
            .ToList();
        Assert.NotEmpty(differing);
        Assert.All(differing, k => Assert.Contains(k, keys));

        // Two clones that changed 20 keys each share the rest of their nodes: the diff looks at the
        // changed paths, not at 2,000 entries.
        Assert.True(keys.Count < 400, $"{keys.Count} keys named for 40 changes");
        Assert.Equal(left.SameEntries(right), differing.Count == 0);
        Assert.Empty(common.KeysThatMayDiffer(common.Clone()));
    }

    [Fact]
    public void Keys_whose_hashes_are_equal_in_every_bit_are_kept_apart()
    {
        var map = new StateMap<Key, int>();
        map[new Key(1, 7)] = 10;
        map[new Key(2, 7)] = 20;
        map[new Key(3, 7 + (1 << 30))] = 30;
        var before = map.Clone();
        map[new Key(2, 7)] = 21;
        Assert.True(map.Remove(new Key(1, 7)));

        Assert.Equal(new Dictionary<Key, int> { [new Key(2, 7)] = 21, [new Key(3, 7 + (1 << 30))] = 30 }, Entries(map));
        Assert.Equal(new Dictionary<Key, int> { [new Key(1, 7)] = 10, [new Key(2, 7)] = 20, [new Key(3, 7 + (1 << 30))] = 30 }, Entries(before));
        Assert.Equal(new HashSet<Key> { new(1, 7), new(2, 7) }, before.KeysThatMayDiffer(map).Intersect(new[] { new Key(1, 7), new Key(2, 7) }).ToHashSet());
        Assert.False(map.SameEntries(before));
    }

    private static Key RandomKey(Random random)
    {
        var id = random.Next(3_000);

        // One key in eight shares its whole hash with others, one in eight its low 15 bits.
        var hash = (id % 8) switch
        {
            0 => id % 5,
            1 => (id % 3) | (id << 15),
            _ => id * -1640531535,
        };
        return new Key(id, hash);
    }

    private static void Change(StateMap<Key, int> map, Random random)
    {
        var key = RandomKey(random);
        if (random.Next(3) == 0)
        {
            map.Remove(key);
        }
        else
        {
            map[key] = 5 + random.Next(5);
        }
    }

    private static Dictionary<Key, int> Entries(StateMap<Key, int> map) => map.ToDictionary(p => p.Key, p => p.Value);

    private static void AssertSame(Dictionary<Key, int> expected, StateMap<Key, int> map)
    {
        Assert.Equal(expected.Count, map.Count);
        Assert.Equal(expected, Entries(map));
        foreach (var pair in expected)
        {
            Assert.True(map.TryGetValue(pair.Key, out var value));
            Assert.Equal(pair.Value, value);
        }

        Assert.Equal(expected.Keys.ToHashSet(), map.Keys.ToHashSet());
    }
}
