using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Vmap.Analyzers.Baseline;

namespace Vmap.Analyzers.Tests.Baseline;

/// <summary>The parts of a key that come from syntax and paths: the member's name, the line's fingerprint, the relative file.</summary>
public class BaselineKeyTests
{
    [Theory]
    [InlineData("namespace A.B { class C { void M() { /*here*/ } } }", "A.B.C.M()")]
    [InlineData("namespace A; class C { void M(int x, string s) { /*here*/ } }", "A.C.M(int,string)")]
    [InlineData("namespace A { namespace B { class Outer<T> { class Inner { void M<U, V>(ref int a, out U b, in V c, params int[] d) { b = default!; /*here*/ } } } } }", "A.B.Outer`1.Inner.M``2(int@,U@,V@,int[])")]
    [InlineData("class C { void M(System.Collections.Generic.Dictionary<string,  int> d, byte* p) { /*here*/ } }", "C.M(System.Collections.Generic.Dictionary<string,int>,byte*)")]
    [InlineData("class C { C(int n) { /*here*/ } }", "C.#ctor(int)")]
    [InlineData("class C { static C() { /*here*/ } }", "C.#cctor()")]
    [InlineData("class C { ~C() { /*here*/ } }", "C.Finalize()")]
    [InlineData("class C { int P { get { /*here*/ return 0; } } }", "C.P")]
    [InlineData("class C { int this[int i, long j] { get { /*here*/ return 0; } } }", "C.this[int,long]")]
    [InlineData("class C : System.IDisposable { void System.IDisposable.Dispose() { /*here*/ } }", "C.System.IDisposable.Dispose()")]
    [InlineData("class C { public static C operator +(C a, C b) { /*here*/ return a; } }", "C.operator+(C,C)")]
    [InlineData("class C { public static implicit operator int(C c) { /*here*/ return 0; } }", "C.op_Implicit(C)~int")]
    [InlineData("class C { int a = 1, b = M(() => { /*here*/ return 2; }); static int M(System.Func<int> f) => f(); }", "C.b")]
    [InlineData("class C { void M() { void Local(int q) { /*here*/ } System.Action a = () => { /*no*/ }; } }", "C.M()")]
    [InlineData("record struct R(int X) { void M() { /*here*/ } }", "R.M()")]
    [InlineData("/*here*/ System.Console.WriteLine(1);", "<top-level>")]
    public void The_member_is_named_from_syntax_the_way_a_documentation_id_would(string source, string member)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest));
        var position = source.IndexOf("/*here*/", StringComparison.Ordinal);
        var node = tree.GetRoot().FindToken(position, findInsideTrivia: false).Parent!;

        Assert.Equal(member, BaselineMember.Of(node));
    }

    [Fact]
    public void The_fingerprint_is_64_bit_FNV_1a_of_the_UTF_8_text()
    {
        // The published FNV-1a test vectors.
        Assert.Equal("cbf29ce484222325", BaselineKey.Fingerprint(string.Empty));
        Assert.Equal("af63dc4c8601ec8c", BaselineKey.Fingerprint("a"));
        Assert.Equal("85944171f73967e8", BaselineKey.Fingerprint("foobar"));
    }

    [Fact]
    public void The_fingerprinted_text_is_the_tokens_of_the_lines_so_spacing_and_comments_do_not_count()
    {
        Assert.Equal("Marshal . FreeHGlobal ( p ) ;", LineTokens("class C { void M() {\n    Marshal.FreeHGlobal(p);\n} }", 1));
        Assert.Equal("Marshal . FreeHGlobal ( p ) ;", LineTokens("class C { void M() {\n\t\tMarshal . FreeHGlobal( p ) ;   // freed twice, known\n} }", 1));
        Assert.Equal("Marshal . FreeHGlobal ( q ) ;", LineTokens("class C { void M() {\n    Marshal.FreeHGlobal(q);\n} }", 1));
    }

    [Fact]
    public void A_finding_over_several_lines_fingerprints_all_of_them()
    {
        var source = "class C { void M() {\n    Release(\n        p);\n} }";
        var tree = CSharpSyntaxTree.ParseText(source);
        var text = tree.GetText();
        var span = TextSpan.FromBounds(text.Lines[1].Start, text.Lines[2].End);

        Assert.Equal("Release ( p ) ;", BaselineKey.TokenText(tree.GetRoot(), span));
    }

    [Theory]
    [InlineData("/repo/App/Cache/Buffers.cs", "/repo/App", "Cache/Buffers.cs")]
    [InlineData("/repo/App/Cache/Buffers.cs", "/repo/App/", "Cache/Buffers.cs")]
    [InlineData("/repo/Shared/Linked.cs", "/repo/App", "../Shared/Linked.cs")]
    [InlineData(@"C:\repo\App\Cache\Buffers.cs", @"C:\repo\App", "Cache/Buffers.cs")]
    [InlineData(@"C:\repo\app\Cache\Buffers.cs", @"C:\Repo\App", "Cache/Buffers.cs")]
    [InlineData(@"D:\gen\G.cs", @"C:\repo\App", "D:/gen/G.cs")]
    [InlineData("/elsewhere/G.cs", "/repo/App", "/elsewhere/G.cs")]
    public void The_file_is_relative_to_the_root_with_forward_slashes(string path, string root, string relative)
    {
        Assert.Equal(relative, BaselineKey.RelativePath(path, root));
    }

    private static string LineTokens(string source, int line)
    {
        var tree = CSharpSyntaxTree.ParseText(source);
        return BaselineKey.TokenText(tree.GetRoot(), tree.GetText().Lines[line].Span);
    }
}
