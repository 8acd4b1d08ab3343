using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>The transfer functions: what each operation does to the abstract state.</summary>
internal sealed partial class PairingWalker
{
    /// <summary>
    /// Set by a map call for the assignment that stores its result: the facts of the previous
    /// mapping made by the same call (a loop iteration), so that storing the new one can tell
    /// whether the old one was still live.
    /// </summary>
    private (int Mapping, MappingFacts? Previous)? _justMapped;

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
            case IConversionOperation conversion:
                return Eval(conversion.Operand, state);
            case IFlowCaptureOperation capture:
                state.Storage[_keys.CaptureKey(capture.Id)] = Eval(capture.Value, state);
                return AbstractValue.Unknown;
            case ISimpleAssignmentOperation assignment:
            {
                var value = Eval(assignment.Value, state);
                Assign(assignment.Target, value, assignment.Value, assignment.Syntax, state);
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
                return Invoke(invocation, state);
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
                if (_keys.Storage(address.Reference) is { } addressed && state.Get(addressed) is { ReachesMapping: true } held)
                {
                    state.Escape(held.Mapping);
                }

                return AbstractValue.Unknown;
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

            return state.Get(key);
        }

        if (operation.Syntax is CollectionExpressionSyntax collection)
        {
            EvalChildren(operation, state, escape: true);
            return HasNoSpread(collection) ? new AbstractValue(ValueKind.Sized, Number: collection.Elements.Count) : AbstractValue.Unknown;
        }

        var dereference = IsDereference(operation.Syntax);
        foreach (var value in EvalChildren(operation, state, escape: !dereference))
        {
            if (dereference)
            {
                CheckUse(value, operation.Syntax, "dereferenced", state);
            }
        }

