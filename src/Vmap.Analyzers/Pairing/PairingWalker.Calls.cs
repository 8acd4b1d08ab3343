using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>Calls: acquires, releases and what a summarised or unknown callee does with a mapping.</summary>
internal sealed partial class PairingWalker
{
    /// <summary>
    /// Set by a map call for the assignment that stores its result: the facts of the previous
    /// mapping made by the same call (a loop iteration), so that storing the new one can tell
    /// whether the old one was still live.
    /// </summary>
    private (int Mapping, MappingFacts? Previous, List<StorageKey>? Holders)? _justMapped;

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

        annotation = ForCall(invocation, annotation, values, state);
        if (annotation is null)
        {
            NoteThrowingCall(invocation, receiver, values, state);
            NoteChecked(invocation, state);
        }

        if (annotation is null && IsSameAddress(invocation))
        {
            // p.ToPointer(), handle.GetValueOrDefault(): the value itself, in another type.
            return receiver;
        }

        if (annotation is null && IsReferenceConversion(invocation) && values.Length == 1)
        {
            // Unsafe.AsRef<T>(p), Unsafe.AsPointer(ref r): the block seen as a managed reference and back.
            return values[0];
        }

        if (annotation is null && IsAddressArithmetic(invocation) && values.Length > 0 && values[0].ReachesMapping)
        {
            // IntPtr.Add(block, 8), Unsafe.Add(p, 1): an offset of the block, as block + 8 is.
            return Derive(values[0], BinaryOperatorKind.Add, invocation.Syntax);
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
            CheckUse(receiver, invocation.Instance.Syntax, UseKind.UsedBy, method.Name, state);
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
            var effect = FrameworkCalls.Stores(method, ordinal) ? ParameterSummary.Adopted
                : usesWithoutTakingOver ? ParameterSummary.Borrowed
                : Effect(method, ordinal, values[i]);
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

            if (CheckUse(values[i], argument.Value.Syntax, UseKind.PassedTo, method.Name, state))
            {
                continue;
            }

            if (effect.Effect == CallEffect.Adopts && ListAddContainer(invocation) is { } container)
            {
                HoldIn(values[i], container, state);
            }
            else if (effect.Effect == CallEffect.Adopts)
            {
                // It may own it now: no leak is claimed, the caller's own later release is still checked.
                if (_context.Pairs.TakesOwnership(method, ordinal))
                {
                    HandOver(values[i], argument.Value, method, state);
                }

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

            var inferred = annotation is null && parameter.RefKind == RefKind.Out &&
                CallSummaries.CanSeeBody(method) && argument.Value.Type is { } outType && CallSummaries.MayHoldMapping(outType)
                ? InferredAcquire(method, parameter.Ordinal)
                : null;
            if ((annotation is not null ? FindOutMap(annotation, parameter.Ordinal) : inferred?.Spec) is { } outMap)
            {
                var site = Site(invocation, outMap, state, inferred?.Step);
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

        if (annotation is not null && FindOutMap(annotation, UnmapSpec.Receiver) is { } receiverMap &&
            AcquireOnReceiver(invocation, receiverMap, state))
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out && IsAddress(argument.Value.Type) && _keys.Storage(argument.Value) is { } pointer)
                {
                    // AcquirePointer(ref p) sets p or throws: the pointer is not null wherever the
                    // acquire happened, so "if (p != null) ReleasePointer()" is true there.
                    KnowNotNull(pointer, state);
                }
            }
        }

        if (annotation is not null && FindOutMap(annotation, null) is { } returnMap)
        {
            var site = Site(invocation, returnMap, state);
            NoteSources(site, values, state);
            var made = NewMapping(site, state);
            if (returnMap.ActsOnArgument && Discarded(invocation) && RootsWhatNativeCodeIsGiven(invocation))
            {
                // GCHandle.Alloc(callback); as a statement: a root kept on purpose (see MapSpec.ActsOnArgument).
                MarkStored(made, state);
            }

            return made;
        }

        if (annotation is null && result.Kind == ValueKind.Unknown && CallSummaries.MayReturnMapping(method) &&
            CallSummaries.CanSeeBody(method) && InferredAcquire(method, null) is { } acquire)
        {
            return NewMapping(Site(invocation, acquire.Spec, state, acquire.Step), state);
        }

