using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using RemoveSecond = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP003_RemoveSecondUnmapFix>;

namespace Vmap.Analyzers.Tests.Fixes;

/// <summary>A fix's title says the release in its family's words (docs/configuration.md, words in messages).</summary>
public class FixTitleTests
{
    [Theory]
    [InlineData("var p = Marshal.AllocHGlobal(16);", "Marshal.FreeHGlobal({0});", null, "Remove the second free")]
    [InlineData("var p = Marshal.AllocCoTaskMem(16);", "Marshal.FreeCoTaskMem({0});", null, "Remove the second free")]
    [InlineData("var p = Native.Shm.Map(16);", "Native.Shm.Unmap({0});", "acquire: Native.Shm.Map | release: Native.Shm.Unmap(address)", "Remove the second release")]
    [InlineData("var p = Native.Shm.Map(16);", "Native.Shm.Unmap({0});", "acquire: Native.Shm.Map | release: Native.Shm.Unmap(address) | verb: closed", "Remove the second release")]
    public Task The_title_names_the_family_s_release(string acquire, string release, string? pair, string title)
    {
        const string Native = """

            namespace Native
            {
                public static class Shm
                {
                    public static nint Map(int length) => 4096;
                    public static void Unmap(nint address) { }
                }
            }
            """;
        var source = "using System.Buffers;\nusing System.Runtime.InteropServices;\n\nclass C\n{\n    void M()\n    {\n        " + acquire + "\n        " +
            string.Format(release, "{|#1:p|}") + "\n        " + string.Format(release, "{|#0:p|}") + "\n    }\n}\n" + Native;
        var fixedSource = "using System.Buffers;\nusing System.Runtime.InteropServices;\n\nclass C\n{\n    void M()\n    {\n        " + acquire + "\n        " +
            string.Format(release, "p") + "\n    }\n}\n" + Native;
        var test = RemoveSecond.CreateBuiltIn(
            source,
            fixedSource,
            pair is null ? null : RemoveSecond.EditorConfig(("shm", pair)),
            RemoveSecond.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1));
        test.CodeActionVerifier = (action, verifier) => verifier.Equal(title, action.Title);
        return test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public Task The_runtime_s_title_says_unmap()
    {
        const string Source = """
            using Vmap;

            class C
            {
                void M(VmapSpace space)
                {
                    var p = space.Vmalloc(16);
                    space.Vfree({|#1:p|});
                    space.Vfree({|#0:p|});
                }
            }
            """;
        const string Fixed = """
            using Vmap;

            class C
            {
                void M(VmapSpace space)
                {
                    var p = space.Vmalloc(16);
                    space.Vfree(p);
                }
            }
            """;
        var test = RemoveSecond.Create(Source, Fixed, RemoveSecond.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1));
        test.CodeActionVerifier = (action, verifier) => verifier.Equal("Remove the second unmap", action.Title);
        return test.RunAsync(CancellationToken.None);
    }
}
