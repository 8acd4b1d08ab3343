using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Vmap.Analyzers.Baseline;

/// <summary>
/// Turns findings into <see cref="BaselineEntry"/> keys: rule, file, member, fingerprint and
/// occurrence, from the finding's location and its syntax tree alone.
/// </summary>
internal static class BaselineKey
{
    /// <summary>The rules whose findings a baseline can hold: those reported at a line of source.</summary>
    public static readonly ImmutableHashSet<string> BaselinedRules = ImmutableHashSet.Create(
        StringComparer.Ordinal,
        RuleIds.VMAP001,
        RuleIds.VMAP002,
        RuleIds.VMAP003,
        RuleIds.VMAP004,
        RuleIds.VMAP005,
        RuleIds.VMAP006,
        RuleIds.VMAP008,
        RuleIds.VMAP009,
        RuleIds.VMAP010);

    private const int TextLength = 100;

    /// <summary>
    /// The entry of each finding a baseline can hold, in the order given, with its occurrence:
    /// findings with the same rule, file, member and fingerprint are numbered 0, 1, ... in the
    /// order they appear in the file. A finding without a source location gets none.
    /// </summary>
    public static IReadOnlyList<(Diagnostic Finding, BaselineEntry Entry)> Assign(IEnumerable<Diagnostic> findings, string root, CancellationToken cancellationToken)
    {
        var keyed = new List<(Diagnostic Finding, BaselineEntry Entry)>();
        foreach (var finding in findings)
        {
            if (BaselinedRules.Contains(finding.Id) && For(finding, root, cancellationToken) is { } key)
            {
                keyed.Add((finding, key));
            }
        }

        var numbered = new List<(Diagnostic Finding, BaselineEntry Entry)>(keyed.Count);
        foreach (var group in keyed.GroupBy(k => k.Entry))
        {
            var occurrence = 0;
            foreach (var (finding, key) in group.OrderBy(k => k.Finding.Location.SourceSpan.Start).ThenBy(k => k.Finding.Location.SourceSpan.End))
            {
                numbered.Add((finding, new BaselineEntry(key.Rule, key.Path, key.Member, key.Fingerprint, occurrence++, key.Text)));
            }
        }

        return numbered;
    }

    /// <summary>The key of one finding with occurrence 0, or <c>null</c> when it has no location in a syntax tree.</summary>
    public static BaselineEntry? For(Diagnostic finding, string root, CancellationToken cancellationToken)
    {
        if (finding.Location.SourceTree is not { } tree || !finding.Location.IsInSource)
        {
            return null;
        }

        var span = finding.Location.SourceSpan;
        var text = tree.GetText(cancellationToken);
        var syntax = tree.GetRoot(cancellationToken);
        if (span.End > text.Length)
        {
            return null;
        }

        var lines = Lines(text, span);
        var node = syntax.FindToken(span.Start).Parent ?? syntax;
        return new BaselineEntry(
            finding.Id,
            RelativePath(tree.FilePath, root),
            BaselineMember.Of(node),
            Fingerprint(TokenText(syntax, lines)),
            0,
            Shorten(Collapse(text.ToString(lines))));
    }

    /// <summary>
    /// The tokens on the lines, joined by one blank: re-indenting or re-spacing the lines, or
    /// editing a comment on them, leaves this unchanged; changing any token changes it.
    /// </summary>
    public static string TokenText(SyntaxNode root, TextSpan lines)
    {
        var text = new StringBuilder();
        foreach (var token in root.DescendantTokens(lines))
        {
            if (token.Span.Length == 0 || !token.Span.OverlapsWith(lines))
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(token.Text);
        }

        return text.ToString();
    }

    /// <summary>64-bit FNV-1a of the UTF-8 text, as 16 lowercase hexadecimal digits: stable across processes and platforms.</summary>
    public static string Fingerprint(string tokenText)
    {
        const ulong OffsetBasis = 14695981039346656037;
        const ulong Prime = 1099511628211;
        var hash = OffsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(tokenText))
        {
            hash ^= b;
            hash *= Prime;
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// <paramref name="path"/> relative to <paramref name="root"/>, with '/' separators; <c>../</c>
    /// steps when the file is outside the root, the whole path when they share no folder at all.
    /// </summary>
    public static string RelativePath(string path, string root)
    {
        var file = path.Replace('\\', '/').Split(new[] { '/' }, StringSplitOptions.None);
        var folder = root.Replace('\\', '/').TrimEnd('/').Split(new[] { '/' }, StringSplitOptions.None);
        var common = 0;
        while (common < folder.Length && common < file.Length - 1 && string.Equals(folder[common], file[common], StringComparison.OrdinalIgnoreCase))
        {
            common++;
        }

        if (common == 0 || (common == 1 && folder[0].Length == 0 && folder.Length > 1))
        {
            // Nothing in common but the file system's root (another drive, another tree).
            return path.Replace('\\', '/');
        }

        var relative = new StringBuilder();
        for (var i = common; i < folder.Length; i++)
        {
            relative.Append("../");
        }

        relative.Append(string.Join("/", file, common, file.Length - common));
        return relative.ToString();
    }

    /// <summary>Every whole line the span touches, without the last line break.</summary>
    private static TextSpan Lines(SourceText text, TextSpan span)
    {
        var first = text.Lines.GetLineFromPosition(span.Start);
        var last = span.Length == 0 ? first : text.Lines.GetLineFromPosition(span.End - 1);
        return TextSpan.FromBounds(first.Start, last.End);
    }

    private static string Collapse(string text)
    {
        var result = new StringBuilder(text.Length);
        var blank = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                blank = result.Length > 0;
                continue;
            }

            if (blank)
            {
                result.Append(' ');
                blank = false;
            }

            result.Append(c);
        }

        return result.ToString();
    }

    private static string Shorten(string text) => text.Length <= TextLength ? text : text.Substring(0, TextLength - 3) + "...";
}
