using Vmap.Package.Tests.Infrastructure;

namespace Vmap.Package.Tests;

public sealed class ReadmeTests
{
    [Fact]
    public void Internal_copies_shown_in_the_readme_are_the_ones_the_end_to_end_library_compiles()
    {
        // The copy under test starts with a comment that says why it exists; the README shows the rest.
        var compiled = File.ReadAllLines(Path.Combine(RepositoryLayout.ConsumerSources, "DmaLib", "Annotations.cs"))
            .SkipWhile(line => line.StartsWith("//", StringComparison.Ordinal));

        Assert.Contains(
            "```csharp\n" + string.Join('\n', compiled) + "\n```\n",
            File.ReadAllText(RepositoryLayout.Readme).ReplaceLineEndings("\n"));
    }
}
