using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// Exceptions seen from a caller: which calls may leave the method by a throw (issue 24 §3). By
/// default only a call of a source method whose body throws on some path counts; a call that merely
/// might throw (I/O, allocation, a library method) is not guessed at. With
/// <c>vmap_exception_paths = any_call</c> every call not known not to throw counts too.
/// </summary>
internal static class ThrowWalk
{
    /// <summary>
    /// .NET members that do not throw, exempt even under <c>any_call</c>: address arithmetic and
    /// conversions that cannot overflow, pointer reinterpretation, the last-error getters.
    /// </summary>
    private static readonly HashSet<string> NeverThrow = new()
    {
        "System.IntPtr.Add", "System.IntPtr.Subtract", "System.IntPtr.ToPointer", "System.IntPtr.ToInt64", "System.IntPtr.Equals", "System.IntPtr.GetHashCode",
        "System.UIntPtr.Add", "System.UIntPtr.Subtract", "System.UIntPtr.ToPointer", "System.UIntPtr.ToUInt64", "System.UIntPtr.Equals", "System.UIntPtr.GetHashCode",
        "System.Math.Min", "System.Math.Max",
        "System.Object.ReferenceEquals", "System.String.IsNullOrEmpty",
        "System.Runtime.CompilerServices.Unsafe.Add", "System.Runtime.CompilerServices.Unsafe.Subtract", "System.Runtime.CompilerServices.Unsafe.AsPointer",
        "System.Runtime.CompilerServices.Unsafe.AsRef", "System.Runtime.CompilerServices.Unsafe.As", "System.Runtime.CompilerServices.Unsafe.SizeOf",
        "System.Runtime.InteropServices.Marshal.GetLastWin32Error", "System.Runtime.InteropServices.Marshal.GetLastPInvokeError", "System.Runtime.InteropServices.Marshal.GetLastSystemError",
        "System.Runtime.InteropServices.GCHandle.AddrOfPinnedObject", "System.Runtime.InteropServices.GCHandle.ToIntPtr",
        "System.Nullable<T>.GetValueOrDefault",
    };

    /// <summary>
    /// A type as <see cref="NeverThrow"/> names it: <c>System.IntPtr</c> (the display formats give
    /// <c>nint</c> since C# 11), <c>System.Nullable&lt;T&gt;</c>.
    /// </summary>
    private static string? TypeName(INamedTypeSymbol? type) => type is null
        ? null
        : type.ContainingNamespace.ToDisplayString() + "." + type.Name +
            (type.TypeParameters.IsEmpty ? string.Empty : "<" + string.Join(",", type.TypeParameters.Select(p => p.Name)) + ">");

    /// <summary>
    /// What <paramref name="call"/> may let out. The pair APIs themselves, <c>[Conditional]</c>
    /// calls (the build may drop them) and <see cref="NeverThrow"/> are known not to throw; a
    /// source method is judged by its summary; anything else is unknown.
    /// </summary>
    public static ThrowSummary OfCall(IInvocationOperation call, PairingContext context, SummaryScope scope, CancellationToken cancellationToken)
    {
        var method = call.TargetMethod;
        var definition = method.OriginalDefinition;
        if (context.Pairs.Get(method) is not null || PairingWalker.HasAttribute(definition, "System.Diagnostics.ConditionalAttribute") ||
            NeverThrow.Contains(TypeName(definition.ContainingType) + "." + definition.Name))
        {
            return ThrowSummary.None;
        }

        if (PairingWalker.DoesNotReturn(call))
        {
            return new ThrowSummary(ThrowKind.Throws, new PathStep(method.Name, call.Syntax.GetLocation()));
        }

        if (method.MethodKind == MethodKind.LocalFunction || !CallSummaries.CanSeeBody(method))
        {
            return ThrowSummary.Unknown;
        }

        var summary = context.Summaries.Throws(method, scope, cancellationToken);

        // A check of a parameter the caller passes a constant to may be one that never fails for
        // that constant: the engine does not evaluate it, so it claims nothing.
        return summary.Kind == ThrowKind.Throws && PassesConstantToTested(call, summary) ? ThrowSummary.Unknown : summary;
    }

