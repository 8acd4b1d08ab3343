using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Tests.Pairing;

public class LatticeTests
{
    private static readonly StorageKey P = new(new StorageRoot(StorageRootKind.Local, "p", 1));
    private static readonly StorageKey Bp = new(new StorageRoot(StorageRootKind.Parameter, "bp"));
    private static readonly StorageKey Bpx = new(new StorageRoot(StorageRootKind.Parameter, "bpx"));

    [Fact]
    public void Mapping_joined_with_zero_is_a_mapping_that_may_be_zero()
    {
        var joined = AbstractValue.Join(AbstractValue.MappedBy(3), AbstractValue.Zero);

        Assert.Equal(new AbstractValue(ValueKind.Mapped, 3, MaybeZero: true), joined);
        Assert.Equal(joined, AbstractValue.Join(AbstractValue.Zero, AbstractValue.MappedBy(3)));
    }

    [Fact]
    public void Two_different_mappings_join_to_unknown()
    {
        Assert.Equal(AbstractValue.Unknown, AbstractValue.Join(AbstractValue.MappedBy(1), AbstractValue.MappedBy(2)));
    }

    [Fact]
    public void Same_offset_from_two_paths_keeps_the_earlier_origin()
    {
        var tree = CSharpSyntaxTree.ParseText("class C { void M() { var a = 1; var b = 2; } }");
        var declarators = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax>().ToArray();
        var early = new AbstractValue(ValueKind.Offset, 5, Origin: declarators[0]);
        var late = new AbstractValue(ValueKind.Offset, 5, Origin: declarators[1]);

        Assert.Same(early, AbstractValue.Join(late, early));
        Assert.Same(early, AbstractValue.Join(early, late));
    }

    [Fact]
    public void Facts_join_as_a_union_of_possible_states()
    {
        var joined = MappingFacts.Join(new MappingFacts(MappingFlags.Live), new MappingFacts(MappingFlags.Released));

        Assert.Equal(MappingFlags.Live | MappingFlags.Released, joined.Flags);
        Assert.True(joined.MayBeLive);
        Assert.True(joined.MayBeReleased);
        Assert.False(joined.Escape().MayBeLive);
        Assert.False(joined.Escape().MayBeReleased);
    }

    [Fact]
    public void A_mapping_missing_on_one_path_joins_as_absent_there()
    {
        var mapped = PairingState.Empty;
        mapped.Mappings[0] = new MappingFacts(MappingFlags.Live);
        mapped.Storage[P] = AbstractValue.MappedBy(0);
        var unmapped = PairingState.Empty;
        unmapped.Storage[P] = AbstractValue.Zero;

        var joined = PairingState.Join(mapped, unmapped);

        Assert.Equal(MappingFlags.Live | MappingFlags.Absent, joined.Facts(0).Flags);
        Assert.Equal(new AbstractValue(ValueKind.Mapped, 0, MaybeZero: true), joined.Get(P));
    }

    [Fact]
    public void A_join_that_forgets_a_condition_makes_mappings_in_different_states_unknown()
    {
        var guard = ConditionKey.Of(new StorageKey(new StorageRoot(StorageRootKind.Parameter, "a")));
        var pinned = PairingState.Empty;
        pinned.Conditions[guard] = true;
        pinned.Mappings[0] = new MappingFacts(MappingFlags.Live);
        pinned.Mappings[1] = new MappingFacts(MappingFlags.Live);
        var skipped = PairingState.Empty;
        skipped.Conditions[guard] = false;
        skipped.Mappings[1] = new MappingFacts(MappingFlags.Live);

        var joined = PairingState.Join(pinned, skipped);

        // Mapping 0 was live exactly where the forgotten test held: nothing may be claimed about it.
        Assert.False(joined.Facts(0).IsTracked);
        Assert.Equal(MappingFlags.Live | MappingFlags.Absent | MappingFlags.Escaped, joined.Facts(0).Flags);
        // Mapping 1 was live on both sides: the test did not decide it, its claims stand.
        Assert.Equal(new MappingFacts(MappingFlags.Live), joined.Facts(1));
        Assert.Empty(joined.Conditions);
    }

    [Fact]
    public void A_join_that_keeps_every_condition_keeps_the_mappings_tracked()
    {
        var guard = ConditionKey.Of(new StorageKey(new StorageRoot(StorageRootKind.Parameter, "a")));
        var live = PairingState.Empty;
        live.Conditions[guard] = true;
        live.Mappings[0] = new MappingFacts(MappingFlags.Live);
        var released = PairingState.Empty;
        released.Conditions[guard] = true;
        released.Mappings[0] = new MappingFacts(MappingFlags.Released);

        var joined = PairingState.Join(live, released);

        Assert.Equal(new MappingFacts(MappingFlags.Live | MappingFlags.Released), joined.Facts(0));
        Assert.True(joined.Facts(0).IsTracked);
    }

    [Fact]
    public void The_start_joined_with_an_offset_of_it_is_an_offset_on_some_path()
    {
        var tree = CSharpSyntaxTree.ParseText("class C { void M() { var a = 1; } }");
        var origin = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax>().Single();
        var offset = new AbstractValue(ValueKind.Offset, 2, Origin: origin);

        var joined = AbstractValue.Join(AbstractValue.MappedBy(2), offset);

        Assert.Equal(offset with { MaybeStart = true }, joined);
        Assert.Equal(joined, AbstractValue.Join(offset, AbstractValue.MappedBy(2)));
        Assert.Equal(joined, AbstractValue.Join(joined, offset));
        Assert.Equal(AbstractValue.Unknown, AbstractValue.Join(AbstractValue.MappedBy(3), offset));
    }

