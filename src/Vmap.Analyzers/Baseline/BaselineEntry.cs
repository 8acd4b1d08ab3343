using System;
using System.Globalization;
using System.Text;

namespace Vmap.Analyzers.Baseline;

/// <summary>
/// One accepted finding: the line <c>VMAP002 Cache/LogBuffer.cs BufferCache.SetPtr(LogBuffer,nint) 5f1c0e9a3b2d4c68 0 bp.Addr = linear;</c>.
/// </summary>
/// <remarks>
/// Five fields separated by blanks, then free text: the rule id; the file, relative to the
/// baseline root with '/' separators (a blank or '%' in it is written <c>%20</c> / <c>%25</c>);
/// the containing member (<see cref="BaselineMember"/>, never holds a blank); the fingerprint of
/// the finding's lines (<see cref="BaselineKey"/>); and the occurrence, 0 unless several findings
/// share the first four fields. The text after them is the finding's line as it read when the
/// entry was written, for the reviewer; matching ignores it. No line number is part of an entry,
/// so edits elsewhere in the file leave it valid.
/// </remarks>
internal sealed class BaselineEntry : IEquatable<BaselineEntry>
{
    public BaselineEntry(string rule, string path, string member, string fingerprint, int occurrence, string text)
    {
        Rule = rule;
        Path = path;
        Member = member;
        Fingerprint = fingerprint;
        Occurrence = occurrence;
        Text = text;
    }

    public string Rule { get; }

    public string Path { get; }

    public string Member { get; }

    public string Fingerprint { get; }

    public int Occurrence { get; }

    /// <summary>The finding's line for the reader of the file; not part of the key.</summary>
    public string Text { get; }

    /// <summary>The line as the baseline file holds it.</summary>
    public string Format()
    {
        var line = Rule + " " + EscapePath(Path) + " " + Member + " " + Fingerprint + " " + Occurrence.ToString(CultureInfo.InvariantCulture);
        return Text.Length == 0 ? line : line + " " + Text;
    }

    /// <summary>The key fields only (no text), as messages quote an entry.</summary>
    public string Key() =>
        Rule + " " + EscapePath(Path) + " " + Member + " " + Fingerprint + " " + Occurrence.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads one line of a baseline file: <c>null</c> with no error for a blank or <c>#</c> comment
    /// line, <c>null</c> with <paramref name="error"/> saying what is wrong for anything else that
    /// is not an entry.
    /// </summary>
    public static BaselineEntry? Parse(string line, out string? error)
    {
        error = null;
        var trimmed = line.Trim();
        if (trimmed.Length == 0 || trimmed[0] == '#')
        {
            return null;
        }

        var fields = new string[5];
        var position = 0;
        for (var i = 0; i < fields.Length; i++)
        {
            position = SkipBlanks(trimmed, position);
            var start = position;
            while (position < trimmed.Length && !IsBlank(trimmed[position]))
            {
                position++;
            }

            if (start == position)
            {
                error = "an entry has five fields (rule, file, member, fingerprint, occurrence); this line has " + i.ToString(CultureInfo.InvariantCulture);
                return null;
            }

            fields[i] = trimmed.Substring(start, position - start);
        }

        if (!IsRuleId(fields[0]))
        {
            error = "'" + fields[0] + "' is not a rule id (VMAPnnn)";
            return null;
        }

        if (!IsFingerprint(fields[3]))
        {
            error = "'" + fields[3] + "' is not a fingerprint (16 hexadecimal digits)";
            return null;
        }

        if (!int.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var occurrence))
        {
            error = "'" + fields[4] + "' is not an occurrence (0, 1, ...)";
            return null;
        }

        var path = UnescapePath(fields[1]);
        if (path is null)
        {
            error = "'" + fields[1] + "' is not a file path (only %20 and %25 may follow a '%')";
            return null;
        }

        return new BaselineEntry(fields[0], path, fields[2], fields[3].ToLowerInvariant(), occurrence, trimmed.Substring(SkipBlanks(trimmed, position)));
    }

    /// <summary>Entries are the same finding when the key fields are equal; the text does not count.</summary>
    public bool Equals(BaselineEntry? other) =>
        other is not null &&
        Occurrence == other.Occurrence &&
        string.Equals(Rule, other.Rule, StringComparison.Ordinal) &&
        string.Equals(Path, other.Path, StringComparison.Ordinal) &&
        string.Equals(Member, other.Member, StringComparison.Ordinal) &&
        string.Equals(Fingerprint, other.Fingerprint, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as BaselineEntry);

    public override int GetHashCode()
    {
        unchecked
        {
            var hash = StringComparer.Ordinal.GetHashCode(Rule);
            hash = (hash * 31) + StringComparer.Ordinal.GetHashCode(Path);
            hash = (hash * 31) + StringComparer.Ordinal.GetHashCode(Member);
            hash = (hash * 31) + StringComparer.Ordinal.GetHashCode(Fingerprint);
            return (hash * 31) + Occurrence;
        }
    }

    public override string ToString() => Format();

    private static bool IsBlank(char c) => c == ' ' || c == '\t';

    private static int SkipBlanks(string text, int position)
    {
        while (position < text.Length && IsBlank(text[position]))
        {
            position++;
        }

        return position;
    }

    private static bool IsRuleId(string field)
    {
        if (field.Length != 7 || !field.StartsWith("VMAP", StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 4; i < field.Length; i++)
        {
            if (field[i] < '0' || field[i] > '9')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsFingerprint(string field)
    {
        if (field.Length != 16)
        {
            return false;
        }

        foreach (var c in field)
        {
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            {
                return false;
            }
        }

        return true;
    }

    // Blanks separate the fields, so a blank in a path is escaped, and '%' with it so the escape reads back.
    private static string EscapePath(string path) => path.Replace("%", "%25").Replace(" ", "%20");

    private static string? UnescapePath(string field)
    {
        if (field.IndexOf('%') < 0)
        {
            return field;
        }

        var path = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] != '%')
            {
                path.Append(field[i]);
            }
            else if (string.CompareOrdinal(field, i, "%20", 0, 3) == 0)
            {
                path.Append(' ');
                i += 2;
            }
            else if (string.CompareOrdinal(field, i, "%25", 0, 3) == 0)
            {
                path.Append('%');
                i += 2;
            }
            else
            {
                return null;
            }
        }

        return path.ToString();
    }
}
