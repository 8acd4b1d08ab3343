using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>Expression evaluation: what each operation yields and does to the state.</summary>
internal sealed partial class PairingWalker
{
    private AbstractValue Eval(IOperation? operation, PairingState state)
    {
        if (operation is null)
        {
            return AbstractValue.Unknown;
        }

        Step();
        switch (operation)
        {
            case IExpressionStatementOperation statement:
                Eval(statement.Operation, state);
                return AbstractValue.Unknown;
            case IConversionOperation { OperatorMethod: not null } handOff when IsAddress(handOff.Type) && !IsAddress(handOff.Operand.Type):
                {
                    // (IntPtr)handle: a GCHandle (or any handle type) turned into a number exists to give
                    // the handle's identity to someone else, who may free it (GCHandle.FromIntPtr(p).Free()).
                    var value = Eval(handOff.Operand, state);
                    if (value.ReachesMapping)
                    {
                        Store(state, value.Mapping);
                    }

                    return AbstractValue.Unknown;
                }

            case IConversionOperation conversion:
                return Eval(conversion.Operand, state);
            case IFlowCaptureOperation capture:
                state.Storage[_keys.CaptureKey(capture.Id)] = Eval(capture.Value, state);
                return AbstractValue.Unknown;
            case ISimpleAssignmentOperation assignment:
                {
                    var value = assignment.IsRef && IsIndirection(assignment.Value, out var pointer)
                        ? Eval(pointer, state)
                        : Eval(assignment.Value, state);
                    Assign(assignment.Target, value, assignment.Value, assignment.Syntax, state);
                    NoteNotNull(assignment, state);
                    return value;
                }

            case ICompoundAssignmentOperation compound:
                {
                    var old = Eval(compound.Target, state);
                    Eval(compound.Value, state);
                    var value = Derive(old, compound.OperatorKind, compound.Syntax);
                    Assign(compound.Target, value, compound, compound.Syntax, state);
                    return value;
                }

            case IIncrementOrDecrementOperation increment:
                {
                    var old = Eval(increment.Target, state);
                    var value = Derive(old, BinaryOperatorKind.Add, increment.Syntax);
                    Assign(increment.Target, value, increment, increment.Syntax, state);
                    return value;
                }

            case IBinaryOperation binary:
                {
                    var left = Eval(binary.LeftOperand, state);
                    var right = Eval(binary.RightOperand, state);
                    if (left.ReachesMapping && !right.ReachesMapping)
                    {
                        return Derive(left, binary.OperatorKind, binary.Syntax);
                    }

                    return right.ReachesMapping && binary.OperatorKind == BinaryOperatorKind.Add
                        ? Derive(right, binary.OperatorKind, binary.Syntax)
                        : AbstractValue.Unknown;
                }

            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                {
                    var value = Eval(not.Operand, state);
                    return value.Kind is ValueKind.TryResult or ValueKind.ReleaseResult ? value with { MaybeZero = !value.MaybeZero } : AbstractValue.Unknown;
                }

            case IInvocationOperation invocation:
                {
                    var result = Invoke(invocation, state);
                    if (_endedBy is null && NoReturn(invocation) is var kind and not NoReturnKind.Returns)
                    {
                        _endedBy = (invocation, kind);
                    }

                    return result;
                }

            case IObjectCreationOperation creation:
                return Create(creation, state);
            case IArrayCreationOperation array:
                EvalChildren(array, state, escape: true);
                return array.DimensionSizes.Length == 1 && array.DimensionSizes[0].ConstantValue.Value is int length
                    ? new AbstractValue(ValueKind.Sized, Number: length)
                    : AbstractValue.Unknown;
            case IFlowAnonymousFunctionOperation lambda:
                EscapeCaptured(lambda.Syntax, state);
                return AbstractValue.Unknown;
            case IAddressOfOperation address:
                if (_keys.Storage(address.Reference) is { } addressed)
                {
                    var held = state.Get(addressed);
                    if (held.ReachesMapping)
                    {
                        state.Escape(held.Mapping);
                    }
                    else if (held.Kind == ValueKind.Zero)
                    {
                        // Anything may write through the address (an out pointer of a native call):
                        // the storage is no longer known to be zero, so its zero tests stay open.
                        state.Storage[addressed] = AbstractValue.Unknown;
                    }

                    return AbstractValue.Unknown;
                }

                return ElementAddress(address, state);
            case IDefaultValueOperation:
                return AbstractValue.Zero;
            case IIsPatternOperation or IIsTypeOperation or IIsNullOperation:
                EvalChildren(operation, state, escape: false);
                return AbstractValue.Unknown;
        }

        if (operation.ConstantValue.HasValue)
        {
            return Constant(operation.ConstantValue.Value);
        }

        if (IsZeroMember(operation))
        {
            // Before the storage lookup: IntPtr.Zero is a static field, but it is "no mapping".
            return AbstractValue.Zero;
        }

        if (_keys.Storage(operation) is { } key)
        {
            if (operation is IMemberReferenceOperation { Instance: { } instance } && _keys.Storage(instance) is null)
            {
                Eval(instance, state);
            }

            var held = state.Get(key);
            return held.ReachesMapping && IsReferenceReadByValue(operation) ? AbstractValue.Unknown : held;
        }

        if (operation.Syntax is CollectionExpressionSyntax collection)
        {
            EvalChildren(operation, state, escape: true);
            return HasNoSpread(collection) ? new AbstractValue(ValueKind.Sized, Number: collection.Elements.Count) : AbstractValue.Unknown;
        }

        // p->M binds M on an implicit *p whose syntax is p's own: that node is the dereference.
        var dereference = IsDereference(operation.Syntax) ||
            (operation.Kind == OperationKind.None && operation.Parent?.Syntax.IsKind(SyntaxKind.PointerMemberAccessExpression) == true);
        foreach (var value in EvalChildren(operation, state, escape: !dereference))
        {
            if (dereference)
            {
                CheckUse(value, operation.Syntax, UseKind.Dereferenced, null, state);
            }
        }

        return operation.Syntax is StackAllocArrayCreationExpressionSyntax && StackAllocLength(operation) is { } count
            ? new AbstractValue(ValueKind.Sized, Number: count)
            : AbstractValue.Unknown;
    }

