using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Vmap.Analyzers.Baseline;

/// <summary>
/// An analyzer's record of the findings it reported in one compilation, compared with the baseline
/// when the compilation ends. A suppressor cannot report diagnostics and no analyzer sees another's,
/// so each analyzer that reports findings judges the entries of its own rules: an entry none of its
/// findings matches is stale (VMAP900). While the baseline is rewritten it reports each finding as
/// its entry instead (VMAP901), which the build's MSBuild target reads back from the SARIF log.
/// </summary>
internal sealed class BaselineLedger
{
    private readonly BaselineOptions _options;
    private readonly HashSet<string> _rules;
    private readonly bool _reportsFileErrors;
    private readonly ConcurrentQueue<Diagnostic> _findings = new();

    private BaselineLedger(BaselineOptions options, IEnumerable<string> rules, bool reportsFileErrors)
    {
        _options = options;
        _rules = new HashSet<string>(rules, StringComparer.Ordinal);
        _reportsFileErrors = reportsFileErrors;
    }

    /// <summary>
    /// The ledger of one compilation, or <c>null</c> when the project has no baseline and is not
    /// rewriting one; the analyzer registers <see cref="End"/> as a compilation end action.
    /// <paramref name="rules"/> are the ids this analyzer reports; <paramref name="reportsFileErrors"/>
    /// makes it the one analyzer that reports the file's bad lines.
    /// </summary>
    public static BaselineLedger? Start(AnalyzerOptions analyzerOptions, IEnumerable<string> rules, bool reportsFileErrors, CancellationToken cancellationToken) =>
        BaselineOptions.Read(analyzerOptions, cancellationToken) is { } options
            ? new BaselineLedger(options, rules, reportsFileErrors)
            : null;

    /// <summary><paramref name="report"/>, recording each finding on its way.</summary>
    public Action<Diagnostic> Recording(Action<Diagnostic> report) => finding =>
    {
        _findings.Enqueue(finding);
        report(finding);
    };

    /// <summary>Compares what was recorded with the baseline, once every finding of the compilation is in.</summary>
    public void End(CompilationAnalysisContext end)
    {
        var keyed = BaselineKey.Assign(_findings, _options.Root, end.CancellationToken);
        if (_options.Update)
        {
            foreach (var (finding, entry) in keyed)
            {
                end.ReportDiagnostic(Diagnostic.Create(Descriptors.VMAP901_BaselineEntry, finding.Location, entry.Format()));
            }

            return;
        }

        var file = _options.File!;
        if (_reportsFileErrors)
        {
            foreach (var (line, text, reason) in file.Errors)
            {
                end.ReportDiagnostic(Diagnostic.Create(Descriptors.VMAP900_BaselineLineMalformed, file.LineLocation(line), text, reason));
            }
        }

        if (!_options.ReportStale)
        {
            return;
        }

        var found = new HashSet<BaselineEntry>(keyed.Select(k => k.Entry));
        foreach (var entry in file.Entries.OrderBy(e => e.Value))
        {
            if (_rules.Contains(entry.Key.Rule) && !found.Contains(entry.Key))
            {
                end.ReportDiagnostic(Diagnostic.Create(Descriptors.VMAP900_BaselineEntryStale, file.LineLocation(entry.Value), entry.Key.Key()));
            }
        }
    }
}
