using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Vmap.Analyzers.Pairing;

/// <summary>One <c>vmap_pair.&lt;name&gt;</c> entry that cannot be used, and why.</summary>
internal sealed record PairConfigurationError(string Entry, string Reason);

/// <summary>Which calls between an acquire and its release the leak check treats as a way out of the method.</summary>
internal enum ExceptionPaths
{
    /// <summary>Explicit throws, and calls of source methods whose summary throws on some path.</summary>
    Explicit,

    /// <summary>Also every call not known not to throw (CA2000's strictness).</summary>
    AnyCall,
}

/// <summary>
/// Pairs users declare in .editorconfig for APIs they cannot annotate (docs/configuration.md):
/// <code>
/// vmap_pair.&lt;name&gt; = acquire: Ns.Type.Method | release: Ns.Type.Method(param) | family: f | count: p[, q] | leaks: true | verb: closed
/// </code>
/// Parts are separated by <c>|</c>: .editorconfig cuts a value at <c>;</c> or <c>#</c> (an inline comment).
/// <code>
/// </code>
/// <c>acquire: Ns.Type.Method(param)</c> names an out parameter that receives the block;
/// <c>release: Ns.Type.Method(this)</c> releases the receiver; <c>verb:</c> is the past participle
/// the messages use for the release ("'h' is closed again here"), "released" without it. A type the compilation does not
/// reference is skipped silently (one .editorconfig serves many projects); anything else that
/// does not resolve is an error naming the entry.
/// </summary>
internal static class ConfiguredPairs
{
    public const string KeyPrefix = "vmap_pair.";

    /// <summary><c>vmap_takes_ownership.&lt;name&gt; = Ns.Type.Method(parameter)</c>: that parameter adopts the mapping passed to it.</summary>
    public const string OwnershipPrefix = "vmap_takes_ownership.";

    /// <summary>
    /// <c>vmap_exception_paths = explicit | any_call</c>: which calls between an acquire and its
    /// release count as a way out of the method (docs/configuration.md). Default <c>explicit</c>.
    /// </summary>
    public const string ExceptionPathsKey = "vmap_exception_paths";

    private static readonly string[] KnownKeys = { "acquire", "release", "family", "count", "leaks", "verb" };

    /// <summary>Reads every <c>vmap_pair.*</c> entry visible to the compilation (global options and each tree's).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Read(AnalyzerConfigOptionsProvider provider, Compilation compilation, CancellationToken cancellationToken) =>
        Read(provider, compilation, KeyPrefix, cancellationToken);

    /// <summary>Reads every entry whose key starts with <paramref name="prefix"/> (global options and each tree's).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Read(AnalyzerConfigOptionsProvider provider, Compilation compilation, string prefix, CancellationToken cancellationToken) =>
        ReadAll(provider, compilation, cancellationToken).Where(prefix);