    /// <summary>
    /// A storage just assigned a new object or array is not null: the path knows the outcome of
    /// its null tests (<c>sizes = new int[n]</c> beside an acquire, then <c>if (sizes != null)</c>
    /// around the release). Without the fact the test would look open, and the release it guards
    /// skipped on a path where the acquire happened.
    /// </summary>
    private void NoteNotNull(ISimpleAssignmentOperation assignment, PairingState state)
    {
        var value = assignment.Value;
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        if (!assignment.IsRef && (value is IArrayCreationOperation || value is IObjectCreationOperation { Type.IsReferenceType: true }) &&
            _keys.Storage(assignment.Target) is { } key)
        {
            KnowNotNull(key, state);
        }
    }

    /// <summary>Records on this path that <paramref name="key"/> is not null, for the null tests the method makes of it.</summary>
    private void KnowNotNull(StorageKey key, PairingState state)
    {
        if (key.IsCapture)
        {
            return;
        }

        var stored = ConditionKey.Of(key);
        var none = ConditionKey.OfConstant("null");
        foreach (var test in new[] { ConditionKey.BinaryOf(stored, BinaryOperatorKind.Equals, none), ConditionKey.BinaryOf(none, BinaryOperatorKind.Equals, stored) })
        {
            // Only a test the method makes: a fact nothing reads would only split the paths.
            if (BranchConditions.Contains(test))
            {
                state.Conditions[test] = false;
            }
        }
    }

    private HashSet<ConditionKey>? _branchConditions;