        return result;
    }

    /// <summary>
    /// The moved state: a mapping passed to a parameter that takes it over belongs to the callee
    /// from here on. Handing it to a second adopter is VMAP003; so is the caller's own release
    /// afterwards (see <see cref="Unmap"/>). Reading it is not reported: the adopter may keep it
    /// alive for the caller. Only the start of a tracked mapping is followed.
    /// </summary>
    private void HandOver(AbstractValue value, IOperation argument, IMethodSymbol method, PairingState state)
    {
        var facts = state.Facts(value.Mapping);
        if (value.Kind != ValueKind.Mapped || !facts.IsTracked || (facts.Flags & MappingFlags.Live) == 0)
        {
            return;
        }

        if (facts.HandedTo is not { OnEveryPath: true })
        {
            NoteSomePathsOnly(_handedOnSomePathsOnly, argument.Syntax);
        }

        if (facts.HandedTo is { } earlier)
        {
            Report(new PairingFinding(FindingKind.HandedOffTwice, argument.Syntax, earlier.At.GetLocation(), Describe(argument.Syntax))
            {
                Site = _sites[value.Mapping],
                HandedTo = earlier,
                ReleaserName = method.Name,
                OnEveryPath = earlier.OnEveryPath,
            });
        }

        state.Mappings[value.Mapping] = facts with { HandedTo = facts.HandedTo is { OnEveryPath: true } kept ? kept : new HandOff(method.Name, argument.Syntax, OnEveryPath: true) };
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
            return _context.Summaries.NativeMayKeep(method, _sites[value.Mapping].Spec.Family, _cancellationToken)
                ? ParameterSummary.Adopted
                : ParameterSummary.Borrowed;
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
        // Return gives it back. .NET's own methods lend an address or span parameter too
        // (Buffer.MemoryCopy, Encoding.GetBytes), except the stores FrameworkCalls lists. Any
        // other block may be adopted by code we cannot see.
        return _sites[value.Mapping].Spec.PerReceiver || FrameworkCalls.Borrows(method, ordinal)
            ? ParameterSummary.Borrowed
            : ParameterSummary.Adopted;
    }

    /// <summary>
    /// <paramref name="method"/> as an acquire (through its result, or its out parameter
    /// <paramref name="outOrdinal"/>): from the summaries, or for a local function, from its own
    /// graph in this body, which only this walk can reach.
    /// </summary>
    private AcquireSummary? InferredAcquire(IMethodSymbol method, int? outOrdinal)
    {
        if (method.MethodKind != MethodKind.LocalFunction)
        {
            return _context.Summaries.Acquire(method, _scope, _cancellationToken, outOrdinal);
        }

        // A generic local function is called through its constructed symbol; its graph, and so its
        // summary, belongs to the definition.
        method = method.OriginalDefinition;
        var key = (method, outOrdinal ?? SummaryScope.AcquireKey);
        if (_scope.LocalAcquires.TryGetValue(key, out var cached))
        {
            return cached;
        }

        if (method.DeclaringSyntaxReferences.Length == 0 ||
            method.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken) is not LocalFunctionStatementSyntax declaration ||
            ((SyntaxNode?)declaration.Body ?? declaration.ExpressionBody) is not { } body ||
            LocalGraph(method) is not { } graph)
        {
            return null;
        }

        if (!_scope.Fits(1))
        {
            _scope.Truncate();
            return null;
        }

        if (!_scope.TryEnter(key))
        {
            return null;
        }

        AcquireSummary? result;
        (bool Cyclic, int Height, bool Truncated) left = default;
        try
        {
            result = SummariseAcquire(graph, _context, method, body, outOrdinal, _scope, _cancellationToken);
        }
        finally
        {
            left = _scope.Leave(key);
        }

        if (left.Cyclic)
        {
            result = null;
        }

        if (!left.Truncated)
        {
            _scope.LocalAcquires[key] = result;
        }

        return left.Truncated ? null : result;
    }

    /// <summary>
    /// The graph of <paramref name="local"/> (a definition) when it is declared in this body or an
    /// enclosing one; null for one declared elsewhere, as a local function of top-level statements
    /// called from a member is (an error the editor shows while it is typed). The compiler's
    /// lookup throws for a function outside the graph's scope.
    /// </summary>
    private ControlFlowGraph? LocalGraph(IMethodSymbol local)
    {
        for (var graph = _cfg; graph is not null; graph = graph.Parent)
        {
            foreach (var declared in graph.LocalFunctions)
            {
                if (SymbolEqualityComparer.Default.Equals(declared, local))
                {
                    return _cfg.GetLocalFunctionControlFlowGraphInScope(local, _cancellationToken);
                }
            }
        }

        return null;
    }

    /// <summary>The summary of a local function declared in this body or an enclosing one.</summary>
    private ParameterSummary LocalSummary(IMethodSymbol local, int ordinal)
    {
        local = local.OriginalDefinition;
        var key = (local, ordinal);
        if (_scope.Local.TryGetValue(key, out var cached))
        {
            return cached;
        }

        if (local.DeclaringSyntaxReferences.Length == 0 ||
            local.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken) is not LocalFunctionStatementSyntax declaration ||
            ((SyntaxNode?)declaration.Body ?? declaration.ExpressionBody) is not { } body ||
            LocalGraph(local) is not { } graph)
        {
            return ParameterSummary.Adopted;
        }

        if (!_scope.Fits(1))
        {
            _scope.Truncate();
            return ParameterSummary.Adopted;
        }

        if (!_scope.TryEnter(key))
        {
            return ParameterSummary.Adopted;
        }

        ParameterSummary result;
        (bool Cyclic, int Height, bool Truncated) left = default;
        try
        {
            result = SummariseParameter(graph, _context, local, body, ordinal, _scope, _cancellationToken);
        }
        finally
        {
            left = _scope.Leave(key);
        }

        if (left.Cyclic || left.Truncated)
        {
            result = ParameterSummary.Adopted;
        }

        if (!left.Truncated)
        {
            _scope.Local[key] = result;
        }

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

    /// <summary>
    /// <c>Unsafe.AsRef&lt;T&gt;(void*)</c> and <c>Unsafe.AsPointer(ref T)</c>: a reference to the
    /// memory at an address, and the address of a reference. Either is the same address in another
    /// type, so a block held as a reference is still the block: storing or returning the
    /// reference hands it on.
    /// </summary>
    private static bool IsReferenceConversion(IInvocationOperation invocation) =>
        invocation.TargetMethod is { IsStatic: true, Name: "AsRef" or "AsPointer", ContainingType: { Name: "Unsafe" } unsafeType } &&
        unsafeType.ContainingNamespace?.ToDisplayString() == "System.Runtime.CompilerServices";

    /// <summary><c>IntPtr.Add</c>/<c>Subtract</c> (and <c>UIntPtr</c>'s), <c>Unsafe.Add</c>/<c>Subtract</c> over a pointer: pointer arithmetic written as a call.</summary>
    private static bool IsAddressArithmetic(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (!method.IsStatic || method.Name is not ("Add" or "Subtract") || invocation.Arguments.Length != 2)
        {
            return false;
        }

        var type = method.ContainingType;
        return type.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr ||
            (type.Name == "Unsafe" && type.ContainingNamespace?.ToDisplayString() == "System.Runtime.CompilerServices" &&
             method.OriginalDefinition.Parameters[0].Type is IPointerTypeSymbol);
    }

    private static bool IsAddress(ITypeSymbol? type) =>
        type is not null && type.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr || type is IPointerTypeSymbol;

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
        if (!_sitesByCall.TryGetValue((call, spec), out var site))
        {
            var countArgument = spec.CountOrdinal is { } ordinal ? ArgumentFor(call, ordinal) : null;
            var family = new PairFamily(spec.Family, spec.PerReceiver ? ReceiverName(call) : null);
            site = new MapSite(_sites.Count, call, spec, family, countArgument is null ? null : Count(countArgument, state), countArgument?.Syntax, via);
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
    /// The receiver that qualifies a per-receiver family (<c>ArrayPool.Shared</c>) when it names a
    /// storage (a static pool, a field or local holding one); null when the receiver is computed,
    /// and the family then matches every receiver (see <see cref="PairFamily"/>).
    /// </summary>
    private string? ReceiverName(IInvocationOperation call)
    {
        var instance = call.Instance;
        while (instance is IConversionOperation conversion)
        {
            instance = conversion.Operand;
        }

        return _keys.Storage(instance) is { } key && !key.IsCapture && (key.IsMember || IsStable(key))
            ? key.Display
            : null;
    }

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

    /// <summary>
    /// Whether the first argument of <paramref name="invocation"/> (the object a handle roots) is a
    /// local or parameter this body also hands to native code: an argument of a P/Invoke, or of
    /// <c>Marshal.GetFunctionPointerForDelegate</c>, whose pointer goes to native code; or a delegate
    /// this body returns, or the object it creates the returned delegate from (<c>CreateDelegate</c>
    /// of a <c>DynamicMethod</c>): the root keeps the callback it hands out alive for the native code
    /// its caller gives the callback to (tuning set 5, shape 02). A root of anything else returned
    /// (<c>this</c>, a plain object) is no such root.
    /// </summary>
    private bool RootsWhatNativeCodeIsGiven(IInvocationOperation invocation)
    {
        if (invocation.Arguments.Length == 0 || Symbol(invocation.Arguments[0].Value) is not { } rooted || _cfg.OriginalOperation is not { } root)
        {
            return false;
        }

        foreach (var operation in root.DescendantsAndSelf())
        {
            if (operation is IInvocationOperation call &&
                (CallSummaries.IsPlatformInvoke(call.TargetMethod) ||
                    call.TargetMethod is { Name: "GetFunctionPointerForDelegate", ContainingType: { Name: "Marshal" } marshal } && FrameworkCalls.IsFramework(marshal.ContainingAssembly)))
            {
                foreach (var argument in call.Arguments)
                {
                    if (SymbolEqualityComparer.Default.Equals(Symbol(argument.Value), rooted))
                    {
                        return true;
                    }
                }
            }

            if (operation is IReturnOperation { ReturnedValue: { } returned } && ReturnsCallbackOf(returned, rooted, root))
            {
                return true;
            }
        }

        return false;

        static bool ReturnsCallbackOf(IOperation returned, ISymbol rooted, IOperation root)
        {
            if (Symbol(returned) is not ILocalSymbol { Type: var type } returnedLocal ||
                !(type.TypeKind == TypeKind.Delegate || type.SpecialType is SpecialType.System_Delegate or SpecialType.System_MulticastDelegate))
            {
                return false;
            }

            if (SymbolEqualityComparer.Default.Equals(returnedLocal, rooted))
            {
                return true;
            }

            // result = method.CreateDelegate(...); return result;  with method rooted.
            foreach (var operation in root.DescendantsAndSelf())
            {
                if (operation is IVariableDeclaratorOperation { Initializer.Value: var initial } declarator &&
                    SymbolEqualityComparer.Default.Equals(declarator.Symbol, returnedLocal) && CreatesDelegateFrom(initial, rooted))
                {
                    return true;
                }

                if (operation is ISimpleAssignmentOperation assignment && SymbolEqualityComparer.Default.Equals(Symbol(assignment.Target), returnedLocal) &&
                    CreatesDelegateFrom(assignment.Value, rooted))
                {
                    return true;
                }
            }

            return false;
        }

        static bool CreatesDelegateFrom(IOperation value, ISymbol rooted)
        {
            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }

            return value is IInvocationOperation { TargetMethod.Name: "CreateDelegate", Instance: { } instance } && SymbolEqualityComparer.Default.Equals(Symbol(instance), rooted);
        }

        static ISymbol? Symbol(IOperation value)
        {
            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }

            return value switch
            {
                ILocalReferenceOperation local => local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => null,
            };
        }
    }

    /// <summary>Whether the value of <paramref name="invocation"/> is dropped where it is made: a statement of its own, or assigned to a discard.</summary>
    /// <remarks>Read from the syntax: in the flow graph a returned value is a root operation too.</remarks>
    private bool Discarded(IOperation invocation)
    {
        var value = invocation.Syntax;
        while (value.Parent is ParenthesizedExpressionSyntax or CastExpressionSyntax)
        {
            value = value.Parent;
        }

        return value.Parent switch
        {
            ExpressionStatementSyntax => true,
            AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" } } discard when discard.Right == value =>
                discard.Parent is ExpressionStatementSyntax && invocation.SemanticModel is { } model &&
                EngineFailureLog.Operation(model, discard.Left, _cancellationToken) is IDiscardOperation,
            _ => false,
        };
    }

    private AbstractValue NewMapping(MapSite site, PairingState state)
    {
        // A storage still holding what this call made on an earlier loop iteration holds another
        // mapping than the one made now, under the same identity: it is forgotten, so that
        // releasing the old one (Return(pooled) before pooled = bigger) is not taken for releasing
        // the new one. The assignment that stores the new mapping still sees what it overwrites.
        // Only a mapping this path made before can be held: every value that reaches a mapping
        // comes with the mapping's facts, so without them no storage needs a look.
        List<StorageKey>? holders = null;
        if (state.Mappings.ContainsKey(site.Id))
        {
            foreach (var pair in state.Storage)
            {
                if (pair.Value.Mapping == site.Id && pair.Value.ReachesMapping)
                {
                    (holders ??= new List<StorageKey>()).Add(pair.Key);
                }
            }
        }

        if (holders is not null)
        {
            foreach (var holder in holders)
            {
                state.Storage[holder] = AbstractValue.Unknown;
            }
        }

        _justMapped = (site.Id, state.Mappings.TryGetValue(site.Id, out var previous) ? previous : null, holders);
        state.Mappings[site.Id] = new MappingFacts(site.Spec.IsTry ? MappingFlags.Live | MappingFlags.Absent : MappingFlags.Live);
        return AbstractValue.MappedBy(site.Id);
    }

    private void Unmap(AbstractValue value, IOperation argument, UnmapSpec spec, IInvocationOperation call, PairingState state, ReleaseVia? via = null)
    {
        if (!ReleasedOnEveryPath(value, state))
        {
            NoteSomePathsOnly(_releasedOnSomePathsOnly, argument.Syntax);
        }

        if (value.Kind != ValueKind.Mapped || state.Facts(value.Mapping).HandedTo is not { OnEveryPath: true })
        {
            NoteSomePathsOnly(_handedOnSomePathsOnly, argument.Syntax);
        }

        var family = new PairFamily(spec.Family, spec.PerReceiver ? ReceiverName(call) : null);
        if (spec.PerReceiver)
        {
            if (IsNewArray(argument, value))
            {
                // dotnet/corefx#5949: an array the pool never rented poisons it.
                Report(new PairingFinding(FindingKind.UnmapOfNonStart, argument.Syntax, argument.Syntax.GetLocation(), Describe(argument.Syntax))
                {
                    ReleaseName = call.TargetMethod.Name,
                    Words = spec.Words,
                });
                return;
            }
        }

        switch (value.Kind)
        {
            case ValueKind.Mapped:
                {
                    NoteSomePathsOnly(_startReleasedAt, argument.Syntax);
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

                    if (facts.HandedTo is { } handed && (facts.Flags & MappingFlags.Live) != 0)
                    {
                        // The callee that took it over releases it: the caller's release is a second one.
                        Report(new PairingFinding(FindingKind.ReleasedAfterHandOff, argument.Syntax, handed.At.GetLocation(), Describe(argument.Syntax))
                        {
                            Site = site,
                            HandedTo = handed,
                            Via = via,
                            OnEveryPath = handed.OnEveryPath,
                        });
                        state.Mappings[value.Mapping] = new MappingFacts(MappingFlags.Released, argument.Syntax, facts.Stored, via, handed);
                        return;
                    }

                    if (!site.Family.IsReleasedBy(family))
                    {
                        Report(new PairingFinding(FindingKind.WrongFamily, argument.Syntax, site.Syntax.GetLocation(), Describe(argument.Syntax))
                        {
                            Site = site,
                            ReleaserName = call.TargetMethod.Name,
                            ReleaseFamily = family,
                            Via = via,
                            ReleaseMethod = site.Call?.TargetMethod.ContainingType is { } owner
                                ? _context.Pairs.FindReleaseMethod(owner, site.Family)
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
                            MappedCountValue = mapped.Resolved is { } n && mapped.Text != n.ToString(CultureInfo.InvariantCulture) ? n : null,
                        });
                    }

                    if (_summarising && site.Parameter is not null && _parameterRelease is null)
                    {
                        // What the callers of this method will apply to the argument they pass: the
                        // family without this method's receiver, the count when it is a parameter here.
                        int? count = spec.CountOrdinal is { } c && ArgumentFor(call, c) is { } countArgument ? ParameterOf(countArgument) : null;
                        _parameterRelease = (
                            new UnmapSpec(spec.Family, site.Parameter.Ordinal, count, Verb: spec.Verb),
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
                    Became = value.Kind == ValueKind.Offset ? new ValueSource(ValueSourceKind.Offset) : value.Source,
                    OnEveryPath = !value.MaybeStart,
                });
                state.Escape(value.Mapping);
                return;
        }
    }

    /// <summary>Whether, in this state, the value is a tracked mapping already released on each of the state's paths.</summary>
    private static bool ReleasedOnEveryPath(AbstractValue value, PairingState state)
    {
        if (value.Kind != ValueKind.Mapped)
        {
            return false;
        }

        var facts = state.Facts(value.Mapping);
        return facts.MayBeReleased && facts.ReleasedAt is not null && (facts.Flags & MappingFlags.Live) == 0;
    }
}
