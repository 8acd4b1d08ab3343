using Vmap.Analyzers.Baseline;

namespace Vmap.Analyzers.Tests.Baseline;

/// <summary>The baseline file's line format: what is written reads back as the same entry, and what is not an entry says why.</summary>
public class BaselineEntryTests
{
    [Fact]
    public void An_entry_reads_back_as_written_with_blanks_and_percents_in_the_path_escaped()
    {
        var entry = new BaselineEntry("VMAP002", "My Cache/100%/Buffers.cs", "Cache.Buffers.Lost(int)", "0123456789abcdef", 2, "q = IntPtr.Zero; // the line");

        var line = entry.Format();
        var read = BaselineEntry.Parse(line, out var error);

        Assert.Equal("VMAP002 My%20Cache/100%25/Buffers.cs Cache.Buffers.Lost(int) 0123456789abcdef 2 q = IntPtr.Zero; // the line", line);
        Assert.Null(error);
        Assert.NotNull(read);
        Assert.Equal(
            ("VMAP002", "My Cache/100%/Buffers.cs", "Cache.Buffers.Lost(int)", "0123456789abcdef", 2, "q = IntPtr.Zero; // the line"),
            (read.Rule, read.Path, read.Member, read.Fingerprint, read.Occurrence, read.Text));
        Assert.Equal("VMAP002 My%20Cache/100%25/Buffers.cs Cache.Buffers.Lost(int) 0123456789abcdef 2", read.Key());
    }

    [Fact]
    public void Tabs_and_runs_of_blanks_separate_fields_and_an_uppercase_fingerprint_is_the_same_entry()
    {
        var read = BaselineEntry.Parse("  VMAP003\tA.cs   A.M()\t0123456789ABCDEF  0  ", out var error);

        Assert.Null(error);
        Assert.Equal(new BaselineEntry("VMAP003", "A.cs", "A.M()", "0123456789abcdef", 0, "other text"), read);
        Assert.Equal(string.Empty, read!.Text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("# VMAP003 A.cs A.M() 0123456789abcdef 0")]
    [InlineData("  # a comment")]
    public void Blank_and_comment_lines_are_no_entry_and_no_error(string line)
    {
        Assert.Null(BaselineEntry.Parse(line, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("VMAP003 A.cs", "an entry has five fields (rule, file, member, fingerprint, occurrence); this line has 2")]
    [InlineData("VMAP03 A.cs A.M() 0123456789abcdef 0", "'VMAP03' is not a rule id (VMAPnnn)")]
    [InlineData("CA2000 A.cs A.M() 0123456789abcdef 0", "'CA2000' is not a rule id (VMAPnnn)")]
    [InlineData("VMAP003 A.cs A.M() 0123456789abcdeg 0", "'0123456789abcdeg' is not a fingerprint (16 hexadecimal digits)")]
    [InlineData("VMAP003 A.cs A.M() 0123456789abcde 0", "'0123456789abcde' is not a fingerprint (16 hexadecimal digits)")]
    [InlineData("VMAP003 A.cs A.M() 0123456789abcdef -1", "'-1' is not an occurrence (0, 1, ...)")]
    [InlineData("VMAP003 A.cs A.M() 0123456789abcdef first", "'first' is not an occurrence (0, 1, ...)")]
    [InlineData("VMAP003 A%2.cs A.M() 0123456789abcdef 0", "'A%2.cs' is not a file path (only %20 and %25 may follow a '%')")]
    public void A_line_that_is_no_entry_says_what_is_wrong(string line, string reason)
    {
        Assert.Null(BaselineEntry.Parse(line, out var error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void Entries_differing_only_in_text_are_equal_and_in_any_key_field_are_not()
    {
        var entry = new BaselineEntry("VMAP003", "A.cs", "A.M()", "0123456789abcdef", 0, "x");

        Assert.Equal(entry, new BaselineEntry("VMAP003", "A.cs", "A.M()", "0123456789abcdef", 0, "y"));
        Assert.Equal(entry.GetHashCode(), new BaselineEntry("VMAP003", "A.cs", "A.M()", "0123456789abcdef", 0, "y").GetHashCode());
        Assert.NotEqual(entry, new BaselineEntry("VMAP004", "A.cs", "A.M()", "0123456789abcdef", 0, "x"));
        Assert.NotEqual(entry, new BaselineEntry("VMAP003", "a.cs", "A.M()", "0123456789abcdef", 0, "x"));
        Assert.NotEqual(entry, new BaselineEntry("VMAP003", "A.cs", "A.N()", "0123456789abcdef", 0, "x"));
        Assert.NotEqual(entry, new BaselineEntry("VMAP003", "A.cs", "A.M()", "0123456789abcdee", 0, "x"));
        Assert.NotEqual(entry, new BaselineEntry("VMAP003", "A.cs", "A.M()", "0123456789abcdef", 1, "x"));
    }
}