    /// <summary>The conditions the method's branches test.</summary>
    private HashSet<ConditionKey> BranchConditions
    {
        get
        {
            if (_branchConditions is null)
            {
                _branchConditions = new HashSet<ConditionKey>();
                foreach (var block in _cfg.Blocks)
                {
                    var polarity = true;
                    if (block.BranchValue is { } condition && _keys.Condition(condition, ref polarity) is { } key)
                    {
                        _branchConditions.Add(key);
                    }
                }
            }

            return _branchConditions;
        }
    }

    /// <summary><c>ref *p</c>: the reference a ref assignment binds is the address <paramref name="pointer"/> holds.</summary>
    private static bool IsIndirection(IOperation value, out IOperation pointer)
    {
        pointer = value;
        if (!value.Syntax.IsKind(SyntaxKind.PointerIndirectionExpression))
        {
            return false;
        }

        foreach (var child in value.ChildOperations)
        {
            pointer = child;
            return true;
        }

        return false;
    }

    /// <summary>
    /// A ref local, parameter or field of a type that is not an address, holding a block as a
    /// reference (<c>ref byte r = ref Unsafe.AsRef&lt;byte&gt;(p)</c>), read by value: the value read
    /// is what the block holds, not the block. Passed by reference, ref-assigned or returned by
    /// reference, it is the block.
    /// </summary>
    private bool IsReferenceReadByValue(IOperation operation)
    {
        if (!IsBlockReference(operation))
        {
            return false;
        }

        return operation.Parent switch
        {
            IArgumentOperation argument => argument.Parameter?.RefKind is null or RefKind.None,
            ISimpleAssignmentOperation { IsRef: true } assignment => assignment.Value != operation,
            null => !_method.ReturnsByRef && !_method.ReturnsByRefReadonly,
            _ => true,
        };
    }

    /// <summary>A ref local, parameter or field of a type that is not an address: what it holds is a reference to memory, not a number.</summary>
    private static bool IsBlockReference(IOperation operation)
    {
        var byReference = operation switch
        {
            ILocalReferenceOperation local => local.Local.RefKind != RefKind.None,
            IParameterReferenceOperation parameter => parameter.Parameter.RefKind != RefKind.None,
            IFieldReferenceOperation field => field.Field.RefKind != RefKind.None,
            _ => false,
        };
        return byReference && operation.Type is { } type && !IsAddress(type) && !CallSummaries.MayHoldMapping(type);
    }

    /// <summary>Evaluates children for their effects; a mapping that flows into an operation we do not model escapes.</summary>
    private List<AbstractValue> EvalChildren(IOperation operation, PairingState state, bool escape)
    {
        var values = new List<AbstractValue>();
        foreach (var child in operation.ChildOperations)
        {
            var value = Eval(child, state);
            values.Add(value);
            if (escape && value.ReachesMapping)
            {
                state.Escape(value.Mapping);
            }
        }

        return values;
    }

    /// <summary>
    /// <c>&amp;p[k]</c> of a pointer <c>p</c>: the address <c>k</c> elements into what <c>p</c> points
    /// at, an offset of the block as <c>p + k</c> is, and for <c>k = 0</c> the block's start itself;
    /// <c>&amp;p-&gt;M</c>: the address of a member of what <c>p</c> points at, an offset of it.
    /// Stored, returned or passed on, either keeps the block. Any other address of something that
    /// is not a storage is not followed.
    /// </summary>
    private AbstractValue ElementAddress(IAddressOfOperation address, PairingState state)
    {
        var reference = address.Reference;
        if (reference.Syntax is ElementAccessExpressionSyntax)
        {
            IOperation? pointer = null;
            foreach (var child in reference.ChildOperations)
            {
                pointer = child;
                break;
            }

            if (pointer?.Type is not IPointerTypeSymbol)
            {
                return AbstractValue.Unknown;
            }

            var values = EvalChildren(reference, state, escape: false);
            return values.Count == 2 && values[1].Kind == ValueKind.Zero ? values[0] : Derive(values[0], BinaryOperatorKind.Add, address.Syntax);
        }

        if (reference is IFieldReferenceOperation { Instance: { Kind: OperationKind.None } target } &&
            reference.Syntax.IsKind(SyntaxKind.PointerMemberAccessExpression))
        {
            // p->M is (*p).M: the instance is the dereference, whose operand is the pointer.
            foreach (var child in target.ChildOperations)
            {
                if (child.Type is IPointerTypeSymbol)
                {
                    return Derive(Eval(child, state), BinaryOperatorKind.Add, address.Syntax);
                }
            }
        }

        return AbstractValue.Unknown;
    }

