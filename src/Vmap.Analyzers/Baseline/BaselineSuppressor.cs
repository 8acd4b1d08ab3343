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
    private const string Justification = "Accepted in the Vmap baseline file (docs/baseline.md)";

    private static readonly ImmutableDictionary<string, SuppressionDescriptor> s_byRule =
        BaselineKey.BaselinedRules
            .Concat(new[] { RuleIds.VMAP901 })
            .ToImmutableDictionary(id => id, id => new SuppressionDescriptor("VMAPB" + id.Substring(4), id, Justification));

    /// <inheritdoc />
    public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions { get; } =
        s_byRule.Values.OrderBy(d => d.Id, System.StringComparer.Ordinal).ToImmutableArray();

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
                if (s_byRule.TryGetValue(finding.Id, out var descriptor))
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
                context.ReportSuppression(Suppression.Create(s_byRule[finding.Id], finding));
            }
        }
    }
}