    [Fact]
    public void Losing_where_a_mapping_lives_silences_it()
    {
        var a = PairingState.Empty;
        a.Mappings[0] = new MappingFacts(MappingFlags.Live);
        a.Storage[P] = AbstractValue.MappedBy(0);
        var b = PairingState.Empty;
        b.Storage[P] = new AbstractValue(ValueKind.Constant, Number: 7);

        var joined = PairingState.Join(a, b);

        Assert.Equal(AbstractValue.Unknown, joined.Get(P));
        Assert.False(joined.Facts(0).IsTracked);
    }

    [Fact]
    public void Only_conditions_both_paths_agree_on_survive_a_join()
    {
        var mapped = ConditionKey.Of(new StorageKey(new StorageRoot(StorageRootKind.Local, "mapped", 4)));
        var n = ConditionKey.Of(new StorageKey(new StorageRoot(StorageRootKind.Parameter, "n")));
        var a = PairingState.Empty;
        a.Conditions[mapped] = true;
        a.Conditions[n] = true;
        var b = PairingState.Empty;
        b.Conditions[mapped] = false;
        b.Conditions[n] = true;

        var joined = PairingState.Join(a, b);

        Assert.Equal(new[] { n }, joined.Conditions.Keys.ToArray());
        Assert.False(a.SameConditions(b));
    }

    [Fact]
    public void Invalidating_a_receiver_forgets_its_members_and_the_conditions_that_read_them()
    {
        var state = PairingState.Empty;
        state.Storage[Bp.Member("Addr")] = AbstractValue.MappedBy(0);
        state.Storage[Bpx] = AbstractValue.Zero;
        state.Conditions[ConditionKey.Of(Bp.Member("Mapped"))] = true;
        state.Conditions[ConditionKey.BinaryOf(ConditionKey.Of(Bp.Member("PageCount")), BinaryOperatorKind.GreaterThan, ConditionKey.OfConstant("1"))] = true;
        state.Conditions[ConditionKey.UnmappedOf(Bp.Member("Addr"))] = true;
        state.Conditions[ConditionKey.Of(Bpx)] = true;

        state.Invalidate(Bp);

        Assert.Equal(new[] { Bpx }, state.Storage.Keys.ToArray());
        Assert.Equal(new[] { ConditionKey.Of(Bpx) }, state.Conditions.Keys.ToArray());
    }

    [Theory]
    [InlineData(null, 0L, 4L, null, 0L, 1L, true)]
    [InlineData(null, 0L, 4L, null, 0L, 4L, false)]
    [InlineData("len:pages", 0L, null, "len:pages", 1L, null, true)]
    [InlineData("len:pages", 0L, null, "len:pages", 0L, null, false)]
    [InlineData("len:pages", 0L, null, "val:n", 0L, null, false)]
    [InlineData("len:pages", 0L, 4L, "val:n", 0L, 4L, false)]
    [InlineData("len:n", 0L, null, "val:n", 1L, null, false)] // the Length of n and n itself are different bases
    public void Counts_differ_only_when_both_are_known(string? mappedBase, long mappedOffset, long? mappedResolved, string? unmappedBase, long unmappedOffset, long? unmappedResolved, bool differ)
    {
        var mapped = new CountValue(Base(mappedBase), mappedOffset, mappedResolved, "m");
        var unmapped = new CountValue(Base(unmappedBase), unmappedOffset, unmappedResolved, "u");

        Assert.Equal(differ, CountValue.Differ(mapped, unmapped));
    }

    [Theory]
    [InlineData(1L, 0L, 2L, 0L, true)] // length vs length * 2: equal only at 0, no mapping's count
    [InlineData(1L, 0L, -1L, 0L, true)] // length vs length * -1: the same
    [InlineData(2L, 0L, 1L, 1L, false)] // length * 2 vs length + 1: equal at length 1
    [InlineData(2L, 0L, 3L, -2L, false)] // 2x vs 3x - 2: equal at x = 2
    [InlineData(2L, 0L, 4L, 1L, true)] // 2x vs 4x + 1: meet at no whole x
    [InlineData(2L, 0L, 2L, 0L, false)]
    [InlineData(3L, 6L, 1L, 0L, true)] // 3x + 6 vs x: meet at x = -3, a count of -3
    public void Scaled_counts_of_one_base_differ_unless_they_meet_at_a_positive_count(long mappedScale, long mappedOffset, long unmappedScale, long unmappedOffset, bool differ)
    {
        var mapped = new CountValue(Base("val:length"), mappedOffset, null, "m", mappedScale);
        var unmapped = new CountValue(Base("val:length"), unmappedOffset, null, "u", unmappedScale);

        Assert.Equal(differ, CountValue.Differ(mapped, unmapped));
    }

    /// <summary><c>len:pages</c> is the Length of parameter pages, <c>val:n</c> the value of parameter n.</summary>
    private static CountBase? Base(string? text) => text is null
        ? null
        : new CountBase(new StorageKey(new StorageRoot(StorageRootKind.Parameter, text.Substring(4))), text.StartsWith("len:", StringComparison.Ordinal));
}
