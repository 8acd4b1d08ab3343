using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Vmap.Analyzers.Baseline;

/// <summary>
/// The baseline file as read from its additional file: the entries, each with the line it is on
/// (a stale entry is reported there), and the lines that are neither entries nor comments.
/// </summary>
internal sealed class BaselineFile
{
    // The suppressor may be asked once per document; the text of one file is parsed once.
    private static readonly ConditionalWeakTable<SourceText, BaselineFile> s_parsed = new();

    private BaselineFile(string path, SourceText text)
    {
        Path = path;
        Text = text;
        var entries = new Dictionary<BaselineEntry, int>();
        var errors = new List<(int Line, string Text, string Reason)>();
        foreach (var line in text.Lines)
        {
            var content = line.ToString();
            if (BaselineEntry.Parse(content, out var error) is { } entry)
            {
                if (!BaselineKey.BaselinedRules.Contains(entry.Rule))
                {
                    errors.Add((line.LineNumber, content.Trim(), "no finding of " + entry.Rule + " can be in a baseline (only VMAP001-VMAP006 and VMAP008)"));
                }
                else if (entries.ContainsKey(entry))
                {
                    errors.Add((line.LineNumber, content.Trim(), "the same entry is on line " + (entries[entry] + 1) + " already"));
                }
                else
                {
                    entries.Add(entry, line.LineNumber);
                }
            }
            else if (error is not null)
            {
                errors.Add((line.LineNumber, content.Trim(), error));
            }
        }

        Entries = entries;
        Errors = errors;
    }

    public string Path { get; }

    public SourceText Text { get; }

    /// <summary>Each entry and the 0-based line it is on.</summary>
    public IReadOnlyDictionary<BaselineEntry, int> Entries { get; }

    /// <summary>The 0-based line, its text and what is wrong, for each line that is no entry.</summary>
    public IReadOnlyList<(int Line, string Text, string Reason)> Errors { get; }

    public static BaselineFile Read(string path, SourceText text) =>
        s_parsed.GetValue(text, t => new BaselineFile(path, t));

    /// <summary>Where a line of the file is, for a diagnostic about it.</summary>
    public Location LineLocation(int line)
    {
        var span = Text.Lines[line].Span;
        return Location.Create(Path, span, Text.Lines.GetLinePositionSpan(span));
    }
}
