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
    /// <remarks>
    /// Each throw (a written one, or a call of a callee that throws) is a precondition check when
    /// every branch on the way to it tests only the method's inputs (<see cref="ReadsOnlyInputs"/>),
    /// and, for a call, the callee's own checked inputs are given inputs of this method. When every
    /// throw is one, the summary carries the inputs they read (<see cref="ThrowSummary.CheckedInputs"/>);
    /// one throw that is not (unguarded, or behind a native return code, a local, a field of another
    /// object) makes the summary an ordinary throwing one, named by that throw.
    /// </remarks>
    public static ThrowSummary Summarise(ControlFlowGraph graph, IMethodSymbol method, CallSummaries summaries, SummaryScope scope, CancellationToken cancellationToken)
    {
        if (!method.ReturnsVoid && !graph.Blocks[graph.Blocks.Length - 1].IsReachable)
        {
            // A method that declares a value and returns none on any path (every path throws) is a
            // placeholder whose source body is not what runs: a stub a post-compile step replaces
            // with a native call through a COM slot (fifth held-out set, part A, shape F1). Its
            // callers use the value it "returns", so whether a call of it throws is not known here.
            // A void method that always throws (a throw helper) still throws.
            return ThrowSummary.Unknown;
        }

        PathStep? step = null, checkedStep = null;
        bool calls = false, unknown = false;
        var tested = ImmutableHashSet.CreateBuilder<int>();
        var inputs = ImmutableHashSet.CreateBuilder<int>();
        Dictionary<BasicBlock, ImmutableHashSet<int>?>? guards = null;
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
                            var at = new PathStep(call.TargetMethod.Name, call.Syntax.GetLocation());
                            AddPassedParameters(call, of, method, tested);
                            if (of.CheckedInputs is { } calleeInputs && GuardInputs(block, method, guards ??= new()) is { } guard &&
                                PassedInputs(call, calleeInputs, method) is { } passed)
                            {
                                checkedStep ??= at;
                                inputs.UnionWith(guard);
                                inputs.UnionWith(passed);
                            }
                            else
                            {
                                step ??= at;
                            }

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
                    var at = new PathStep("throw", thrown.GetLocation());
                    if (GuardInputs(block, method, guards ??= new()) is { Count: > 0 } guard)
                    {
                        checkedStep ??= at;
                        inputs.UnionWith(guard);
                    }
                    else
                    {
                        step ??= at;
                    }
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
            : checkedStep is not null ? new ThrowSummary(ThrowKind.Throws, checkedStep, tested.ToImmutable(), inputs.ToImmutable())
            : unknown ? ThrowSummary.Unknown
            : calls ? ThrowSummary.Calls
            : ThrowSummary.None;
    }

    /// <summary>
    /// The inputs read by every branch condition on some path from the entry to <paramref name="block"/>,
    /// or null when one of them reads anything else (a local, a call's result, another object's
    /// member). Conditions that do not decide whether the block runs are counted too: the answer can
    /// only be null more often, and null keeps the throw an ordinary one. Empty: nothing tests anything.
    /// </summary>
    private static ImmutableHashSet<int>? GuardInputs(BasicBlock block, IMethodSymbol method, Dictionary<BasicBlock, ImmutableHashSet<int>?> cache)
    {
        if (cache.TryGetValue(block, out var known))
        {
            return known;
        }

        var inputs = ImmutableHashSet.CreateBuilder<int>();
        var seen = new HashSet<BasicBlock> { block };
        var pending = new Stack<BasicBlock>();
        pending.Push(block);
        ImmutableHashSet<int>? result = null;
        var readsOther = false;
        while (pending.Count > 0 && !readsOther)
        {
            foreach (var branch in pending.Pop().Predecessors)
            {
                var source = branch.Source;
                if (!seen.Add(source))
                {
                    continue;
                }

                if (source.ConditionalSuccessor is not null && source.BranchValue is { } condition && !ReadsOnlyInputs(condition, method, inputs))
                {
                    readsOther = true;
                    break;
                }

                pending.Push(source);
            }
        }

        if (!readsOther)
        {
            result = inputs.ToImmutable();
        }

        cache[block] = result;
        return result;
    }

    /// <summary>
    /// Whether a branch condition reads nothing but the method's inputs: its parameters, its
    /// receiver and members read through them (<c>key.Length</c>, <c>IsEmpty</c>), constants, and the
    /// null-or-empty tests of strings. Any call (a native return code) or local makes it no precondition.
    /// </summary>
    private static bool ReadsOnlyInputs(IOperation condition, IMethodSymbol method, ImmutableHashSet<int>.Builder inputs)
    {
        foreach (var node in condition.DescendantsAndSelf())
        {
            if (node.ConstantValue.HasValue)
            {
                continue;
            }

            switch (node)
            {
                case IParameterReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Parameter.ContainingSymbol, method):
                    inputs.Add(reference.Parameter.Ordinal);
                    continue;
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                    inputs.Add(ThrowSummary.Receiver);
                    continue;
                case IFieldReferenceOperation { Instance: not null }:
                case IPropertyReferenceOperation { Instance: not null, Arguments.Length: 0 }:
                case IFieldReferenceOperation { Field: { IsStatic: true, IsReadOnly: true } }:
                case IBinaryOperation or IUnaryOperation or IConversionOperation or IIsNullOperation or IIsPatternOperation or IPatternOperation or IDefaultValueOperation:
                case IInvocationOperation { TargetMethod: { IsStatic: true, ContainingType.SpecialType: SpecialType.System_String, Name: "IsNullOrEmpty" or "IsNullOrWhiteSpace" } }:
                case IArgumentOperation:
                    continue;
                default:
                    return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The inputs of <paramref name="method"/> given to a callee's checked inputs: each must be one
    /// of the method's parameters or its receiver (<c>this</c>, or a member of it); null otherwise.
    /// </summary>
    private static ImmutableHashSet<int>? PassedInputs(IInvocationOperation call, ImmutableHashSet<int> calleeInputs, IMethodSymbol method)
    {
        var passed = ImmutableHashSet.CreateBuilder<int>();
        foreach (var input in calleeInputs)
        {
            if (CheckedArgument(call, input) is not { } given || !ReadsOnlyInputs(given, method, passed) || given.DescendantsAndSelf().Any(n => n is IInvocationOperation))
            {
                return null;
            }
        }

        return passed.ToImmutable();
    }

    /// <summary>What a call gives to a callee's checked input: the argument of that parameter, or the receiver.</summary>
    public static IOperation? CheckedArgument(IInvocationOperation call, int input)
    {
        if (input == ThrowSummary.Receiver)
        {
            return call.Instance;
        }

        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter?.Ordinal == input)
            {
                return argument.Value;
            }
        }

        return null;
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

    /// <summary>
    /// The <c>throw</c> statement or expression a block that branches by a throw ends with, if the
    /// code writes one: the thrown value's syntax is its operand (through parentheses, <c>?:</c> and
    /// <c>??</c>). Null for a throw the compiler adds: the SwitchExpressionException of a switch
    /// expression is thrown with the switch expression itself as its syntax.
    /// </summary>
    public static SyntaxNode? WrittenThrow(BasicBlock block)
    {
        for (var node = block.BranchValue?.Syntax; node is not null; node = node.Parent)
        {
            if (node is ThrowStatementSyntax or ThrowExpressionSyntax)
            {
                return node;
            }

            if (node is not ExpressionSyntax || node is SwitchExpressionSyntax)
            {
                return null;
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