    private static bool IsDereference(SyntaxNode syntax) =>
        syntax.IsKind(SyntaxKind.PointerIndirectionExpression) ||
        syntax.IsKind(SyntaxKind.PointerMemberAccessExpression) ||
        syntax.IsKind(SyntaxKind.ElementAccessExpression);

    private static bool HasNoSpread(CollectionExpressionSyntax collection)
    {
        foreach (var element in collection.Elements)
        {
            if (element is not ExpressionElementSyntax)
            {
                return false;
            }
        }

        return true;
    }

    private static long? StackAllocLength(IOperation operation)
    {
        foreach (var child in operation.ChildOperations)
        {
            if (child.ConstantValue.Value is int length)
            {
                return length;
            }
        }

        return null;
    }

    private static AbstractValue Constant(object? value) => value switch
    {
        null => AbstractValue.Zero,
        int i => i == 0 ? AbstractValue.Zero : new AbstractValue(ValueKind.Constant, Number: i),
        long l => l == 0 ? AbstractValue.Zero : new AbstractValue(ValueKind.Constant, Number: l),
        uint u => u == 0 ? AbstractValue.Zero : new AbstractValue(ValueKind.Constant, Number: u),
        ulong ul => ul == 0 ? AbstractValue.Zero : new AbstractValue(ValueKind.Constant, Number: unchecked((long)ul)),
        _ => AbstractValue.Unknown,
    };

    private static bool IsZeroMember(IOperation operation) =>
        operation is IMemberReferenceOperation { Member: { Name: "Zero", IsStatic: true } member } &&
        member.ContainingType.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr;

    private static bool IsZero(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation is IDefaultValueOperation ||
            IsZeroMember(operation) ||
            (operation.ConstantValue.HasValue && Constant(operation.ConstantValue.Value).Kind == ValueKind.Zero);
    }

    /// <summary>Pointer arithmetic on a mapping yields an offset of it (remembered where it was computed).</summary>
    private static AbstractValue Derive(AbstractValue old, BinaryOperatorKind kind, SyntaxNode at) =>
        old.ReachesMapping && kind is BinaryOperatorKind.Add or BinaryOperatorKind.Subtract
            ? new AbstractValue(ValueKind.Offset, old.Mapping, Origin: old.Kind == ValueKind.Offset ? old.Origin : at)
            : AbstractValue.Unknown;

    private void EscapeCaptured(SyntaxNode lambda, PairingState state)
    {
        var names = new HashSet<string>();
        foreach (var token in lambda.DescendantTokens())
        {
            if (token.IsKind(SyntaxKind.IdentifierToken))
            {
                names.Add(token.ValueText);
            }
        }

        foreach (var pair in state.Storage)
        {
            if (pair.Value.ReachesMapping && names.Contains(pair.Key.Display.Split('.')[0]))
            {
                state.Escape(pair.Value.Mapping);
            }
        }
    }