    /// <summary>The throw summary of one body (see <see cref="CallSummaries.Throws"/>).</summary>
    public static ThrowSummary Summarise(ControlFlowGraph graph, IMethodSymbol method, CallSummaries summaries, SummaryScope scope, CancellationToken cancellationToken)
    {
        PathStep? step = null;
        bool calls = false, unknown = false;
        var tested = ImmutableHashSet.CreateBuilder<int>();
        foreach (var block in graph.Blocks)
        {
            if (!block.IsReachable)
            {
                // The compiler proved the block unreachable: a throw after a constant-false check.
                continue;
            }

            if (block.ConditionalSuccessor is not null && block.BranchValue is { } condition)
            {
                AddParameters(condition, method, tested);
            }

            if (IsCaught(block))
            {
                continue;
            }

            foreach (var root in Roots(block))
            {
                foreach (var node in root.DescendantsAndSelf())
                {
                    if (node is not IInvocationOperation call)
                    {
                        continue;
                    }

                    var of = OfCall(call, summaries.Context, scope, cancellationToken);
                    switch (of.Kind)
                    {
                        case ThrowKind.Throws:
                            step ??= new PathStep(call.TargetMethod.Name, call.Syntax.GetLocation());
                            AddPassedParameters(call, of, method, tested);
                            break;
                        case ThrowKind.Calls:
                            calls = true;
                            break;
                        case ThrowKind.Unknown:
                            unknown = true;
                            break;
                    }
                }
            }

            if (block.FallThroughSuccessor?.Semantics == ControlFlowBranchSemantics.Throw || block.ConditionalSuccessor?.Semantics == ControlFlowBranchSemantics.Throw)
            {
                if (WrittenThrow(block) is { } thrown)
                {
                    step ??= new PathStep("throw", thrown.GetLocation());
                }
                else
                {
                    // A throw the compiler adds (the SwitchExpressionException of a switch
                    // expression, even one whose discard arm matches everything): not one the
                    // code writes, and whether it can happen is not known here.
                    unknown = true;
                }
            }
        }

        return step is not null ? new ThrowSummary(ThrowKind.Throws, step, tested.ToImmutable())
            : unknown ? ThrowSummary.Unknown
            : calls ? ThrowSummary.Calls
            : ThrowSummary.None;
    }

    private static IEnumerable<IOperation> Roots(BasicBlock block)
    {
        foreach (var operation in block.Operations)
        {
            yield return operation;
        }

        if (block.BranchValue is { } value)
        {
            yield return value;
        }
    }

    /// <summary>
    /// Whether an exception raised in <paramref name="block"/> may be caught in the same method:
    /// it is in the try of a try/catch (whatever the catch does, nothing is claimed), or the
    /// regions cannot be followed (code the compiler could not bind).
    /// </summary>
    private static bool IsCaught(BasicBlock block)
    {
        for (var region = block.EnclosingRegion; region.EnclosingRegion is { } parent; region = parent)
        {
            if (!parent.NestedRegions.Contains(region))
            {
                return true;
            }

            if (parent.Kind == ControlFlowRegionKind.TryAndCatch && parent.NestedRegions[0] == region)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The <c>throw</c> statement or expression a block that branches by a throw ends with, if the code writes one.</summary>
    private static SyntaxNode? WrittenThrow(BasicBlock block)
    {
        for (var node = block.BranchValue?.Syntax; node is not null; node = node.Parent)
        {
            if (node is ThrowStatementSyntax or ThrowExpressionSyntax)
            {
                return node;
            }
        }

        return null;
    }

    /// <summary>The <c>throw</c> a block that branches by a throw ends with.</summary>
    public static SyntaxNode ThrowSyntax(BasicBlock block) =>
        WrittenThrow(block) ?? block.BranchValue?.Syntax ?? throw new System.InvalidOperationException("A throw branch carries the thrown value.");

    private static void AddParameters(IOperation condition, IMethodSymbol method, ImmutableHashSet<int>.Builder tested)
    {
        foreach (var node in condition.DescendantsAndSelf())
        {
            if (node is IParameterReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Parameter.ContainingSymbol, method))
            {
                tested.Add(reference.Parameter.Ordinal);
            }
        }
    }

    /// <summary>A parameter of <paramref name="method"/> passed on to a tested parameter of a throwing callee is tested too.</summary>
    private static void AddPassedParameters(IInvocationOperation call, ThrowSummary callee, IMethodSymbol method, ImmutableHashSet<int>.Builder tested)
    {
        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter is { } parameter && callee.TestedParameters?.Contains(parameter.Ordinal) == true)
            {
                AddParameters(argument.Value, method, tested);
            }
        }
    }

    private static bool PassesConstantToTested(IInvocationOperation call, ThrowSummary summary)
    {
        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter is { } parameter && summary.TestedParameters?.Contains(parameter.Ordinal) == true &&
                (argument.Value.ConstantValue.HasValue || argument.Value is IDefaultValueOperation ||
                 (argument.Value is IConversionOperation { Operand: var operand } && (operand.ConstantValue.HasValue || operand is IDefaultValueOperation))))
            {
                return true;
            }
        }

        return false;
    }
}
