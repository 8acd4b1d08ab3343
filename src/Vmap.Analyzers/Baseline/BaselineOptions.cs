using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Vmap.Analyzers.Baseline;

/// <summary>
/// What the package's build/Vmap.Baseline.targets tells the analyzers about the baseline, through
/// the generated analyzer config: the root that entry paths are relative to, whether this build
/// rewrites the baseline, whether stale entries are reported, and which additional file is the
/// baseline (metadata <c>VmapBaseline=true</c>).
/// </summary>
internal sealed class BaselineOptions
{
    public const string RootProperty = "build_property.VmapBaselineRoot";
    public const string UpdateProperty = "build_property.VmapUpdateBaseline";
    public const string ReportStaleProperty = "build_property.VmapBaselineReportStale";
    public const string FileMetadata = "build_metadata.AdditionalFiles.VmapBaseline";

    private BaselineOptions(string root, bool update, bool reportStale, BaselineFile? file)
    {
        Root = root;
        Update = update;
        ReportStale = reportStale;
        File = file;
    }

    /// <summary>The folder entry paths are relative to (the project folder unless set otherwise).</summary>
    public string Root { get; }

    /// <summary>This build rewrites the baseline (<c>-p:VmapUpdateBaseline=true</c>): every finding is accepted and recorded.</summary>
    public bool Update { get; }

    /// <summary>Entries no finding matches are reported (VMAP900); off by default where several target frameworks compile the code.</summary>
    public bool ReportStale { get; }

    /// <summary>The baseline, when the project has one.</summary>
    public BaselineFile? File { get; }

    /// <summary>
    /// The options of this compilation, or <c>null</c> when there is nothing to do: neither a
    /// baseline file nor an update (a project without the package's targets gets <c>null</c>).
    /// </summary>
    public static BaselineOptions? Read(AnalyzerOptions options, CancellationToken cancellationToken)
    {
        var global = options.AnalyzerConfigOptionsProvider.GlobalOptions;
        var update = IsTrue(global, UpdateProperty);
        BaselineFile? file = null;
        foreach (var additional in options.AdditionalFiles)
        {
            if (IsTrue(options.AnalyzerConfigOptionsProvider.GetOptions(additional), FileMetadata) &&
                additional.GetText(cancellationToken) is { } text)
            {
                file = BaselineFile.Read(additional.Path, text);
                break;
            }
        }

        var root = global.TryGetValue(RootProperty, out var configured) && configured.Trim().Length > 0 ? configured.Trim()
            : file is not null ? Folder(file.Path)
            : null;
        if (root is null || (!update && file is null))
        {
            return null;
        }

        var reportStale = !(global.TryGetValue(ReportStaleProperty, out var stale) && string.Equals(stale.Trim(), "false", StringComparison.OrdinalIgnoreCase));
        return new BaselineOptions(root, update, reportStale, file);
    }

    private static bool IsTrue(AnalyzerConfigOptions options, string key) =>
        options.TryGetValue(key, out var value) && string.Equals(value.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    private static string Folder(string path)
    {
        var slash = path.Replace('\\', '/').LastIndexOf('/');
        return slash <= 0 ? "/" : path.Substring(0, slash);
    }
}