    private AbstractValue Create(IObjectCreationOperation creation, PairingState state)
    {
        if (creation.Type is { SpecialType: SpecialType.System_IntPtr or SpecialType.System_UIntPtr } && creation.Arguments.Length == 1 &&
            creation.Initializer is null)
        {
            // new IntPtr(p): the same address as a number, as a cast would make it.
            return Eval(creation.Arguments[0].Value, state);
        }

        var isSpan = creation.Type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };
        foreach (var argument in creation.Arguments)
        {
            var value = Eval(argument.Value, state);
            if (!value.ReachesMapping)
            {
                continue;
            }

            if (isSpan)
            {
                CheckUse(value, argument.Value.Syntax, UseKind.WrappedInSpan, null, state);
            }
            else if (!CheckUse(value, argument.Value.Syntax, UseKind.PassedToNew, creation.Type?.Name, state))
            {
                // An object built around the address may take it over, like a caller-owned buffer
                // type: no leak is claimed, the caller's own release is still checked.
                Store(state, value.Mapping);
            }
        }

        if (creation.Initializer is { } initializer)
        {
            Eval(initializer, state);
        }

        return AbstractValue.Unknown;
    }

    /// <summary>Reports a use of a released mapping; true when it reported.</summary>
    private bool CheckUse(AbstractValue value, SyntaxNode at, UseKind use, string? usedBy, PairingState state)
    {
        if (!value.ReachesMapping || IsHeldOnReceiver(value.Mapping))
        {
            // Not noted as a path without the release: a dereference checks each operand at the
            // same syntax (bytes[3] checks bytes and 3).
            return false;
        }

        var facts = state.Facts(value.Mapping);
        if ((facts.Flags & MappingFlags.Live) != 0 || !facts.MayBeReleased)
        {
            NoteSomePathsOnly(_usedOnSomePathsOnly, at);
        }

        if (!facts.MayBeReleased || facts.ReleasedAt is null)
        {
            return false;
        }

        Report(new PairingFinding(FindingKind.UsedAfterUnmap, at, facts.ReleasedAt.GetLocation(), Describe(at))
        {
            Site = _sites[value.Mapping],
            Use = use,
            UsedByName = usedBy,
            OnEveryPath = (facts.Flags & MappingFlags.Live) == 0,
            EarlierVia = facts.Via,
        });
        return true;
    }

    private ReturnInfo Returned(AbstractValue value, IOperation returned, PairingState state)
    {
        var info = new ReturnInfo(value, value.Mapping >= 0 ? state.Facts(value.Mapping) : MappingFacts.Absent, returned);
        if (value.ReachesMapping && !CheckUse(value, returned.Syntax, UseKind.Returned, null, state) &&
            !(_summarising && _sites[value.Mapping].Parameter is not null))
        {
            // Ownership goes to the caller. (A summarised parameter's mapping stays the caller's.)
            state.Escape(value.Mapping);
        }

        return info;
    }

    /// <summary>Where a value came from: a storage (by name), a constant, a call, an offset of the mapping.</summary>
    private ValueSource Source(IOperation? operation, AbstractValue value)
    {
        if (value.Kind == ValueKind.Offset)
        {
            return new ValueSource(ValueSourceKind.Offset);
        }

        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        if (operation is null)
        {
            return new ValueSource(ValueSourceKind.Unknown);
        }

        if (operation.ConstantValue.HasValue)
        {
            return new ValueSource(ValueSourceKind.Constant, operation.Syntax);
        }

        if (operation is IInvocationOperation)
        {
            return new ValueSource(ValueSourceKind.Call, operation.Syntax);
        }

        return _keys.Storage(operation) is { } key && !key.IsCapture
            ? new ValueSource(ValueSourceKind.Storage, operation.Syntax, key.Display)
            : new ValueSource(ValueSourceKind.Expression, operation.Syntax);
    }

    private static string Describe(SyntaxNode argument)
    {
        while (argument is CastExpressionSyntax cast)
        {
            argument = cast.Expression;
        }

        while (argument is ParenthesizedExpressionSyntax parenthesized)
        {
            argument = parenthesized.Expression;
        }

        return argument.ToString();
    }
}