    /// <summary>
    /// Reads the <c>vmap_pair.*</c> and <c>vmap_takes_ownership.*</c> entries in one pass over the
    /// options (global and each tree's): a per-compilation cost paid even where nothing is configured.
    /// </summary>
    public static Entries ReadAll(AnalyzerConfigOptionsProvider provider, Compilation compilation, CancellationToken cancellationToken)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Collect(provider.GlobalOptions, entries);
        foreach (var tree in compilation.SyntaxTrees)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Collect(provider.GetOptions(tree), entries);
        }

        return new Entries(entries);
    }

    /// <summary>The configuration entries read once, split by prefix on demand.</summary>
    public sealed class Entries
    {
        private readonly SortedDictionary<string, string> _entries;

        public Entries(SortedDictionary<string, string> entries) => _entries = entries;

        /// <summary>No <c>vmap_*</c> entry at all: nothing to resolve, so nothing VMAP007 could report.</summary>
        public bool IsEmpty => _entries.Count == 0;

        public IReadOnlyList<KeyValuePair<string, string>> Where(string prefix)
        {
            var result = new List<KeyValuePair<string, string>>();
            foreach (var entry in _entries)
            {
                if (entry.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    result.Add(entry);
                }
            }

            return result;
        }
    }

    /// <summary>The <c>vmap_exception_paths</c> setting; a value that is neither choice is an error and the default applies.</summary>
    public static ExceptionPaths ResolveExceptionPaths(IReadOnlyList<KeyValuePair<string, string>> entries, List<PairConfigurationError> errors)
    {
        var result = ExceptionPaths.Explicit;
        foreach (var entry in entries)
        {
            if (!string.Equals(entry.Key, ExceptionPathsKey, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            switch (entry.Value.Trim().ToLowerInvariant())
            {
                case "explicit":
                    result = ExceptionPaths.Explicit;
                    break;
                case "any_call":
                    result = ExceptionPaths.AnyCall;
                    break;
                default:
                    errors.Add(new PairConfigurationError(entry.Key, "'" + entry.Value.Trim() + "' is not 'explicit' or 'any_call'"));
                    break;
            }
        }

        return result;
    }

    /// <summary>
    /// Resolves <c>vmap_takes_ownership.*</c> entries: the (method, parameter ordinal) pairs that
    /// adopt a mapping. A type the compilation does not reference is skipped silently.
    /// </summary>
    public static IReadOnlyList<(IMethodSymbol Method, int Ordinal)> ResolveOwnership(
        IReadOnlyList<KeyValuePair<string, string>> entries,
        Compilation compilation,
        List<PairConfigurationError> errors)
    {
        var result = new List<(IMethodSymbol, int)>();
        foreach (var entry in entries)
        {
            var text = entry.Value.Trim();
            if (ParseMethod(text) is not { Parameter: { } parameterName } reference)
            {
                errors.Add(new PairConfigurationError(entry.Key, "'" + text + "' is not 'Namespace.Type.Method(parameter)'"));
                continue;
            }

            if (compilation.GetTypeByMetadataName(reference.TypeName) is not { } type)
            {
                if (NestedTypeError(reference.TypeName, compilation) is { } nestedError)
                {
                    errors.Add(new PairConfigurationError(entry.Key, nestedError));
                }

                continue;
            }

            var methods = Methods(type, reference.MethodName);
            if (methods.Count == 0)
            {
                errors.Add(new PairConfigurationError(entry.Key, "'" + type.ToDisplayString() + "' has no method '" + reference.MethodName + "'"));
                continue;
            }

            var found = false;
            foreach (var method in methods)
            {
                if (Parameter(method, parameterName) is { } parameter)
                {
                    result.Add((method, parameter.Ordinal));
                    found = true;
                }
            }

            if (!found)
            {
                errors.Add(new PairConfigurationError(entry.Key, "no overload of '" + reference.MethodName + "' has a parameter '" + parameterName + "'"));
            }
        }

        return result;
    }

    /// <summary>
    /// Resolves <paramref name="entries"/> against <paramref name="compilation"/>: the pair
    /// description of every configured method, keyed by its original definition.
    /// </summary>
    public static IReadOnlyDictionary<IMethodSymbol, MethodAnnotation> Resolve(
        IReadOnlyList<KeyValuePair<string, string>> entries,
        Compilation compilation,
        List<PairConfigurationError> errors)
    {
        var maps = new Dictionary<IMethodSymbol, List<MapSpec>>(SymbolEqualityComparer.Default);
        var unmaps = new Dictionary<IMethodSymbol, List<UnmapSpec>>(SymbolEqualityComparer.Default);
        foreach (var entry in entries)
        {
            var name = entry.Key.Substring(KeyPrefix.Length);
            if (name.Trim('.').Length == 0)
            {
                // The name is the pair's family unless 'family:' gives one, and tells two pairs
                // apart in the messages; one written 'vmap_pair. =' is a slip, not a choice.
                errors.Add(new PairConfigurationError(entry.Key, "the pair has no name (write 'vmap_pair.<name>'; the name is its family unless 'family:' gives one)"));
                continue;
            }

            if (Parse(name, entry.Value, out var declaration) is { } parseError)
            {
                errors.Add(new PairConfigurationError(entry.Key, parseError));
                continue;
            }

            if (Bind(declaration!, compilation, maps, unmaps) is { } bindError)
            {
                errors.Add(new PairConfigurationError(entry.Key, bindError));
            }
        }

        var result = new Dictionary<IMethodSymbol, MethodAnnotation>(SymbolEqualityComparer.Default);
        foreach (var method in Union(maps.Keys, unmaps.Keys))
        {
            result[method] = new MethodAnnotation(
                maps.TryGetValue(method, out var m) ? m.ToImmutableArray() : ImmutableArray<MapSpec>.Empty,
                unmaps.TryGetValue(method, out var u) ? u.ToImmutableArray() : ImmutableArray<UnmapSpec>.Empty);
        }

        return result;
    }

    private static IEnumerable<IMethodSymbol> Union(IEnumerable<IMethodSymbol> a, IEnumerable<IMethodSymbol> b)
    {
        var seen = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        foreach (var method in a)
        {
            if (seen.Add(method))
            {
                yield return method;
            }
        }

        foreach (var method in b)
        {
            if (seen.Add(method))
            {
                yield return method;
            }
        }
    }

    private static void Collect(AnalyzerConfigOptions options, SortedDictionary<string, string> entries)
    {
        foreach (var key in options.Keys)
        {
            if ((key.StartsWith(KeyPrefix, StringComparison.OrdinalIgnoreCase) || key.StartsWith(OwnershipPrefix, StringComparison.OrdinalIgnoreCase) ||
                 string.Equals(key, ExceptionPathsKey, StringComparison.OrdinalIgnoreCase)) && !entries.ContainsKey(key) &&
                options.TryGetValue(key, out var value))
            {
                entries.Add(key, value);
            }
        }
    }

    private sealed class Declaration
    {
        public MethodReference Acquire { get; set; } = null!;

        public MethodReference Release { get; set; } = null!;

        public string Family { get; set; } = string.Empty;

        public string? AcquireCount { get; set; }

        public string? ReleaseCount { get; set; }

        public bool Leaks { get; set; } = true;

        /// <summary>The release's past participle in messages; null for the family's own word.</summary>
        public string? Verb { get; set; }
    }

    /// <summary><c>Ns.Type.Method</c> or <c>Ns.Type.Method(param)</c>.</summary>
    private sealed record MethodReference(string TypeName, string MethodName, string? Parameter, string Text);

    /// <summary>Null when <paramref name="value"/> is a well-formed declaration; otherwise what is wrong with it.</summary>
    private static string? Parse(string name, string value, out Declaration? declaration)
    {
        declaration = null;
        var parts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in value.Split('|'))
        {
            var segment = raw.Trim();
            if (segment.Length == 0)
            {
                continue;
            }

            var colon = segment.IndexOf(':');
            if (colon <= 0)
            {
                return "'" + segment + "' is not 'key: value'";
            }

            var key = segment.Substring(0, colon).Trim().ToLowerInvariant();
            var text = segment.Substring(colon + 1).Trim();
            if (Array.IndexOf(KnownKeys, key) < 0)
            {
                return "unknown key '" + key + "' (expected acquire, release, family, count, leaks or verb)";
            }

            if (parts.ContainsKey(key))
            {
                return "'" + key + "' is given twice";
            }

            if (text.Length == 0)
            {
                return "'" + key + "' has no value";
            }

            parts.Add(key, text);
        }

        if (!parts.TryGetValue("acquire", out var acquireText))
        {
            return "no 'acquire: Namespace.Type.Method'";
        }

        if (!parts.TryGetValue("release", out var releaseText))
        {
            return value.Length > 0 && value.IndexOf('|') < 0 && parts.Count == 1
                ? "no 'release: Namespace.Type.Method(parameter)' (separate the parts with '|'; .editorconfig drops everything after ';' or '#')"
                : "no 'release: Namespace.Type.Method(parameter)'";
        }

        if (ParseMethod(acquireText) is not { } acquire)
        {
            return "'" + acquireText + "' is not 'Namespace.Type.Method' or 'Namespace.Type.Method(outParameter)'";
        }

        if (ParseMethod(releaseText) is not { } release || release.Parameter is null)
        {
            return "'" + releaseText + "' is not 'Namespace.Type.Method(parameter)' or 'Namespace.Type.Method(this)'";
        }

        var result = new Declaration { Acquire = acquire, Release = release, Family = parts.TryGetValue("family", out var family) ? family : name };
        if (parts.TryGetValue("count", out var count))
        {
            var counts = count.Split(',');
            if (counts.Length > 2 || !IsIdentifier(counts[0].Trim()) || (counts.Length == 2 && !IsIdentifier(counts[1].Trim())))
            {
                return "'count: " + count + "' is not 'count: parameter' or 'count: acquireParameter, releaseParameter'";
            }

            result.AcquireCount = counts[0].Trim();
            result.ReleaseCount = counts.Length == 2 ? counts[1].Trim() : counts[0].Trim();
        }

        if (parts.TryGetValue("leaks", out var leaks))
        {
            if (!bool.TryParse(leaks, out var reportsLoss))
            {
                return "'leaks: " + leaks + "' is neither true nor false";
            }

            result.Leaks = reportsLoss;
        }

        if (parts.TryGetValue("verb", out var verb))
        {
            if (!IsWords(verb))
            {
                return "'verb: " + verb + "' is not a word to put in messages (write the release's past participle, such as 'verb: closed')";
            }

            result.Verb = verb;
        }

        declaration = result;
        return null;
    }

    private static MethodReference? ParseMethod(string text)
    {
        string? parameter = null;
        var path = text;
        var open = text.IndexOf('(');
        if (open >= 0)
        {
            if (!text.EndsWith(")", StringComparison.Ordinal))
            {
                return null;
            }

            parameter = text.Substring(open + 1, text.Length - open - 2).Trim();
            path = text.Substring(0, open).Trim();
            if (!IsIdentifier(parameter))
            {
                return null;
            }
        }

        var dot = path.LastIndexOf('.');
        if (dot <= 0 || dot == path.Length - 1)
        {
            return null;
        }

        // Metadata names: Outer+Inner for a nested type, Pool`1 for a generic one.
        foreach (var segment in path.Split('.', '+'))
        {
            if (!IsIdentifier(segment.Split('`')[0]))
            {
                return null;
            }
        }

        return new MethodReference(path.Substring(0, dot), path.Substring(dot + 1), parameter, text);
    }

    /// <summary>Letters, words separated by one space or '-' ("closed", "handed back"): what reads in a message after "is".</summary>
    private static bool IsWords(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsLetter(c) && !((c == ' ' || c == '-') && i > 0 && i < text.Length - 1 && char.IsLetter(text[i - 1])))
            {
                return false;
            }
        }

        return text.Length > 0;
    }

    private static bool IsIdentifier(string text)
    {
        if (text.Length == 0 || !(char.IsLetter(text[0]) || text[0] == '_'))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Adds the declaration's specs to every overload it names; null on success, otherwise what did not resolve.</summary>
    private static string? Bind(
        Declaration declaration,
        Compilation compilation,
        Dictionary<IMethodSymbol, List<MapSpec>> maps,
        Dictionary<IMethodSymbol, List<UnmapSpec>> unmaps)
    {
        var acquireType = compilation.GetTypeByMetadataName(declaration.Acquire.TypeName);
        var releaseType = compilation.GetTypeByMetadataName(declaration.Release.TypeName);
        if (acquireType is null || releaseType is null)
        {
            // Not referenced by this project: the entry is for another project under the same
            // .editorconfig. Unless the name reaches a type this project has, as a nested type
            // written with '.' does.
            return (acquireType is null ? NestedTypeError(declaration.Acquire.TypeName, compilation) : null) ??
                (releaseType is null ? NestedTypeError(declaration.Release.TypeName, compilation) : null);
        }

        var acquires = Methods(acquireType, declaration.Acquire.MethodName);
        if (acquires.Count == 0)
        {
            return "'" + acquireType.ToDisplayString() + "' has no method '" + declaration.Acquire.MethodName + "'";
        }

        var releases = Methods(releaseType, declaration.Release.MethodName);
        if (releases.Count == 0)
        {
            return "'" + releaseType.ToDisplayString() + "' has no method '" + declaration.Release.MethodName + "'";
        }

        var newMaps = new List<(IMethodSymbol, MapSpec)>();
        foreach (var method in acquires)
        {
            int? outOrdinal = null;
            if (declaration.Acquire.Parameter is { } outName)
            {
                if (Parameter(method, outName) is not { } parameter)
                {
                    continue;
                }

                if (parameter.RefKind is not (RefKind.Out or RefKind.Ref))
                {
                    return "parameter '" + outName + "' of '" + declaration.Acquire.Text + "' is not an out parameter";
                }

                outOrdinal = parameter.Ordinal;
            }
            else if (method.ReturnsVoid)
            {
                continue;
            }

            int? count = null;
            if (declaration.AcquireCount is { } countName)
            {
                if (Parameter(method, countName) is not { } countParameter)
                {
                    continue;
                }

                count = countParameter.Ordinal;
            }

            var isTry = outOrdinal is not null && method.ReturnType.SpecialType == SpecialType.System_Boolean;
            newMaps.Add((method, new MapSpec(declaration.Family, outOrdinal, count, isTry, ReportsLoss: declaration.Leaks, Verb: declaration.Verb)));
        }

        if (newMaps.Count == 0)
        {
            return "no overload of '" + declaration.Acquire.Text + "' returns the block" +
                (declaration.Acquire.Parameter is null ? string.Empty : " through parameter '" + declaration.Acquire.Parameter + "'") +
                (declaration.AcquireCount is null ? string.Empty : " with a parameter '" + declaration.AcquireCount + "'");
        }

        var newUnmaps = new List<(IMethodSymbol, UnmapSpec)>();
        foreach (var method in releases)
        {
            int ordinal;
            if (declaration.Release.Parameter == "this")
            {
                if (method.IsStatic)
                {
                    continue;
                }

                ordinal = UnmapSpec.Receiver;
            }
            else if (Parameter(method, declaration.Release.Parameter!) is { } parameter)
            {
                ordinal = parameter.Ordinal;
            }
            else
            {
                continue;
            }

            int? count = null;
            if (declaration.ReleaseCount is { } countName && Parameter(method, countName) is { } countParameter)
            {
                count = countParameter.Ordinal;
            }

            newUnmaps.Add((method, new UnmapSpec(declaration.Family, ordinal, count, Verb: declaration.Verb)));
        }

        if (newUnmaps.Count == 0)
        {
            return "no overload of '" + declaration.Release.MethodName + "' has a parameter '" + declaration.Release.Parameter + "'";
        }

        foreach (var (method, spec) in newMaps)
        {
            Add(maps, method, spec);
        }

        foreach (var (method, spec) in newUnmaps)
        {
            Add(unmaps, method, spec);
        }

        return null;
    }

    /// <summary>
    /// Why <paramref name="typeName"/>, which names no type, is still this project's: a prefix of
    /// it is a type the compilation has, so the rest can only be a nested type — written with
    /// <c>.</c> where metadata names use <c>+</c>, or one the outer type does not have. Null when no
    /// prefix is a type (the entry is for another project).
    /// </summary>
    private static string? NestedTypeError(string typeName, Compilation compilation)
    {
        for (var dot = typeName.LastIndexOf('.'); dot > 0; dot = typeName.LastIndexOf('.', dot - 1))
        {
            if (compilation.GetTypeByMetadataName(typeName.Substring(0, dot)) is not { } outer)
            {
                continue;
            }

            var rest = typeName.Substring(dot + 1);
            var nested = typeName.Substring(0, dot) + "+" + rest.Replace('.', '+');
            return compilation.GetTypeByMetadataName(nested) is not null
                ? "'" + typeName + "' is not a type: a nested type is written '" + nested + "'"
                : "'" + outer.ToDisplayString() + "' has no nested type '" + rest + "'";
        }

        return null;
    }

    private static void Add<T>(Dictionary<IMethodSymbol, List<T>> table, IMethodSymbol method, T spec)
    {
        if (!table.TryGetValue(method, out var list))
        {
            list = new List<T>();
            table.Add(method, list);
        }

        list.Add(spec);
    }

    private static List<IMethodSymbol> Methods(INamedTypeSymbol type, string name)
    {
        var methods = new List<IMethodSymbol>();
        foreach (var member in type.GetMembers(name))
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
            {
                methods.Add(method.OriginalDefinition);
            }
        }

        return methods;
    }

    private static IParameterSymbol? Parameter(IMethodSymbol method, string name)
    {
        foreach (var parameter in method.Parameters)
        {
            if (parameter.Name == name)
            {
                return parameter;
            }
        }

        return null;
    }
}