        return operation.Syntax is StackAllocArrayCreationExpressionSyntax && StackAllocLength(operation) is { } count
            ? new AbstractValue(ValueKind.Sized, Number: count)
            : AbstractValue.Unknown;
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
            if (pair.Value.ReachesMapping && names.Contains(KeyBuilder.Display(pair.Key).Split('.')[0]))
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
                CheckUse(value, argument.Value.Syntax, "wrapped in a span", state);
            }
            else if (!CheckUse(value, argument.Value.Syntax, "passed to a new '" + creation.Type?.Name + "'", state))
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
    private bool CheckUse(AbstractValue value, SyntaxNode at, string how, PairingState state)
    {
        if (!value.ReachesMapping)
        {
            return false;
        }

        var facts = state.Facts(value.Mapping);
        if (!facts.MayBeReleased || facts.ReleasedAt is null)
        {
            return false;
        }

        Report(new PairingFinding(FindingKind.UsedAfterUnmap, at, facts.ReleasedAt.GetLocation(), Describe(at))
        {
            Site = _sites[value.Mapping],
            Detail = how,
            OnEveryPath = (facts.Flags & MappingFlags.Live) == 0,
            EarlierVia = facts.Via,
        });
        return true;
    }

    private ReturnInfo Returned(AbstractValue value, IOperation returned, PairingState state)
    {
        var info = new ReturnInfo(value, value.Mapping >= 0 ? state.Facts(value.Mapping) : MappingFacts.Absent, returned);
        if (value.ReachesMapping && !CheckUse(value, returned.Syntax, "returned", state) &&
            !(_summarising && _sites[value.Mapping].Parameter is not null))
        {
            // Ownership goes to the caller. (A summarised parameter's mapping stays the caller's.)
            state.Escape(value.Mapping);
        }

        return info;
    }

    private AbstractValue Invoke(IInvocationOperation invocation, PairingState state)
    {
        var method = invocation.TargetMethod;
        var annotation = _context.Pairs.Get(method);
        var receiver = invocation.Instance is { } instance ? Eval(instance, state) : AbstractValue.Unknown;

        var values = new AbstractValue[invocation.Arguments.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var argument = invocation.Arguments[i];
            values[i] = argument.Parameter?.RefKind == RefKind.Out ? AbstractValue.Unknown : Eval(argument.Value, state);
        }

        if (annotation is null && IsSameAddress(invocation))
        {
            // p.ToPointer(), handle.GetValueOrDefault(): the value itself, in another type.
            return receiver;
        }

        var usesWithoutTakingOver = annotation is not null ||
            (method.ContainingType is { } owner && _context.Pairs.IsApiOwner(owner));
        if (annotation is not null && FindUnmap(annotation, UnmapSpec.Receiver) is { } receiverUnmap)
        {
            Unmap(receiver, invocation.Instance!, receiverUnmap, invocation, state);
        }
        else if (receiver.ReachesMapping && invocation.Instance!.Type is { } receiverType && !IsAddress(receiverType))
        {
            // A handle or an array used through its own methods after its release (an address is
            // a number; its methods read nothing behind it).
            CheckUse(receiver, invocation.Instance.Syntax, "used by '" + method.Name + "'", state);
        }

        AbstractValue result = AbstractValue.Unknown;
        for (var i = 0; i < values.Length; i++)
        {
            var argument = invocation.Arguments[i];
            var ordinal = argument.Parameter?.Ordinal ?? i;
            if (annotation is not null && FindUnmap(annotation, ordinal) is { } unmap)
            {
                NoteMemberUnmapped(argument.Value, state);
                Unmap(values[i], argument.Value, unmap, invocation, state);
                continue;
            }

            if (argument.Parameter?.RefKind is RefKind.Out or RefKind.Ref || !values[i].ReachesMapping)
            {
                continue;
            }

            var mapping = values[i].Mapping;
            var effect = usesWithoutTakingOver ? ParameterSummary.Borrowed : Effect(method, ordinal, values[i]);
            switch (effect.Effect)
            {
                case CallEffect.Releases:
                    NoteMemberUnmapped(argument.Value, state);
                    Unmap(values[i], argument.Value, effect.Release!, invocation, state, new ReleaseVia(method.Name, effect.Step!));
                    continue;
                case CallEffect.ReleasesWhen:
                {
                    var before = state.Facts(mapping);
                    Unmap(values[i], argument.Value, effect.Release!, invocation, state, new ReleaseVia(method.Name, effect.Step!));
                    var after = state.Facts(mapping);
                    if (before.IsTracked && after.IsTracked && after.Flags == MappingFlags.Released)
                    {
                        // Released on the paths where the call returns ReleasedWhen: the branch on
                        // the result tells them apart (see Refine).
                        state.Mappings[mapping] = after with { Flags = before.Flags | MappingFlags.Released };
                        result = AbstractValue.ReleaseResultOf(mapping, effect.ReleasedWhen);
                    }

                    continue;
                }

                case CallEffect.MayRelease:
                    // Released on some paths only, and nothing to test: claim nothing more.
                    state.Escape(mapping);
                    continue;
            }

            if (CheckUse(values[i], argument.Value.Syntax, "passed to '" + method.Name + "'", state))
            {
                continue;
            }

            if (effect.Effect == CallEffect.Adopts)
            {
                // It may own it now: no leak is claimed, the caller's own later release is still checked.
                Store(state, mapping);
            }
            else if (effect.Returns != ReturnShape.None)
            {
                result = effect.Returns == ReturnShape.Itself ? values[i] : Derive(values[i], BinaryOperatorKind.Add, invocation.Syntax);
            }
        }

        if (method.MethodKind == MethodKind.LocalFunction)
        {
            // A local function may release what it captures; nothing is claimed about that any more.
            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                EscapeCaptured(reference.GetSyntax(_cancellationToken), state);
            }
        }

        for (var i = 0; i < values.Length; i++)
        {
            var argument = invocation.Arguments[i];
            if (argument.Parameter?.RefKind is not (RefKind.Out or RefKind.Ref) || argument.Parameter is not { } parameter)
            {
                continue;
            }

            if (annotation is not null && FindOutMap(annotation, parameter.Ordinal) is { } outMap)
            {
                var site = Site(invocation, outMap, state);
                NoteSources(site, values, state);
                Assign(argument.Value, NewMapping(site, state), null, invocation.Syntax, state);
                if (outMap.IsTry)
                {
                    result = AbstractValue.TryResultOf(site.Id, negated: false);
                }
            }
            else
            {
                if (values[i].ReachesMapping)
                {
                    state.Escape(values[i].Mapping);
                }

                Assign(argument.Value, AbstractValue.Unknown, null, invocation.Syntax, state);
            }
        }

        if (annotation is not null && FindOutMap(annotation, null) is { } returnMap)
        {
            var site = Site(invocation, returnMap, state);
            NoteSources(site, values, state);
            return NewMapping(site, state);
        }

        if (annotation is null && result.Kind == ValueKind.Unknown && CallSummaries.MayReturnMapping(method) &&
            method.MethodKind != MethodKind.LocalFunction && CallSummaries.CanSeeBody(method) &&
            _context.Summaries.Acquire(method, _scope, _cancellationToken) is { } acquire)
        {
            return NewMapping(Site(invocation, acquire.Spec, state, acquire.Step), state);
        }

        return result;
    }

    private static void Store(PairingState state, int mapping)
    {
        if (state.Mappings.TryGetValue(mapping, out var facts))
        {
            state.Mappings[mapping] = facts.Store();
        }
    }

    /// <summary>
    /// What a call does with a mapping passed as parameter <paramref name="ordinal"/> of
    /// <paramref name="method"/> (neither an acquire nor a release of the pair table).
    /// </summary>
    private ParameterSummary Effect(IMethodSymbol method, int ordinal, AbstractValue value)
    {
        if (_context.Pairs.TakesOwnership(method, ordinal))
        {
            return ParameterSummary.Adopted;
        }

        if (CallSummaries.IsPlatformInvoke(method))
        {
            return ParameterSummary.Borrowed;
        }

        if (method.MethodKind == MethodKind.LocalFunction)
        {
            return LocalSummary(method, ordinal);
        }

        if (CallSummaries.CanSeeBody(method))
        {
            return _context.Summaries.Parameter(method, ordinal, _scope, _cancellationToken);
        }

        // A pooled array passed to a method is lent (Stream.Read, CopyTo, GetBytes fill it); only
        // Return gives it back. Any other block may be adopted by code we cannot see.
        return _sites[value.Mapping].Spec.PerReceiver ? ParameterSummary.Borrowed : ParameterSummary.Adopted;
    }

    /// <summary>The summary of a local function declared in this body or an enclosing one.</summary>
    private ParameterSummary LocalSummary(IMethodSymbol local, int ordinal)
    {
        var key = (local, ordinal);
        if (_scope.Local.TryGetValue(key, out var cached))
        {
            return cached;
        }

        if (local.DeclaringSyntaxReferences.Length == 0 ||
            local.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken) is not LocalFunctionStatementSyntax declaration ||
            ((SyntaxNode?)declaration.Body ?? declaration.ExpressionBody) is not { } body ||
            _scope.Depth >= SummaryScope.MaxDepth || !_scope.TryEnter(key))
        {
            return ParameterSummary.Adopted;
        }

        ParameterSummary result;
        var cyclic = false;
        try
        {
            result = SummariseParameter(_cfg.GetLocalFunctionControlFlowGraphInScope(local, _cancellationToken), _context, local, body, ordinal, _scope, _cancellationToken);
        }
        finally
        {
            cyclic = _scope.Leave(key);
        }

        if (cyclic)
        {
            result = ParameterSummary.Adopted;
        }

        _scope.Local[key] = result;
        return result;
    }

    /// <summary>
    /// An array made here (<c>new byte[16]</c>, <c>[1, 2]</c>, or a local that holds one): no pool
    /// rented it. An empty array is not one: pools ignore it, and <c>[]</c> is the usual
    /// "nothing rented" marker, like <c>Array.Empty&lt;T&gt;()</c>.
    /// </summary>
    private static bool IsNewArray(IOperation argument, AbstractValue value)
    {
        while (argument is IConversionOperation conversion)
        {
            argument = conversion.Operand;
        }

        if (value.Kind == ValueKind.Sized && value.Number == 0)
        {
            return false;
        }

        return argument is IArrayCreationOperation || argument.Syntax is CollectionExpressionSyntax ||
            (value.Kind == ValueKind.Sized && argument.Type is IArrayTypeSymbol);
    }

    /// <summary><c>IntPtr.ToPointer()</c>, <c>Nullable&lt;T&gt;.GetValueOrDefault()</c>: the receiver's value unchanged.</summary>
    private static bool IsSameAddress(IInvocationOperation invocation) =>
        invocation.Instance is not null && invocation.Arguments.Length == 0 &&
        ((invocation.TargetMethod.Name == "ToPointer" && invocation.TargetMethod.ContainingType.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr) ||
         (invocation.TargetMethod.Name == "GetValueOrDefault" && invocation.TargetMethod.ContainingType.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T));

    private static bool IsAddress(ITypeSymbol type) =>
        type.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr || type is IPointerTypeSymbol;

    private static UnmapSpec? FindUnmap(MethodAnnotation annotation, int ordinal)
    {
        foreach (var unmap in annotation.Unmaps)
        {
            if (unmap.Ordinal == ordinal)
            {
                return unmap;
            }
        }

        return null;
    }

    private static MapSpec? FindOutMap(MethodAnnotation annotation, int? ordinal)
    {
        foreach (var map in annotation.Maps)
        {
            if (map.OutOrdinal == ordinal)
            {
                return map;
            }
        }

        return null;
    }

    private MapSite Site(IInvocationOperation call, MapSpec spec, PairingState state, PathStep? via = null)
    {
        if (spec.PerReceiver)
        {
            spec = spec with { Family = ReceiverFamily(spec.Family, call) };
        }

        if (!_sitesByCall.TryGetValue((call, spec), out var site))
        {
            var countArgument = spec.CountOrdinal is { } ordinal ? ArgumentFor(call, ordinal) : null;
            site = new MapSite(_sites.Count, call, spec, countArgument is null ? null : Count(countArgument, state), countArgument?.Syntax, via);
            _sites.Add(site);
            _sitesByCall.Add((call, spec), site);
        }

        return site;
    }

    private static IOperation? ArgumentFor(IInvocationOperation call, int ordinal)
    {
        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter?.Ordinal == ordinal)
            {
                return argument.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// <c>array-pool(ArrayPool.Shared)</c>: a family qualified by the receiver when it names a
    /// storage (a static pool, a field or local holding one); the bare family when the receiver
    /// is computed, which matches every receiver of the family.
    /// </summary>
    private string ReceiverFamily(string family, IInvocationOperation call)
    {
        var instance = call.Instance;
        while (instance is IConversionOperation conversion)
        {
            instance = conversion.Operand;
        }

        return _keys.Storage(instance) is { } key && !KeyBuilder.IsCapture(key) && (key.IndexOf('.') >= 0 || IsStable(key))
            ? family + "(" + KeyBuilder.Display(key) + ")"
            : family;
    }

    /// <summary>Same family, or one of them is the unqualified family of the other's receiver-qualified one.</summary>
    private static bool SameFamily(string mapped, string released) =>
        mapped == released || mapped == MapSite.AnyFamily ||
        (released.Length < mapped.Length && mapped[released.Length] == '(' && mapped.StartsWith(released, System.StringComparison.Ordinal)) ||
        (mapped.Length < released.Length && released[mapped.Length] == '(' && released.StartsWith(mapped, System.StringComparison.Ordinal));

    private static void NoteSources(MapSite site, AbstractValue[] arguments, PairingState state)
    {
        foreach (var value in arguments)
        {
            if (value.Kind == ValueKind.Mapped && value.Mapping != site.Id && state.Facts(value.Mapping).MayBeLive)
            {
                site.Sources.Add(value.Mapping);
            }
        }
    }

    private AbstractValue NewMapping(MapSite site, PairingState state)
    {
        _justMapped = (site.Id, state.Mappings.TryGetValue(site.Id, out var previous) ? previous : null);
        state.Mappings[site.Id] = new MappingFacts(site.Spec.IsTry ? MappingFlags.Live | MappingFlags.Absent : MappingFlags.Live);
        return AbstractValue.MappedBy(site.Id);
    }

    private void Unmap(AbstractValue value, IOperation argument, UnmapSpec spec, IInvocationOperation call, PairingState state, ReleaseVia? via = null)
    {
        var declared = spec;
        if (spec.PerReceiver)
        {
            spec = spec with { Family = ReceiverFamily(spec.Family, call) };
            if (IsNewArray(argument, value))
            {
                // dotnet/corefx#5949: an array the pool never rented poisons it.
                Report(new PairingFinding(FindingKind.UnmapOfNonStart, argument.Syntax, argument.Syntax.GetLocation(), Describe(argument.Syntax))
                {
                    Detail = "it is a new array, which '" + call.TargetMethod.Name + "' gives to a pool that never rented it",
                });
                return;
            }
        }

        switch (value.Kind)
        {
            case ValueKind.Mapped:
            {
                var facts = state.Facts(value.Mapping);
                if (!facts.IsTracked || (facts.Flags & ~MappingFlags.Absent) == 0)
                {
                    return;
                }

                var site = _sites[value.Mapping];
                if (facts.MayBeReleased && facts.ReleasedAt is not null)
                {
                    Report(new PairingFinding(FindingKind.UnmappedTwice, argument.Syntax, facts.ReleasedAt.GetLocation(), Describe(argument.Syntax))
                    {
                        Site = site,
                        OnEveryPath = (facts.Flags & MappingFlags.Live) == 0,
                        EarlierVia = facts.Via,
                        Via = via,
                    });

                    // On the paths where it was still live this call released it: no leak on top.
                    state.Mappings[value.Mapping] = facts with { Flags = MappingFlags.Released };
                    return;
                }

                if (!SameFamily(site.Spec.Family, spec.Family))
                {
                    Report(new PairingFinding(FindingKind.WrongFamily, argument.Syntax, site.Syntax.GetLocation(), Describe(argument.Syntax))
                    {
                        Site = site,
                        ReleaserName = call.TargetMethod.Name,
                        ReleaseFamily = spec.Family,
                        Via = via,
                        ReleaseMethod = site.Call?.TargetMethod.ContainingType is { } owner
                            ? _context.Pairs.FindReleaseMethod(owner, site.Spec.Family)
                            : null,
                    });
                }
                else if (spec.CountOrdinal is { } countOrdinal && site.Count is { } mapped &&
                    ArgumentFor(call, countOrdinal) is { } countArgument && Count(countArgument, state) is { } unmapped &&
                    CountValue.Differ(mapped, unmapped))
                {
                    Report(new PairingFinding(FindingKind.CountMismatch, countArgument.Syntax, site.CountSyntax!.GetLocation(), Describe(argument.Syntax))
                    {
                        Site = site,
                        CountText = countArgument.Syntax.ToString(),
                        MappedCountText = mapped.Text,
                        Detail = mapped.Resolved is { } n && mapped.Text != n.ToString(CultureInfo.InvariantCulture)
                            ? n.ToString(CultureInfo.InvariantCulture)
                            : null,
                    });
                }

                if (_summarising && site.Parameter is not null && _parameterRelease is null)
                {
                    // What the callers of this method will apply to the argument they pass: the
                    // family without this method's receiver, the count when it is a parameter here.
                    int? count = declared.CountOrdinal is { } c && ArgumentFor(call, c) is { } countArgument ? ParameterOf(countArgument) : null;
                    _parameterRelease = (
                        new UnmapSpec(declared.Family, site.Parameter.Ordinal, count),
                        via?.Step ?? new PathStep(call.TargetMethod.Name, argument.Syntax.GetLocation()));
                }

                state.Mappings[value.Mapping] = new MappingFacts(MappingFlags.Released, argument.Syntax, facts.Stored, via);
                return;
            }

            case ValueKind.Offset when state.Facts(value.Mapping).IsTracked:
            case ValueKind.Reassigned:
                Report(new PairingFinding(FindingKind.UnmapOfNonStart, argument.Syntax, value.Origin!.GetLocation(), Describe(argument.Syntax))
                {
                    Site = _sites[value.Mapping],
                    Detail = value.Kind == ValueKind.Offset ? "an offset of the mapping" : value.Description,
                });
                state.Escape(value.Mapping);
                return;
        }
    }

    /// <summary>
    /// Stores <paramref name="value"/> into the storage <paramref name="target"/> names, reporting
    /// a live mapping it overwrites and a mapping-holding member it re-points.
    /// </summary>
    private void Assign(IOperation target, AbstractValue value, IOperation? valueOperation, SyntaxNode at, PairingState state)
    {
        var key = _keys.Storage(target);
        if (key is null)
        {
            // An array element, a member of an object we do not follow: the mapping is stored.
            Eval(target, state);
            if (value.ReachesMapping && state.Mappings.TryGetValue(value.Mapping, out var stored))
            {
                state.Mappings[value.Mapping] = stored with { Stored = true };
            }

            return;
        }

        var justMapped = _justMapped;
        _justMapped = null;
        var old = state.Get(key);
        if (old.Kind == ValueKind.Unknown && value.Kind == ValueKind.Mapped && key.IndexOf('.') >= 0 &&
            !KeyBuilder.IsCapture(key) && _sites[value.Mapping].Spec.PerReceiver && !_repointed.ContainsKey((key, value.Mapping)))
        {
            // A pooled member re-pointed at a new rental without a look at what it held (see CheckRepointedReturn).
            _repointed.Add((key, value.Mapping), at);
        }
        var newValue = value;
        if (old.Kind == ValueKind.Mapped)
        {
            var sameCall = value.Kind == ValueKind.Mapped && value.Mapping == old.Mapping;
            var facts = sameCall
                ? (justMapped is { } jm && jm.Mapping == old.Mapping ? jm.Previous : null)
                : state.Facts(old.Mapping);
            if (facts is { MayBeLive: true } && !state.IsHeldElsewhere(old.Mapping, key) && !facts.Stored &&
                target is ILocalReferenceOperation { IsDeclaration: true, Local: var local })
            {
                // A loop body's local declared again: the previous iteration's variable went out of
                // scope holding the mapping; nothing was overwritten.
                var site = _sites[old.Mapping];
                if (site.Spec.ReportsLoss)
                {
                    Report(new PairingFinding(FindingKind.MappingOutOfScope, site.Syntax, ScopeEnd(local), KeyBuilder.Display(key))
                    {
                        Site = site,
                    });
                }

                state.Escape(old.Mapping);
            }
            else if (facts is { MayBeLive: true } && !state.IsHeldElsewhere(old.Mapping, key) && !facts.Stored)
            {
                if (_sites[old.Mapping].Spec.ReportsLoss)
                {
                    Report(new PairingFinding(FindingKind.MappingOverwritten, at, _sites[old.Mapping].Syntax.GetLocation(), KeyBuilder.Display(key))
                    {
                        Site = _sites[old.Mapping],
                    });
                }

                if (!sameCall)
                {
                    state.Escape(old.Mapping);
                    if (value.Kind is not (ValueKind.Mapped or ValueKind.Zero or ValueKind.TryResult))
                    {
                        newValue = new AbstractValue(ValueKind.Reassigned, old.Mapping, Origin: at, Description: Describe(valueOperation, value));
                    }
                }
            }
        }
        else if (key.IndexOf('.') >= 0 && target is IMemberReferenceOperation member)
        {
            CheckRepoint(member, key, value, valueOperation, at, state);
        }

        foreach (var pair in state.Storage)
        {
            if (pair.Key != key && KeyBuilder.IsMemberOf(pair.Key, key) && pair.Value.ReachesMapping)
            {
                state.Escape(pair.Value.Mapping);
            }
        }

        state.Invalidate(key);
        state.Storage[key] = newValue;
        if (value.ReachesMapping && _keys.IsOuter(key))
        {
            // A variable captured from the enclosing method outlives this lambda or local function.
            Store(state, value.Mapping);
        }
        if (valueOperation?.ConstantValue.Value is bool flag)
        {
            state.Conditions["[" + key + "]"] = flag;
        }

        if (value.ReachesMapping && target is IParameterReferenceOperation { Parameter.RefKind: not RefKind.None } &&
            state.Mappings.TryGetValue(value.Mapping, out var facts2))
        {
            state.Mappings[value.Mapping] = facts2 with { Stored = true };
        }
    }

    private Location ScopeEnd(ILocalSymbol local)
    {
        foreach (var reference in local.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(_cancellationToken).FirstAncestorOrSelf<BlockSyntax>() is { } block)
            {
                return block.CloseBraceToken.GetLocation();
            }
        }

        return _body.GetLocation();
    }

    /// <summary>
    /// The XFS shape: a member that holds mappings somewhere in the compilation, and is unmapped
    /// somewhere, is pointed at other memory while the unmap path's guard may still hold.
    /// </summary>
    private void CheckRepoint(IMemberReferenceOperation target, string key, AbstractValue value, IOperation? valueOperation, SyntaxNode at, PairingState state)
    {
        if (_method.MethodKind is MethodKind.Constructor or MethodKind.StaticConstructor ||
            value.Kind is ValueKind.Mapped or ValueKind.Zero or ValueKind.TryResult ||
            valueOperation is null || target.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver } ||
            !PairingContext.MayHoldAddress(target))
        {
            return;
        }

        var index = _context.MemberIndex;
        var member = target.Member.OriginalDefinition;
        if (!index.HoldsMappings(member) || index.MapsIn(member, _method) || ReadsMappingMember(valueOperation, index))
        {
            return;
        }

        var receiver = key.Substring(0, key.LastIndexOf('.'));
        if (KeyBuilder.IsCapture(receiver))
        {
            // An object initializer: the object is new, nothing it holds was mapped yet.
            return;
        }

        foreach (var site in index.UnmapSites(member))
        {
            if (site.ContradictedBy(receiver, state.Conditions))
            {
                continue;
            }

            Report(new PairingFinding(FindingKind.MemberRepointed, at, site.Argument, KeyBuilder.Display(key))
            {
                Detail = Describe(valueOperation, value),
                MemberName = member.Name,
                FlagName = site.FlagName,
                ReleaserName = site.MethodName,
            });

            // The XFS leak: whatever the member held is never unmapped once it names other memory,
            // unless this path unmapped it first (and only forgot to clear the flag: VMAP001 alone).
            if (index.MapSites(member) is { Count: > 0 } maps && !state.Conditions.ContainsKey(UnmappedMemberKey(key)))
            {
                Report(new PairingFinding(FindingKind.MemberMappingLost, at, maps[0].Call, KeyBuilder.Display(key))
                {
                    MemberName = member.Name,
                    Detail = maps[0].ApiName,
                });
            }

            return;
        }
    }

    /// <summary>
    /// Remembers on this path that the member passed to an unmap was released, so re-pointing it
    /// afterwards loses nothing. Kept as a condition: writing the member forgets it, and paths that
    /// disagree stay apart like any other tested fact.
    /// </summary>
    private void NoteMemberUnmapped(IOperation argument, PairingState state)
    {
        while (argument is IConversionOperation conversion)
        {
            argument = conversion.Operand;
        }

        if (argument is IMemberReferenceOperation && _keys.Storage(argument) is { } key)
        {
            state.Conditions[UnmappedMemberKey(key)] = true;
        }
    }

    private static string UnmappedMemberKey(string key) => "unmapped[" + key + "]";

    private bool ReadsMappingMember(IOperation operation, MemberIndex index)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation is IMemberReferenceOperation member && index.HoldsMappings(member.Member.OriginalDefinition);
    }

    /// <summary>What a value is, for a message: <c>'q'</c>, <c>the constant 4096</c>, <c>memory from elsewhere ('GetLinear()')</c>.</summary>
    private string Describe(IOperation? operation, AbstractValue value)
    {
        if (value.Kind == ValueKind.Offset)
        {
            return "an offset of the mapping";
        }

        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        if (operation is null)
        {
            return "another value";
        }

        if (operation.ConstantValue.HasValue)
        {
            return "the constant " + operation.Syntax;
        }

        if (operation is IInvocationOperation)
        {
            return "memory from elsewhere ('" + operation.Syntax + "')";
        }

        return _keys.Storage(operation) is { } key && !KeyBuilder.IsCapture(key)
            ? "'" + KeyBuilder.Display(key) + "'"
            : "'" + operation.Syntax + "'";
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
