using System;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>Page counts at map and unmap calls, in a form that can be compared.</summary>
internal sealed partial class PairingWalker
{
    /// <summary>A page count as the engine can compare it (see <see cref="CountValue"/>); null when unknown.</summary>
    private CountValue? Count(IOperation operation, PairingState state)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        var text = operation.Syntax.ToString();
        if (operation.ConstantValue.Value is int or long)
        {
            var n = Convert.ToInt64(operation.ConstantValue.Value, CultureInfo.InvariantCulture);
            return new CountValue(null, n, n, text);
        }

        if (operation is IArrayCreationOperation or { Syntax: CollectionExpressionSyntax or StackAllocArrayCreationExpressionSyntax })
        {
            return Eval(operation, state.Clone()) is { Kind: ValueKind.Sized } sized ? new CountValue(null, sized.Number, sized.Number, sized.Number.ToString(CultureInfo.InvariantCulture)) : null;
        }

        if (_keys.Storage(operation) is { } key && IsStable(key))
        {
            var value = state.Get(key);
            var display = key.Display;
            if (IsInteger(operation.Type))
            {
                long? resolved = value.Kind == ValueKind.Constant ? value.Number : value.Kind == ValueKind.Zero ? 0 : null;
                return new CountValue(CountBase.ValueOf(key), 0, resolved, display);
            }

            return new CountValue(CountBase.LengthOf(key), 0, value.Kind == ValueKind.Sized ? value.Number : null, display + ".Length");
        }

        if (operation is IPropertyReferenceOperation { Property.Name: "Length" or "Count", Instance: { } instance } &&
            _keys.Storage(instance) is { } owner && IsStable(owner))
        {
            var value = state.Get(owner);
            return new CountValue(CountBase.LengthOf(owner), 0, value.Kind == ValueKind.Sized ? value.Number : null, text);
        }

        if (operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract } binary &&
            SmallConstant(binary.RightOperand) is { } delta && Count(binary.LeftOperand, state) is { } left)
        {
            var signed = binary.OperatorKind == BinaryOperatorKind.Add ? delta : -delta;
            return new CountValue(left.Base, left.Offset + signed, left.Resolved + signed, text, left.Scale);
        }

        if (operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } product &&
            (SmallConstant(product.RightOperand) is not null ? (product.LeftOperand, product.RightOperand) : (product.RightOperand, product.LeftOperand))
                is var (factor, constant) &&
            SmallConstant(constant) is { } scale && Count(factor, state) is { } scaled)
        {
            // length * 2: the same base, scaled (and any offset with it).
            return new CountValue(scaled.Base, scaled.Offset * scale, scaled.Resolved * scale, text, scaled.Scale * scale);
        }

        return null;
    }

    /// <summary>
    /// An int-sized constant operand, also when converted to the count's type (<c>size - 4096</c>
    /// with <c>size</c> a <c>nuint</c>, as OS lengths are).
    /// </summary>
    private static int? SmallConstant(IOperation operand) => operand.ConstantValue.Value switch
    {
        int i => i,
        uint u when u <= int.MaxValue => (int)u,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        ulong ul when ul <= int.MaxValue => (int)ul,
        _ => null,
    };

    private static bool IsInteger(ITypeSymbol? type) => type?.SpecialType is
        SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_UInt32 or SpecialType.System_UInt64 or
        SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_IntPtr or SpecialType.System_UIntPtr;
}
