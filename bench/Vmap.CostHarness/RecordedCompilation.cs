using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Vmap.Analyzers;

namespace Vmap.CostHarness;

/// <summary>
/// A compilation recreated in-process from a csc command line: the same sources, references,
/// options, .editorconfig/.globalconfig, additional files, analyzers and source generators. The
/// generators run once here, so every measured round starts from the same final compilation and
/// none of them is charged for a generator.
/// </summary>
internal sealed class RecordedCompilation
{
    private RecordedCompilation(CSharpCompilation compilation, CSharpCommandLineArguments arguments, AnalyzerOptions options, ImmutableArray<DiagnosticAnalyzer> projectAnalyzers, IReadOnlyList<string> notes)
    {
        Compilation = compilation;
        Arguments = arguments;
        Options = options;
        ProjectAnalyzers = projectAnalyzers;
        Notes = notes;
    }

    public CSharpCompilation Compilation { get; }

    public CSharpCommandLineArguments Arguments { get; }

    public AnalyzerOptions Options { get; }

    /// <summary>The analyzers the command line names, less Vmap's own and the excluded ones.</summary>
    public ImmutableArray<DiagnosticAnalyzer> ProjectAnalyzers { get; }

    /// <summary>What was dropped or could not be loaded, said once before the figures.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>
    /// Parses <paramref name="cscArguments"/> (response files included, as csc reads them) relative
    /// to <paramref name="directory"/>. Fails with a message naming the problem when the command
    /// line is not one csc would accept or a file it names is missing.
    /// </summary>
    public static RecordedCompilation Create(IReadOnlyList<string> cscArguments, string directory, IReadOnlyList<string> excluded)
    {
        var sdkDirectory = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        var arguments = CSharpCommandLineParser.Default.Parse(cscArguments, directory, sdkDirectory, additionalReferenceDirectories: null);
        var errors = arguments.Errors.Where(e => e.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new HarnessException("the command line is not one csc accepts: " + string.Join("; ", errors.Select(e => e.GetMessage())));
        }

        if (arguments.SourceFiles.IsEmpty)
        {
            throw new HarnessException("the command line names no source file");
        }

        var notes = new List<string>();
        var trees = arguments.SourceFiles
            .Select(file => Parse(file.Path, arguments))
            .ToList();
        var references = arguments.MetadataReferences.Select(r => Reference(r, arguments)).ToList();
        var configs = AnalyzerConfigSet.Create(arguments.AnalyzerConfigPaths.Select(path => AnalyzerConfig.Parse(Read(path), path)).ToList());
        var additional = arguments.AdditionalFiles.Select(file => (AdditionalText)new FileText(file.Path)).ToImmutableArray();
        if (additional.Any(IsBuildMarker))
        {
            // A build's command line with the package's marker: rows (b) and (d) are the IDE's
            // registration, (t) and (u) the build's, whatever the recorded build was.
            notes.Add($"dropped from the additional files: {BuildRegistration.MarkerFileName} (the build mode rows add it themselves)");
            additional = additional.RemoveAll(IsBuildMarker);
        }

        var configProvider = new ConfigOptionsProvider(configs);

        var compilationOptions = arguments.CompilationOptions
            .WithSyntaxTreeOptionsProvider(new TreeOptionsProvider(configs, trees))
            .WithStrongNameProvider(new DesktopStrongNameProvider(arguments.KeyFileSearchPaths))
            .WithXmlReferenceResolver(new XmlFileResolver(arguments.BaseDirectory))
            .WithSourceReferenceResolver(new SourceFileResolver(ImmutableArray<string>.Empty, arguments.BaseDirectory));
        var compilation = CSharpCompilation.Create(arguments.CompilationName, trees, references, compilationOptions);

        var loader = new AnalyzerLoader();
        var analyzers = ImmutableArray.CreateBuilder<DiagnosticAnalyzer>();
        var generators = new List<ISourceGenerator>();
        foreach (var reference in arguments.AnalyzerReferences)
        {
            var path = Path.GetFullPath(reference.FilePath, directory);
            var file = Path.GetFileName(path);
            if (file.Equals("Vmap.Analyzers.dll", StringComparison.OrdinalIgnoreCase))
            {
                // Vmap's analyzers are the harness's own build (the branch under measure), never a copy the command line names.
                notes.Add($"dropped from the command line: {path} (Vmap's analyzers are the harness's own build)");
                continue;
            }

            if (excluded.Any(x => file.Contains(x, StringComparison.OrdinalIgnoreCase)))
            {
                notes.Add($"excluded: {path}");
                continue;
            }

            loader.AddDependencyLocation(path);
            var fileReference = new AnalyzerFileReference(path, loader);
            fileReference.AnalyzerLoadFailed += (_, e) => notes.Add($"could not load from {file}: {e.Message}");
            analyzers.AddRange(fileReference.GetAnalyzers(LanguageNames.CSharp));
            generators.AddRange(fileReference.GetGenerators(LanguageNames.CSharp));
        }

        if (generators.Count > 0)
        {
            var driver = CSharpGeneratorDriver.Create(generators, additional, arguments.ParseOptions, configProvider);
            driver.RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _);
            compilation = (CSharpCompilation)generated;
            notes.Add($"{generators.Count} source generators ran once before the rounds ({compilation.SyntaxTrees.Count() - trees.Count} trees added); no round is charged for them");
        }

