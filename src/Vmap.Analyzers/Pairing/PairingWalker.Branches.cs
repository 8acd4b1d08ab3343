using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>Branch refinement: what a path learns from the test it took.</summary>
internal sealed partial class PairingWalker
{
    /// <summary>
    /// Narrows a state to one outcome of a branch; null when the outcome contradicts what the path
    /// already knows (the correlated second <c>if (n &gt; 1)</c>).
    /// </summary>
    private PairingState? Refine(PairingState state, IOperation condition, AbstractValue value, bool outcome)
    {
        if (value.Kind == ValueKind.TryResult)
        {
            return RefineExists(state, value.Mapping, outcome != value.MaybeZero);
        }

        if (value.Kind == ValueKind.ReleaseResult)
        {
            return RefineReleased(state, value.Mapping, outcome != value.MaybeZero);
        }

        var operation = condition;
        var polarity = outcome;
        while (true)
        {
            if (operation is IConversionOperation conversion)
            {
                operation = conversion.Operand;
            }
            else if (operation is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
            {
                operation = not.Operand;
                polarity = !polarity;
            }
            else
            {
                break;
            }
        }

        if (KnownOutcome(operation) is { } fixedOutcome)
        {
            // The language decides this test: the branch it never takes cannot run, so nothing is
            // claimed on it (and nothing is learnt from the other).
            return fixedOutcome == polarity ? state : null;
        }

        if (operation is IPropertyReferenceOperation { Property.Name: "IsAllocated" or "HasValue", Instance: { Type.IsValueType: true } handle } &&
            _keys.Storage(handle) is { } handleKey && state.Get(handleKey) is { Kind: ValueKind.Mapped } allocated)
        {
            // GCHandle.IsAllocated is the handle's own "not zero" test; HasValue that of a GCHandle?.
            return RefineExists(state, allocated.Mapping, polarity);
        }

        if (operation is IIsNullOperation isNull && _keys.Storage(isNull.Operand) is { } nullKey && state.Get(nullKey) is { Kind: ValueKind.Mapped } maybeNull)
        {
            // The test a conditional access (h?.Free()) or ?? makes of its receiver.
            return RefineExists(state, maybeNull.Mapping, !polarity);
        }

        if (operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison)
        {
            // Zero, or an OS acquire's other failure value (MAP_FAILED): see PairingWalker.Os.cs.
            if (FailureComparison(comparison) is var (tested, against, againstZero) && TestedStorage(tested) is { } testedKey)
            {
                var held = state.Get(testedKey);
                if (held.Kind == ValueKind.Mapped && IsFailureTest(held, tested, against, againstZero))
                {
                    var failed = (comparison.OperatorKind == BinaryOperatorKind.Equals) == polarity;
                    state.Storage[testedKey] = failed ? AbstractValue.Zero : held with { MaybeZero = false };
                    return RefineExists(state, held.Mapping, !failed);
                }

                if (held.Kind == ValueKind.Zero && againstZero)
                {
                    // The path already holds zero there (never assigned, or a failed acquire): the
                    // test cannot find it non-zero. Following that branch would run the code after
                    // "if (p == 0) return" with p zero, as if an acquire at p had been given no address.
                    return (comparison.OperatorKind == BinaryOperatorKind.Equals) == polarity ? state : null;
                }
            }
        }

        var outcomePolarity = outcome;
        if (_keys.Condition(condition, ref outcomePolarity) is { } key)
        {
            if (state.Conditions.TryGetValue(key, out var known))
            {
                return known == outcomePolarity ? state : null;
            }

            state.Conditions[key] = outcomePolarity;
        }

        return state;
    }

    /// <summary>Narrows a mapping a callee released on some paths to the paths this branch outcome stands for.</summary>
    /// <summary>
    /// The outcome of a test the language fixes: a boolean constant, or a value of a non-nullable
    /// struct compared with <c>null</c> (lifted to <c>T?</c>, the value always has one: <c>==</c> is
    /// false and <c>!=</c> true; the compiler warns CS0472). Null when the test may go either way.
    /// </summary>
    private static bool? KnownOutcome(IOperation operation)
    {
        if (operation.ConstantValue is { HasValue: true, Value: bool constant })
        {
            return constant;
        }

        if (operation is not IBinaryOperation { IsLifted: true, OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison)
        {
            return null;
        }

        bool againstNull = (IsNullConstant(comparison.RightOperand) && IsNeverNull(comparison.LeftOperand)) ||
            (IsNullConstant(comparison.LeftOperand) && IsNeverNull(comparison.RightOperand));
        return againstNull ? comparison.OperatorKind == BinaryOperatorKind.NotEquals : null;

        static bool IsNullConstant(IOperation operand) => operand.ConstantValue is { HasValue: true, Value: null } ||
            operand is IConversionOperation { Operand.ConstantValue: { HasValue: true, Value: null } } ||
            operand is IDefaultValueOperation { Type.OriginalDefinition.SpecialType: SpecialType.System_Nullable_T };

        // A struct value converted to T?: the conversion always makes a value.
        static bool IsNeverNull(IOperation operand) =>
            operand is IConversionOperation { Type.OriginalDefinition.SpecialType: SpecialType.System_Nullable_T, Operand.Type: { IsValueType: true } from } &&
            from.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T;
    }

    private static PairingState? RefineReleased(PairingState state, int mapping, bool released)
    {
        var facts = state.Facts(mapping);
        if (!facts.IsTracked)
        {
            return state;
        }

        var flags = released ? (facts.Flags & ~MappingFlags.Live) : (facts.Flags & ~MappingFlags.Released);
        if ((flags & (MappingFlags.Live | MappingFlags.Released)) == 0)
        {
            return null;
        }

        state.Mappings[mapping] = released ? facts with { Flags = flags } : facts with { Flags = flags, ReleasedAt = null, Via = null };
        return state;
    }

    private PairingState? RefineExists(PairingState state, int mapping, bool exists)
    {
        var facts = state.Facts(mapping);
        var escaped = facts.Flags & MappingFlags.Escaped;
        if (exists)
        {
            var flags = facts.Flags & ~MappingFlags.Absent;
            if ((flags & ~MappingFlags.Escaped) == 0)
            {
                return null;
            }

            state.Mappings[mapping] = facts with { Flags = flags };
            return state;
        }

        state.Mappings[mapping] = facts with { Flags = MappingFlags.Absent | escaped };
        var holders = new List<StorageKey>();
        foreach (var pair in state.Storage)
        {
            if (pair.Value.Kind == ValueKind.Mapped && pair.Value.Mapping == mapping)
            {
                holders.Add(pair.Key);
            }
        }

        foreach (var holder in holders)
        {
            state.Storage[holder] = AbstractValue.Zero;
        }

        // A pin made of a pooled array exists only where the array does: "if (arr != null)
        // { pin.Free(); Return(arr); }" releases both, and skips both.
        foreach (var site in _sites)
        {
            if (site.Id != mapping && site.Sources.Contains(mapping) && state.Mappings.ContainsKey(site.Id) &&
                (state.Facts(site.Id).Flags & MappingFlags.Absent) != 0)
            {
                RefineExists(state, site.Id, exists: false);
            }
        }

        return state;
    }
}
