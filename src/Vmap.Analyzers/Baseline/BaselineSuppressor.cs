using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Vmap.Analyzers.Baseline;

/// <summary>
/// Suppresses the findings the baseline file lists. A suppressed finding does not warn or fail the
/// build, yet stays in the SARIF log with a <c>suppressions</c> entry naming this suppressor, so
/// what the baseline accepts remains visible. While the baseline is rewritten
/// (<c>-p:VmapUpdateBaseline=true</c>) every finding, and the VMAP901 record of it, is suppressed:
/// that build must succeed even where the rules are errors, so the target after it can write the file.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BaselineSuppressor : DiagnosticSuppressor
{
    /// <summary>VMAPB001 suppresses VMAP001 as listed in the baseline file, and so on.</summary>
    private static readonly ImmutableDictionary<string, SuppressionDescriptor> s_listed = Suppressions(
        BaselineKey.BaselinedRules, "VMAPB", "Accepted in the Vmap baseline file (docs/baseline.md)");

    /// <summary>VMAPU001 suppresses VMAP001 while the baseline is rewritten, and so on, with VMAPU901 for the records.</summary>
    private static readonly ImmutableDictionary<string, SuppressionDescriptor> s_updating = Suppressions(
        BaselineKey.BaselinedRules.Add(RuleIds.VMAP901), "VMAPU", "Accepted while the Vmap baseline is rewritten (-p:VmapUpdateBaseline=true)");

    /// <inheritdoc />
    public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions { get; } =
        s_listed.Values.Concat(s_updating.Values).OrderBy(d => d.Id, StringComparer.Ordinal).ToImmutableArray();

    /// <inheritdoc />
    public override void ReportSuppressions(SuppressionAnalysisContext context)
    {
        if (BaselineOptions.Read(context.Options, context.CancellationToken) is not { } options)
        {
            return;
        }

        if (options.Update)
        {
            foreach (var finding in context.ReportedDiagnostics)
            {
                if (s_updating.TryGetValue(finding.Id, out var descriptor))
                {
                    context.ReportSuppression(Suppression.Create(descriptor, finding));
                }
            }

            return;
        }

        IReadOnlyDictionary<BaselineEntry, int> accepted = options.File!.Entries;
        foreach (var (finding, entry) in BaselineKey.Assign(context.ReportedDiagnostics, options.Root, context.CancellationToken))
        {
            if (accepted.ContainsKey(entry))
            {
                context.ReportSuppression(Suppression.Create(s_listed[finding.Id], finding));
            }
        }
    }

    private static ImmutableDictionary<string, SuppressionDescriptor> Suppressions(IEnumerable<string> rules, string prefix, string justification) =>
        rules.ToImmutableDictionary(id => id, id => new SuppressionDescriptor(prefix + id.Substring(4), id, justification));
}
