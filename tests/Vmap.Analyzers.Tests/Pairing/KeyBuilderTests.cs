using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Tests.Pairing;

public class KeyBuilderTests
{
    [Theory]
    [InlineData("p@120", "p")]
    [InlineData("pages@p", "pages")]
    [InlineData("bp@p.Addr", "bp.Addr")]
    [InlineData("this._addr", "_addr")]
    [InlineData("this", "this")]
    [InlineData("Cache@t.Head", "Cache.Head")]
    public void Display_drops_positions_and_this(string key, string display)
    {
        Assert.Equal(display, KeyBuilder.Display(key));
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

        Assert.Equal(key, new KeyBuilder().Condition(test, ref actualPolarity));
        Assert.Equal(polarity, actualPolarity);
    }

    [Fact]
    public void A_test_that_calls_code_has_no_key()
    {
        var polarity = true;

        Assert.Null(new KeyBuilder().Condition(ConditionOperation("bp.IsMapped()"), ref polarity));
    }

    [Theory]
    [InlineData("[bp@p.Mapped]", "bp@p", true)]
    [InlineData("([bp@p.PageCount] GreaterThan 1)", "bp@p.PageCount", true)]
    [InlineData("[bpx@p.Mapped]", "bp@p", false)]
    [InlineData("[n@p]", "n@p", true)]
    public void Conditions_know_which_storages_they_read(string condition, string key, bool reads)
    {
        Assert.Equal(reads, KeyBuilder.ConditionReads(condition, key));
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