        return new RecordedCompilation(compilation, arguments, new AnalyzerOptions(additional, configProvider), analyzers.ToImmutable(), notes);
    }

    /// <summary>
    /// <see cref="Options"/> with the additional file the package's build targets add outside
    /// design-time builds, which makes Vmap register syntax tree actions (<see cref="BuildRegistration"/>).
    /// </summary>
    public AnalyzerOptions BuildOptions => _buildOptions ??= new AnalyzerOptions(
        Options.AdditionalFiles.Add(new MarkerText(Path.Combine(Arguments.BaseDirectory ?? ".", "obj", BuildRegistration.MarkerFileName))),
        Options.AnalyzerConfigOptionsProvider);

    private AnalyzerOptions? _buildOptions;

    private static bool IsBuildMarker(AdditionalText file) =>
        string.Equals(Path.GetFileName(file.Path), BuildRegistration.MarkerFileName, StringComparison.OrdinalIgnoreCase);

    private sealed class MarkerText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) =>
            SourceText.From("Vmap.Analyzers: this compilation is a build's (syntax tree registration)");
    }

    private static SyntaxTree Parse(string path, CSharpCommandLineArguments arguments)
    {
        using var stream = OpenOrFail(path);
        var text = SourceText.From(stream, arguments.Encoding, arguments.ChecksumAlgorithm);
        return CSharpSyntaxTree.ParseText(text, arguments.ParseOptions, path);
    }

    private static MetadataReference Reference(CommandLineReference reference, CSharpCommandLineArguments arguments)
    {
        var candidates = Path.IsPathRooted(reference.Reference)
            ? new[] { reference.Reference }
            : new[] { arguments.BaseDirectory! }.Concat(arguments.ReferencePaths).Select(d => Path.Combine(d, reference.Reference));
        var found = candidates.FirstOrDefault(File.Exists)
            ?? throw new HarnessException($"reference not found: {reference.Reference}");
        return MetadataReference.CreateFromFile(found, reference.Properties);
    }

    private static FileStream OpenOrFail(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (IOException ex)
        {
            throw new HarnessException($"cannot read {path}: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new HarnessException($"cannot read {path}: {ex.Message}");
        }
    }

    private static string Read(string path)
    {
        using var reader = new StreamReader(OpenOrFail(path), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private sealed class FileText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText? GetText(CancellationToken cancellationToken = default) =>
            File.Exists(Path) ? SourceText.From(File.ReadAllText(Path), Encoding.UTF8) : null;
    }

    /// <summary>The .editorconfig and .globalconfig options, per tree and globally, as csc hands them to analyzers.</summary>
    private sealed class ConfigOptionsProvider(AnalyzerConfigSet configs) : AnalyzerConfigOptionsProvider
    {
        private readonly ConcurrentDictionary<string, AnalyzerConfigOptions> _byPath = new(StringComparer.Ordinal);

        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(configs.GlobalConfigOptions.AnalyzerOptions);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => For(tree.FilePath);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => For(textFile.Path);

        private AnalyzerConfigOptions For(string path) =>
            _byPath.GetOrAdd(path, p => new Options(configs.GetOptionsForSourcePath(p).AnalyzerOptions));

        private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);

            public override IEnumerable<string> Keys => values.Keys;
        }
    }

    /// <summary>
    /// Severities from the configuration files (dotnet_diagnostic.*.severity, the SDK's analysis-level
    /// global configs): without them every analyzer rule would run at its default severity and the
    /// project's own analyzers would cost more here than in its build.
    /// </summary>
    private sealed class TreeOptionsProvider : SyntaxTreeOptionsProvider
    {
        private readonly AnalyzerConfigSet _configs;
        private readonly ConcurrentDictionary<string, AnalyzerConfigOptionsResult> _byPath = new(StringComparer.Ordinal);

        public TreeOptionsProvider(AnalyzerConfigSet configs, IEnumerable<SyntaxTree> trees)
        {
            _configs = configs;
            foreach (var tree in trees)
            {
                For(tree);
            }
        }

        private AnalyzerConfigOptionsResult For(SyntaxTree tree) => _byPath.GetOrAdd(tree.FilePath, _configs.GetOptionsForSourcePath);

        public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) =>
            For(tree).AnalyzerOptions.TryGetValue("generated_code", out var value) && bool.TryParse(value, out var generated)
                ? generated ? GeneratedKind.MarkedGenerated : GeneratedKind.NotGenerated
                : GeneratedKind.Unknown;

        public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            For(tree).TreeOptions.TryGetValue(diagnosticId, out severity);

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            _configs.GlobalConfigOptions.TreeOptions.TryGetValue(diagnosticId, out severity);
    }

    /// <summary>Loads analyzer assemblies into the default context, their dependencies from beside them.</summary>
    private sealed class AnalyzerLoader : IAnalyzerAssemblyLoader
    {
        private readonly ConcurrentDictionary<string, string> _byName = new(StringComparer.OrdinalIgnoreCase);

        public AnalyzerLoader()
        {
            AssemblyLoadContext.Default.Resolving += (context, name) =>
                name.Name is { } simple && _byName.TryGetValue(simple, out var path) ? context.LoadFromAssemblyPath(path) : null;
        }

        public void AddDependencyLocation(string fullPath)
        {
            _byName.TryAdd(Path.GetFileNameWithoutExtension(fullPath), fullPath);
            foreach (var sibling in Directory.EnumerateFiles(Path.GetDirectoryName(fullPath)!, "*.dll"))
            {
                _byName.TryAdd(Path.GetFileNameWithoutExtension(sibling), sibling);
            }
        }

        public Assembly LoadFromPath(string fullPath)
        {
            var name = AssemblyName.GetAssemblyName(fullPath);
            var loaded = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), name) && a.GetName().Name == name.Name);
            return loaded ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(fullPath);
        }
    }
}

/// <summary>Bad input: the message names the problem, and the harness exits with code 2.</summary>
internal sealed class HarnessException(string message) : Exception(message);
