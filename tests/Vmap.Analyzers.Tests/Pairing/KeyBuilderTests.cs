using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Tests.Pairing;

public class KeyBuilderTests
{
    [Fact]
    public void Keys_render_for_conditions_and_display_without_positions_and_this()
    {
        var cases = new (StorageKey Key, string Rendered, string Display)[]
        {
            (new StorageKey(new StorageRoot(StorageRootKind.Local, "p", 120)), "p@120", "p"),
            (new StorageKey(new StorageRoot(StorageRootKind.Parameter, "pages")), "pages@p", "pages"),
            (new StorageKey(new StorageRoot(StorageRootKind.Parameter, "bp")).Member("Addr"), "bp@p.Addr", "bp.Addr"),
            (new StorageKey(StorageRoot.This).Member("_addr"), "this._addr", "_addr"),
            (new StorageKey(StorageRoot.This), "this", "this"),
            (new StorageKey(new StorageRoot(StorageRootKind.Type, "Cache")).Member("Head"), "Cache@t.Head", "Cache.Head"),
        };

        Assert.Equal(cases.Select(c => (c.Rendered, c.Display)), cases.Select(c => (c.Key.ToString(), c.Key.Display)));
    }

    [Fact]
    public void A_member_path_is_within_its_receiver_and_not_within_a_longer_name()
    {
        var bp = new StorageKey(new StorageRoot(StorageRootKind.Parameter, "bp"));
        var addr = bp.Member("Addr");

        Assert.True(addr.IsWithin(bp));
        Assert.True(addr.Member("Low").IsWithin(addr));
        Assert.False(bp.Member("AddrHigh").IsWithin(addr));
        Assert.False(bp.IsWithin(addr));
        Assert.Equal(bp, addr.Receiver);
        Assert.True(addr.IsMember);
        Assert.False(bp.IsMember);
    }

    [Fact]
    public void Member_paths_compare_by_value_and_rebase_member_by_member()
    {
        var bp = new StorageKey(new StorageRoot(StorageRootKind.Parameter, "bp"));
        var self = new StorageKey(StorageRoot.This);
        var low = bp.Member("Buf").Member("Addr").Member("Low");

        Assert.Equal(bp.Member("Buf").Member("Addr").Member("Low"), low);
        Assert.Equal(low.GetHashCode(), bp.Member("Buf").Member("Addr").Member("Low").GetHashCode());
        Assert.NotEqual(bp.Member("Buf").Member("Low"), low);
        Assert.Equal("Low", low.LastName);
        Assert.Equal("bp@p.Buf.Addr.Low", low.ToString());

        Assert.Equal(self.Member("Addr").Member("Low"), low.Rebase(bp.Member("Buf"), self));
        Assert.Equal(self.Member("Cur").Member("Buf").Member("Addr").Member("Low"), low.Rebase(bp, self.Member("Cur")));
        Assert.Equal(self.Member("Head"), bp.Member("Buf").Rebase(bp.Member("Buf"), self.Member("Head")));
        Assert.Equal("Buf.Addr.Low", low.Rebase(bp, self).Display);
    }

    [Theory]
    [InlineData("n > 1", "([n@p] GreaterThan 1)", true)]
    [InlineData("n <= 1", "([n@p] GreaterThan 1)", false)]
    [InlineData("!(n > 1)", "([n@p] GreaterThan 1)", false)]
    [InlineData("n >= 1", "([n@p] LessThan 1)", false)]
    [InlineData("bp.Mapped", "[bp@p.Mapped]", true)]
    [InlineData("!bp.Mapped", "[bp@p.Mapped]", false)]
    [InlineData("bp.Count != 0", "([bp@p.Count] Equals 0)", false)]
    [InlineData("Mapped", "[this.Mapped]", true)]
    [InlineData("(bp.Flags & 4) != 0", "(([bp@p.Flags] And 4) Equals 0)", false)]
    public void Conditions_have_one_canonical_key(string condition, string key, bool polarity)
    {
        var test = ConditionOperation(condition);
        var actualPolarity = true;

        Assert.Equal(key, new KeyBuilder().Condition(test, ref actualPolarity)?.ToString());
        Assert.Equal(polarity, actualPolarity);
    }

    [Fact]
    public void A_test_that_calls_code_has_no_key()
    {
        var polarity = true;

        Assert.Null(new KeyBuilder().Condition(ConditionOperation("bp.IsMapped()"), ref polarity));
    }

    [Theory]
    [InlineData("bp.Mapped", "bp", null, true)]
    [InlineData("bp.Count > 1", "bp", "Count", true)]
    [InlineData("bp.Count > 1", "bp", "Mapped", false)]
    [InlineData("!bp.Mapped && n > 1", "n", null, true)]
    [InlineData("n > 1", "bp", null, false)]
    public void Conditions_know_which_storages_they_read(string condition, string parameter, string? path, bool reads)
    {
        var polarity = true;
        var key = new KeyBuilder().Condition(ConditionOperation(condition), ref polarity)!;

        var storage = new StorageKey(new StorageRoot(StorageRootKind.Parameter, parameter));
        Assert.Equal(reads, key.Reads(path is null ? storage : storage.Member(path)));
    }

    [Fact]
    public void A_condition_does_not_read_a_storage_whose_name_starts_with_another()
    {
        var bpx = new StorageKey(new StorageRoot(StorageRootKind.Parameter, "bpx"));
        var bp = new StorageKey(new StorageRoot(StorageRootKind.Parameter, "bp"));

        Assert.False(ConditionKey.Of(bpx.Member("Mapped")).Reads(bp));
        Assert.True(ConditionKey.Of(bpx.Member("Mapped")).Reads(bpx));
    }

    [Fact]
    public void The_same_test_written_twice_is_one_key_and_rebases_onto_another_object()
    {
        var first = true;
        var second = true;
        var a = new KeyBuilder().Condition(ConditionOperation("bp.Count > 1"), ref first)!;
        var b = new KeyBuilder().Condition(ConditionOperation("!(bp.Count <= 1)"), ref second)!;
        var bp = new StorageKey(new StorageRoot(StorageRootKind.Parameter, "bp"));
        var cache = new StorageKey(StorageRoot.This).Member("_buf");

        Assert.Equal(a, b);
        Assert.Equal(first, second);
        Assert.True(a.ReadsMemberOf(bp));
        Assert.False(ConditionKey.Of(bp).ReadsMemberOf(bp));
        Assert.Equal("([this._buf.Count] GreaterThan 1)", a.Rebase(bp, cache).ToString());
        Assert.Equal(a, a.Rebase(bp, cache).Rebase(cache, bp));
    }

    private static IOperation ConditionOperation(string condition)
    {
        var source = $$"""
            class Buf { public bool Mapped; public int Count; public int Flags; public bool IsMapped() => Mapped; }
            class C
            {
                public bool Mapped;
                bool M(Buf bp, int n) => {{condition}};
            }
            """;
        var tree = CSharpSyntaxTree.ParseText(source);
        var compilation = CSharpCompilation.Create("Keys", new[] { tree }, new[] { MetadataReference.CreateFromFile(typeof(object).Assembly.Location) });
        var model = compilation.GetSemanticModel(tree);
        var body = tree.GetRoot().DescendantNodes().OfType<ArrowExpressionClauseSyntax>().Last();
        return model.GetOperation(body.Expression)!;
    }
}
