using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>Exit checks: what is still live, or was given back while in use, when the method returns.</summary>
internal sealed partial class PairingWalker
{
    /// <summary>A mapping still live when the method returns, and held by nothing that outlives the call, is lost.</summary>
    /// <remarks>
    /// <paramref name="throwOut"/>: the exit is a throw out of the method. Out of a constructor that
    /// <see cref="ThrowLosesThis"/>, the members of <c>this</c> hold nothing any more: the object is
    /// never handed to anyone who could dispose it (issue 20, H1).
    /// </remarks>
    private void CheckLeaks(BasicBlock from, PairingState state, SyntaxNode? at = null, ThrowingCall? thrownBy = null, bool throwOut = false)
    {
        CheckRepointedReturn(state);
        HashSet<int>? heldByMembers = null;
        foreach (var pair in state.Mappings)
        {
            var facts = pair.Value;
            var site = _sites[pair.Key];
            if (!facts.MayBeLive || !site.Spec.ReportsLoss)
            {
                continue;
            }

            if (facts.Stored)
            {
                if (facts.HeldIn is { } container && at is null && thrownBy is null && !throwOut && !NativeMayKeepAny(container, site.Spec.Family))
                {
                    // Held only by a local list or array that dies here, none of whose blocks is
                    // ever read back to be freed or handed on (see FindContainers).
                    Report(new PairingFinding(FindingKind.MappingOutOfScope, site.Syntax, ExitLocation(from), container.Name)
                    {
                        Site = site,
                        Container = container,
                    });
                }

                continue;
            }

            var objectLost = false;
            if ((heldByMembers ??= HeldByMembers(state)).Contains(pair.Key))
            {
                // The throw must be one the code writes (or a call's): not the compiler's own
                // SwitchExpressionException branch of a switch expression it cannot prove exhaustive.
                if (!throwOut || (at is null && ThrowWalk.WrittenThrow(from) is null) || HeldOutsideThis(state, pair.Key) || !ThrowLosesThis())
                {
                    continue;
                }

                objectLost = true;
            }

            var holder = state.Holder(pair.Key);
            Report(new PairingFinding(FindingKind.MappingOutOfScope, site.Syntax, at?.GetLocation() ?? ExitLocation(from), holder is null ? site.Syntax.ToString() : holder.Display)
            {
                Site = site,
                ThrownBy = thrownBy,
                ObjectLost = objectLost,
            });
        }
    }

    /// <summary>Whether a member of something other than <c>this</c> (a parameter's, a static one, an outer variable) holds the mapping.</summary>
    private bool HeldOutsideThis(PairingState state, int mapping)
    {
        foreach (var pair in state.Storage)
        {
            if (pair.Value.Mapping == mapping && pair.Value.ReachesMapping &&
                ((pair.Key.IsMember && pair.Key.Root.Kind != StorageRootKind.This) || _keys.IsOuter(pair.Key)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when a throw out of this method loses the object it builds, with everything stored only
    /// in its fields (issue 20, H1): an instance constructor of a class that derives from
    /// <see cref="object"/> (no base constructor that could have registered <c>this</c>), chains to
    /// no other constructor of its own, has no finalizer (which would see the half-built object),
    /// and never lets <c>this</c> out: <c>this</c> is only the receiver of its own fields and
    /// auto-properties, never passed, stored, called on or captured by a lambda or local function.
    /// </summary>
    private bool ThrowLosesThis() => _throwLosesThis ??= ComputeThrowLosesThis();

    private bool ComputeThrowLosesThis()
    {
        if (_method is not { MethodKind: MethodKind.Constructor, IsStatic: false, ContainingType: { TypeKind: TypeKind.Class } type } ||
            type.BaseType?.SpecialType != SpecialType.System_Object || !_cfg.LocalFunctions.IsEmpty ||
            _body.Parent is ConstructorDeclarationSyntax { Initializer: not null })
        {
            return false;
        }

        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Destructor })
            {
                return false;
            }
        }

        var members = _context.Members.Of(type);
        foreach (var block in _cfg.Blocks)
        {
            foreach (var operation in block.Operations)
            {
                if (LetsThisOut(operation, members))
                {
                    return false;
                }
            }

            if (block.BranchValue is { } value && LetsThisOut(value, members))
            {
                return false;
            }
        }

        return true;
    }

    private static bool LetsThisOut(IOperation root, Members.TypeMembers members)
    {
        foreach (var operation in root.DescendantsAndSelf())
        {
            if (operation is IFlowAnonymousFunctionOperation)
            {
                return true;
            }

            if (operation is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } &&
                operation.Parent switch
                {
                    IFieldReferenceOperation field => !SymbolEqualityComparer.Default.Equals(field.Field.ContainingType, members.Type),
                    IPropertyReferenceOperation property => !SymbolEqualityComparer.Default.Equals(property.Property.ContainingType, members.Type) || !members.IsAutoProperty(property.Property),

                    // The implicit base() call of a class that derives from object.
                    IInvocationOperation { TargetMethod: { MethodKind: MethodKind.Constructor, ContainingType.SpecialType: SpecialType.System_Object } } => false,
                    _ => true,
                })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A call that may throw (<see cref="ThrowWalk.OfCall"/>: a source method whose summary throws,
    /// or with <c>vmap_exception_paths = any_call</c> any call not known not to throw) is a way out
    /// of the method as an explicit throw is. The state of that exit is the state before the call,
    /// with the mappings passed to it (or called on) made unknown: what a callee that throws did
    /// with its arguments first is not known. The exits are made once the operation is evaluated
    /// (<see cref="FlushThrowingCalls"/>): their finally regions evaluate operations of their own.
    /// </summary>
    private void NoteThrowingCall(IInvocationOperation call, AbstractValue receiver, AbstractValue[] arguments, PairingState state)
    {
        if (_summarising || !AnyLeakable(state) || NoReturn(call) != NoReturnKind.Returns)
        {
            return;
        }

        var summary = ThrowWalk.OfCall(call, _context, _scope, _cancellationToken);
        if (summary.Kind != ThrowKind.Throws && (_context.ExceptionPaths != ExceptionPaths.AnyCall || summary.Kind == ThrowKind.None))
        {
            return;
        }

        if (summary.Kind == ThrowKind.Throws && summary.CheckedInputs is { } inputs && !MayFailCheck(call, inputs, state))
        {
            return;
        }

        var exit = state.Clone();
        if (receiver.ReachesMapping)
        {
            exit.Escape(receiver.Mapping);
        }

        for (var i = 0; i < arguments.Length; i++)
        {
            if (arguments[i].ReachesMapping && !BorrowsEvenIfThrowing(call, i, arguments[i].Mapping) && !LentAtItsThrow(call, i, summary))
            {
                exit.Escape(arguments[i].Mapping);
            }
        }

        // A delegate is named as it is called (callback, not Invoke).
        var callee = call.TargetMethod.MethodKind == MethodKind.DelegateInvoke && call.Instance?.Syntax is IdentifierNameSyntax or MemberAccessExpressionSyntax
            ? call.Instance.Syntax.ToString()
            : call.TargetMethod.Name;
        _pendingThrows.Add((call, exit, new ThrowingCall(callee, summary.Kind == ThrowKind.Throws ? summary.Step : null)));
    }

    /// <summary>
    /// Whether a callee whose every throw is a precondition check (<see cref="ThrowSummary.CheckedInputs"/>:
    /// tests of its own parameters or receiver, a null, range or argument check) may throw from
    /// this call. The check may fail only where the caller has established nothing about the value
    /// it gives: one of its own parameters, passed on as it came, never tested on this path nor given
    /// before to the same check (which would have thrown then). Anything else (a value the caller
    /// built, got from a constructor or a call that checks it itself, read from storage) may well
    /// satisfy the check, and a claim that depends on its failing is not made.
    /// </summary>
    private bool MayFailCheck(IInvocationOperation call, ImmutableHashSet<int> inputs, PairingState state)
    {
        foreach (var input in inputs)
        {
            if (CheckedParameter(call, input) is { } key && !KnownAbout(key, state))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the path knows anything of the parameter: a test of it (or of a member of it), or a check it passed.</summary>
    private static bool KnownAbout(StorageKey parameter, PairingState state)
    {
        foreach (var condition in state.Conditions.KeysReading(parameter.Root))
        {
            if (condition.Reads(parameter))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// After a call of a callee whose throws are precondition checks: each parameter of this method
    /// given to a checked input has passed that check, on this path, until it is written.
    /// </summary>
    private void NoteChecked(IInvocationOperation call, PairingState state)
    {
        var method = call.TargetMethod;
        if (_summarising || method.MethodKind == MethodKind.LocalFunction || !CallSummaries.CanSeeBody(method) || !GivesParameter(call))
        {
            return;
        }

        if (ThrowWalk.OfCall(call, _context, _scope, _cancellationToken) is not { Kind: ThrowKind.Throws, CheckedInputs: { } inputs })
        {
            return;
        }

        var callee = method.OriginalDefinition.ToDisplayString();
        foreach (var input in inputs)
        {
            if (CheckedParameter(call, input) is { } key)
            {
                state.Conditions[ConditionKey.CheckedOf(key, callee + "#" + input.ToString(System.Globalization.CultureInfo.InvariantCulture))] = true;
            }
        }
    }

    private bool GivesParameter(IInvocationOperation call)
    {
        if (CheckedParameter(call, ThrowSummary.Receiver) is not null)
        {
            return true;
        }

        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter is { } parameter && CheckedParameter(call, parameter.Ordinal) is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The storage of this method's own parameter given, as it is, to a callee's input (<see cref="ThrowSummary.Receiver"/>: as the receiver).</summary>
    private StorageKey? CheckedParameter(IInvocationOperation call, int input)
    {
        var given = ThrowWalk.CheckedArgument(call, input);
        while (given is IConversionOperation conversion)
        {
            given = conversion.Operand;
        }

        return given is IParameterReferenceOperation { Parameter.RefKind: RefKind.None or RefKind.In } ? _keys.Storage(given) : null;
    }

    /// <summary>
    /// Whether argument <paramref name="index"/> of <paramref name="call"/> is only lent, whether
    /// the call returns or throws: a P/Invoke, or a .NET method whose parameter is an address or a
    /// span (<see cref="FrameworkCalls.Borrows"/>). Such a callee keeps nothing it was given, so a
    /// throw out of it leaves the block with the caller (issue 20, H5: a native call into a library
    /// that may be missing). A P/Invoke that may keep the mapping's family
    /// (<see cref="CallSummaries.NativeMayKeep"/>) is no borrower, whether it returns or throws.
    /// </summary>
    private bool BorrowsEvenIfThrowing(IInvocationOperation call, int index, int mapping)
    {
        var argument = call.Arguments[index];
        if (argument.Parameter is not { RefKind: RefKind.None or RefKind.In } parameter)
        {
            return false;
        }

        if (CallSummaries.IsPlatformInvoke(call.TargetMethod))
        {
            return !_context.Pairs.TakesOwnership(call.TargetMethod, parameter.Ordinal) &&
                !_context.Summaries.NativeMayKeep(call.TargetMethod, _sites[mapping].Spec.Family, _cancellationToken);
        }

        return FrameworkCalls.Borrows(call.TargetMethod, parameter.Ordinal);
    }

    /// <summary>
    /// Whether argument <paramref name="index"/> of <paramref name="call"/>, a source method, is
    /// still only lent at the throw its throw summary names (<see cref="ParameterSummary.BorrowedAtThrow"/>):
    /// the callee checks something else and throws before it keeps or frees the block, so the block
    /// stays with the caller. A throw whose conditions read the block's own parameter is no such
    /// evidence: it may be a check (a null test) the block never fails.
    /// </summary>
    private bool LentAtItsThrow(IInvocationOperation call, int index, ThrowSummary summary)
    {
        var method = call.TargetMethod;
        if (summary is not { Kind: ThrowKind.Throws, Step: { } step } || call.Arguments[index].Parameter is not { RefKind: RefKind.None or RefKind.In } parameter ||
            method.MethodKind == MethodKind.LocalFunction || !CallSummaries.CanSeeBody(method) ||
            summary.TestedParameters is not { } tested || tested.Contains(parameter.Ordinal))
        {
            return false;
        }

        return _context.Summaries.Parameter(method, parameter.Ordinal, _scope, _cancellationToken).BorrowedAtThrow is { } at && at.Equals(step.At);
    }

    /// <summary>Whether some mapping could be reported lost in <paramref name="state"/>: the gate in front of the throw summaries.</summary>
    private bool AnyLeakable(PairingState state)
    {
        foreach (var pair in state.Mappings)
        {
            if (pair.Value.MayBeLive && !pair.Value.Stored && _sites[pair.Key].Spec.ReportsLoss)
            {
                return true;
            }
        }

        return false;
    }

    private void FlushThrowingCalls(BasicBlock from)
    {
        if (_pendingThrows.Count == 0)
        {
            return;
        }

        var pending = _pendingThrows.ToArray();
        _pendingThrows.Clear();
        var endedBy = _endedBy;
        var justMapped = _justMapped;
        foreach (var (call, state, thrownBy) in pending)
        {
            ThrowExit(from, state, call.Syntax, thrownBy);
        }

        _endedBy = endedBy;
        _justMapped = justMapped;
    }

    /// <summary>
    /// The grown-array shape of dotnet/coreclr#15104: a member that held a rental from elsewhere is
    /// re-pointed at a new rental, and the member is returned to the pool afterwards. The method
    /// ends with a member still holding the returned array (in use, yet back in the pool), and the
    /// rental the member held before was never looked at, so it is lost.
    /// </summary>
    private void CheckRepointedReturn(PairingState state)
    {
        if (_repointed.Count == 0)
        {
            return;
        }

        // Two members re-pointed at the same rental (_chars = _array = pooled) make the same
        // finding, reported once: the member the release names is the one that reads right, and
        // the order of the state's entries must not choose.
        var candidates = new List<(StorageKey Member, int Mapping, SyntaxNode RepointedAt, MappingFacts Facts)>();
        foreach (var pair in state.Storage)
        {
            if (pair.Value.Kind != ValueKind.Mapped || !_repointed.TryGetValue((pair.Key, pair.Value.Mapping), out var repointedAt))
            {
                continue;
            }

            var facts = state.Facts(pair.Value.Mapping);
            if (!facts.IsTracked || facts.Flags != MappingFlags.Released || facts.ReleasedAt is null)
            {
                continue;
            }

            candidates.Add((pair.Key, pair.Value.Mapping, repointedAt, facts));
        }

        candidates.Sort((x, y) =>
        {
            var named = NamesReleased(y).CompareTo(NamesReleased(x));
            return named != 0 ? named : string.CompareOrdinal(x.Member.Display, y.Member.Display);
        });
        foreach (var (member, mapping, repointedAt, facts) in candidates)
        {
            Report(new PairingFinding(FindingKind.RepointedMemberReleased, facts.ReleasedAt!, repointedAt.GetLocation(), facts.ReleasedAt!.ToString())
            {
                Site = _sites[mapping],
                MemberName = member.Display,
            });
        }

        static bool NamesReleased((StorageKey Member, int Mapping, SyntaxNode RepointedAt, MappingFacts Facts) candidate) =>
            candidate.Member.Display == candidate.Facts.ReleasedAt!.ToString();
    }

    /// <summary>
    /// The mappings <see cref="HeldByMember"/> holds for, in one look at the storages: an exit of a
    /// constructor that fills N fields asks for each of its N mappings (issue 25 §3).
    /// </summary>
    private HashSet<int> HeldByMembers(PairingState state)
    {
        var held = new HashSet<int>();
        foreach (var pair in state.Storage)
        {
            if (HoldsForMember(pair))
            {
                held.Add(pair.Value.Mapping);
            }
        }

        return held;
    }

    private bool HeldByMember(PairingState state, int mapping, StorageKey? except = null)
    {
        foreach (var pair in state.Storage)
        {
            if (pair.Key != except && pair.Value.Mapping == mapping && HoldsForMember(pair))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the storage holds a mapping where it outlives the call: a member (not of a parameter's own copy), or a variable of the enclosing method.</summary>
    private bool HoldsForMember(KeyValuePair<StorageKey, AbstractValue> pair) =>
        pair.Value.ReachesMapping && ((pair.Key.IsMember && !InParameterCopy(pair.Key)) || _keys.IsOuter(pair.Key));

    /// <summary>
    /// Whether <paramref name="key"/> is a field of a struct parameter passed by value that the
    /// method only ever uses field by field (<see cref="UsedFieldByField"/>): the parameter is the
    /// method's own copy, gone when it returns, so a block stored there is held by nothing the
    /// caller sees (issue 20, H4). Any other use of the copy (returned, passed, copied, captured, a
    /// method called on it, a field's address taken) may carry the block out: the field holds it.
    /// </summary>
    private bool InParameterCopy(StorageKey key)
    {
        if (key.Root.Kind != StorageRootKind.Parameter || key.Path is not { Depth: 1 } || _keys.IsOuter(key))
        {
            return false;
        }

        foreach (var parameter in _method.Parameters)
        {
            if (parameter.Name == key.Root.Name)
            {
                if (parameter is not { RefKind: RefKind.None, Type: { TypeKind: TypeKind.Struct, SpecialType: SpecialType.None } })
                {
                    return false;
                }

                var known = _fieldByField ??= new Dictionary<IParameterSymbol, bool>(SymbolEqualityComparer.Default);
                if (!known.TryGetValue(parameter, out var fieldByField))
                {
                    fieldByField = UsedFieldByField(parameter);
                    known.Add(parameter, fieldByField);
                }

                return fieldByField;
            }
        }

        return false;
    }

    private Dictionary<IParameterSymbol, bool>? _fieldByField;

    /// <summary>
    /// True when every reference to <paramref name="parameter"/> in the body is the receiver of a
    /// field that is read as a value (not a struct itself), or assigned, outside any lambda or
    /// local function, and never by reference or through its address.
    /// </summary>
    private bool UsedFieldByField(IParameterSymbol parameter)
    {
        if (_cfg.OriginalOperation is not { } root)
        {
            return false;
        }

        foreach (var operation in root.DescendantsAndSelf())
        {
            if (operation is not IParameterReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter))
            {
                continue;
            }

            if (reference.Parent is not IFieldReferenceOperation { Field: var field } access || access.Instance != reference ||
                field.Type is { IsValueType: true, SpecialType: SpecialType.None, TypeKind: not TypeKind.Enum and not TypeKind.Pointer } ||
                access.Parent is IAddressOfOperation or IArgumentOperation { Parameter.RefKind: not RefKind.None } ||
                (access.Parent is IInvocationOperation call && call.Instance == access))
            {
                return false;
            }

            for (var parent = access.Parent; parent is not null; parent = parent.Parent)
            {
                if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// True when the operation just evaluated called a method that does not return: the path ends
    /// there. A <c>[DoesNotReturn]</c> call is the throw of a throw helper moved into a method, so it
    /// is a throw exit (<see cref="ThrowExit"/>), judged for leaks at the call's statement; a call
    /// that ends the process ends the path with no claim, as a program-termination branch does.
    /// </summary>
    private bool EndedByCall(BasicBlock from, PairingState state)
    {
        if (_endedBy is not (var call, var kind))
        {
            return false;
        }

        // Reset before the finally regions on the way out run: they evaluate operations of their own.
        _endedBy = null;
        if (kind == NoReturnKind.Throws)
        {
            ThrowExit(from, state, call.Syntax.Parent is ExpressionStatementSyntax statement ? statement : call.Syntax);
        }

        return true;
    }

    private const string DoesNotReturnAttribute = "System.Diagnostics.CodeAnalysis.DoesNotReturnAttribute";
    private const string DoesNotReturnIfAttribute = "System.Diagnostics.CodeAnalysis.DoesNotReturnIfAttribute";

    /// <summary>
    /// Whether a call returns, by the callee's nullable-analysis attributes: <c>[DoesNotReturn]</c>
    /// on the method, or <c>[DoesNotReturnIf(b)]</c> on a parameter given the constant <c>b</c>. A
    /// <c>[Conditional]</c> callee (Debug.Fail, Debug.Assert) is taken to return: the build may
    /// leave the call out. Environment.Exit and FailFast end the process rather than throw.
    /// </summary>
    /// <summary>Whether <paramref name="call"/> is a throw moved into a method (<c>[DoesNotReturn]</c>, not a process exit).</summary>
    internal static bool DoesNotReturn(IInvocationOperation call) => NoReturn(call) == NoReturnKind.Throws;

    private static NoReturnKind NoReturn(IInvocationOperation call)
    {
        var method = call.TargetMethod;
        var definition = method.OriginalDefinition;
        if (HasAttribute(definition, "System.Diagnostics.ConditionalAttribute"))
        {
            return NoReturnKind.Returns;
        }

        if (!HasAttribute(method, DoesNotReturnAttribute) && !HasAttribute(definition, DoesNotReturnAttribute) && !ConstantMeetsDoesNotReturnIf(call))
        {
            return NoReturnKind.Returns;
        }

        return definition.ContainingType?.ToDisplayString() == "System.Environment" && definition.Name is "Exit" or "FailFast"
            ? NoReturnKind.EndsProcess
            : NoReturnKind.Throws;
    }

    private static bool ConstantMeetsDoesNotReturnIf(IInvocationOperation call)
    {
        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter is not { } parameter || argument.Value.ConstantValue is not { HasValue: true, Value: bool value })
            {
                continue;
            }

            foreach (var attribute in parameter.OriginalDefinition.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == DoesNotReturnIfAttribute &&
                    attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is bool when && when == value)
                {
                    return true;
                }
            }
        }

        return false;
    }

    internal static bool HasAttribute(ISymbol symbol, string fullName)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == fullName)
            {
                return true;
            }
        }

        return false;
    }

    private enum NoReturnKind
    {
        Returns,
        Throws,
        EndsProcess,
    }

    private Location ExitLocation(BasicBlock from)
    {
        if (from.BranchValue is { } value)
        {
            for (var node = value.Syntax; node is not null && node != _body; node = node.Parent)
            {
                if (node is ReturnStatementSyntax or ThrowStatementSyntax or ThrowExpressionSyntax)
                {
                    return node.GetLocation();
                }
            }
        }

        if (from.ConditionalSuccessor is not null && from.BranchValue?.Syntax.Parent is IfStatementSyntax ifStatement &&
            ExitStatement(ifStatement.Statement) is { } exit)
        {
            // "if (...) return;": the branch to the exit carries no syntax of its own.
            return exit.GetLocation();
        }

        if (_body is BlockSyntax block)
        {
            return block.CloseBraceToken.GetLocation();
        }

        if (_body is ArrowExpressionClauseSyntax arrow)
        {
            // An expression body ends where its expression does; the clause starts at "=>",
            // which may sit on the method's header line.
            return arrow.Expression.GetLocation();
        }

        return _body.GetLocation();
    }

    private static SyntaxNode? ExitStatement(StatementSyntax statement) => statement switch
    {
        ReturnStatementSyntax direct => direct,
        BlockSyntax { Statements.Count: > 0 } block when block.Statements[block.Statements.Count - 1] is ReturnStatementSyntax last => last,
        _ => null,
    };
}
