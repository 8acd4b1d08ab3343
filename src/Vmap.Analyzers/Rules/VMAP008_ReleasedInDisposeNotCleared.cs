using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Rules;

/// <summary>
/// VMAP008: a member of <c>this</c> released in <c>Dispose()</c>, <c>Dispose(bool)</c>,
/// <c>DisposeAsync()</c> or <c>DisposeAsyncCore()</c> on a path that no disposed flag guards, and
/// not cleared on some path from the release to the method's end: a second Dispose, which .NET's
/// guidelines require to be harmless, hands the same block to the release again.
/// </summary>
/// <remarks>
/// The question is only "does a second call release the same value again". A member cleared after
/// the release (<c>= IntPtr.Zero</c>, <c>= null</c>, <c>= default</c>, anything assigned, a
/// <c>ref</c> to it passed on such as <c>Interlocked.Exchange(ref _p, 0)</c>) no longer holds it;
/// neither does a mutable <see cref="System.Runtime.InteropServices.GCHandle"/> field freed in
/// place (<c>GCHandle.Free</c> zeroes its receiver). A test of the released member itself
/// (<c>if (_p != IntPtr.Zero)</c>, <c>_h.IsAllocated</c>) guards nothing without the clear: the
/// second call passes it again. A test of any other member that the Dispose methods of the type
/// assign (a disposed flag, a count, an owner), or a call on <c>this</c> in the condition, guards
/// the release; so does such a test in the public Dispose that calls <c>Dispose(bool)</c>.
/// Whether releasing the cleared value is harmless (FreeHGlobal(0) is, ArrayPool.Return(null)
/// throws) is the release API's business, not this rule's: see docs/rules/VMAP008.md.
/// </remarks>
internal static class VMAP008_ReleasedInDisposeNotCleared
{
    /// <summary>Cheap name test on the owning symbol, before any operation tree is built.</summary>
    public static bool IsDisposeMethod(IMethodSymbol method)
    {
        if (method.IsStatic || method.MethodKind is not (MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation))
        {
            return false;
        }

        // A struct owner (the pooled-buffer `readonly ref struct` with a Dispose that returns its
        // array, as CommunityToolkit's SpanOwner<T>) cannot protect itself by clearing: every copy
        // holds the member, and a readonly one cannot be cleared at all. The advice would be noise.
        if (method.ContainingType.IsValueType)
        {
            return false;
        }

        var name = DisposeName(method);
        return name switch
        {
            "Dispose" => method.ReturnsVoid && (method.Parameters.Length == 0 ||
                (method.Parameters.Length == 1 && method.Parameters[0].Type.SpecialType == SpecialType.System_Boolean)),
            "DisposeAsync" or "DisposeAsyncCore" => method.Parameters.Length == 0 && IsTaskLike(method.ReturnType),
            _ => false,
        };
    }

    /// <summary>The name the message shows: an explicit <c>IDisposable.Dispose</c> is <c>Dispose</c>.</summary>
    public static string DisposeName(IMethodSymbol method)
    {
        var name = method.Name;
        var dot = name.LastIndexOf('.');
        return dot < 0 ? name : name.Substring(dot + 1);
    }

    public static void Analyze(
        IOperation body,
        ControlFlowGraph cfg,
        IMethodSymbol method,
        SyntaxToken methodName,
        PairTable pairs,
        Action<Diagnostic> report,
        CancellationToken cancellationToken)
    {
        List<Release>? releases = null;
        foreach (var operation in Descendants(body))
        {
            if (operation is IInvocationOperation invocation && pairs.Get(invocation.TargetMethod) is { Unmaps.IsEmpty: false } annotation)
            {
                foreach (var unmap in annotation.Unmaps)
                {
                    if (MemberRelease(invocation, unmap) is { } release)
                    {
                        (releases ??= new List<Release>()).Add(release);
                    }
                }
            }
        }

        if (releases is null)
        {
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var flow = new Flow(cfg, method, cancellationToken);
        foreach (var release in releases)
        {
            if (!flow.TryLocate(release.Call.Syntax, out var block, out var index) ||
                flow.Guarded(block, release.Member) ||
                (release.ClearsItself || flow.ClearedAfter(block, index, release.Member)))
            {
                continue;
            }

            var disposeName = DisposeName(method);
            var tested = TestsMember(release.Call.Syntax, release.Member, body.Syntax);
            var properties = ImmutableDictionary.CreateBuilder<string, string?>();
            properties[DiagnosticProperties.Target] = release.Member.Name;
            report(Diagnostic.Create(
                Descriptors.VMAP008_ReleasedInDisposeNotCleared,
                release.Operand.Syntax.GetLocation(),
                new[] { methodName.GetLocation() },
                properties.ToImmutable(),
                release.Member.Name,
                ReleaseName(release.Call.TargetMethod),
                disposeName,
                tested ? $" that passes the test of '{release.Member.Name}'" : string.Empty,
                release.Words.Released));
        }
    }

    /// <summary>A release whose released value is a member of <c>this</c>.</summary>
    private sealed record Release(IInvocationOperation Call, IOperation Operand, ISymbol Member, bool ClearsItself, FamilyWords Words);

    private static Release? MemberRelease(IInvocationOperation invocation, UnmapSpec unmap)
    {
        IOperation? operand = null;
        if (unmap.Ordinal == UnmapSpec.Receiver)
        {
            operand = invocation.Instance;
        }
        else
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter?.Ordinal == unmap.Ordinal)
                {
                    operand = argument.Value;
                }
            }
        }

        if (operand is null)
        {
            return null;
        }

        var value = StripConversions(operand);
        var copied = false;
        if (value is IConditionalAccessInstanceOperation && ConditionalAccessOf(invocation) is { } conditional)
        {
            // _h?.Free(): the release runs on a copy of the nullable's value.
            value = StripConversions(conditional.Operation);
            copied = true;
        }

        if (value is IPropertyReferenceOperation { Property.Name: "Value", Instance: { } nullable } &&
            nullable.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T })
        {
            // _h.Value.Free(): Value returns a copy.
            value = StripConversions(nullable);
            copied = true;
        }

        if (ThisMember(value) is not { } member)
        {
            return null;
        }

        // GCHandle.Free zeroes the handle it is called on; called on a mutable field (not on a
        // copy: a property's value, a readonly field's defensive copy, a nullable's value) the
        // field no longer holds the handle afterwards.
        var clearsItself = unmap.Ordinal == UnmapSpec.Receiver && unmap.Family == BuiltInPairs.GCHandle && !copied &&
            member is IFieldSymbol { IsReadOnly: false } field && !field.ContainingType.IsReadOnly;
        return new Release(invocation, value, member, clearsItself, unmap.Words);
    }

    private static IConditionalAccessOperation? ConditionalAccessOf(IOperation operation)
    {
        for (var parent = operation.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is IConditionalAccessOperation conditional)
            {
                return conditional;
            }
        }

        return null;
    }

    /// <summary>A field, or an auto-property, of the instance the method runs on.</summary>
    private static ISymbol? ThisMember(IOperation? operation) => operation switch
    {
        IFieldReferenceOperation { Field.IsStatic: false, Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } } field
            => field.Field.OriginalDefinition,
        IPropertyReferenceOperation { Property: { IsStatic: false, IsIndexer: false } property, Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } }
            when IsAutoProperty(property)
            => property.OriginalDefinition,
        _ => null,
    };

    /// <summary>A computed property may return a different value each time; only one with a backing field is the member itself.</summary>
    private static bool IsAutoProperty(IPropertySymbol property)
    {
        foreach (var member in property.ContainingType.GetMembers())
        {
            if (member is IFieldSymbol { AssociatedSymbol: { } associated } && SymbolEqualityComparer.Default.Equals(associated, property.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    private static IOperation StripConversions(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation { Operand: var converted }:
                    operation = converted;
                    break;
                case IParenthesizedOperation { Operand: var inner }:
                    operation = inner;
                    break;
                default:
                    return operation;
            }
        }
    }

    /// <summary>The operations of the body itself: a lambda or local function is another body.</summary>
    private static IEnumerable<IOperation> Descendants(IOperation root)
    {
        var stack = new Stack<IOperation>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var operation = stack.Pop();
            yield return operation;
            foreach (var child in operation.ChildOperations)
            {
                if (child is not (IAnonymousFunctionOperation or ILocalFunctionOperation))
                {
                    stack.Push(child);
                }
            }
        }
    }

    /// <summary>True when an <c>if</c> around the release (or its <c>?.</c>) tests the released member: the message says why that is not enough.</summary>
    private static bool TestsMember(SyntaxNode release, ISymbol member, SyntaxNode body)
    {
        for (var node = release.Parent; node is not null && node != body; node = node.Parent)
        {
            if (node is ConditionalAccessExpressionSyntax { Expression: var accessed } && Names(accessed, member.Name))
            {
                return true;
            }

            if (node is IfStatementSyntax { Condition: var condition } && Names(condition, member.Name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Names(SyntaxNode node, string name)
    {
        foreach (var identifier in node.DescendantNodesAndSelf())
        {
            if (identifier is IdentifierNameSyntax { Identifier.ValueText: var text } && text == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>Marshal.FreeHGlobal</c>, <c>GCHandle.Free</c>, <c>ArrayPool.Return</c>.</summary>
    private static string ReleaseName(IMethodSymbol method)
    {
        var type = method.ContainingType;
        for (var m = method; m is not null; m = m.OverriddenMethod)
        {
            type = m.ContainingType;
        }

        return type.Name + "." + method.Name;
    }

    private static bool IsTaskLike(ITypeSymbol type) =>
        type is INamedTypeSymbol { Name: "ValueTask" or "Task", Arity: 0, ContainingNamespace: { Name: "Tasks", ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } };

    /// <summary>The two path questions, asked of the method's control flow graph.</summary>
    private sealed class Flow
    {
        private readonly ControlFlowGraph _cfg;
        private readonly IMethodSymbol _method;
        private readonly CancellationToken _cancellationToken;
        private readonly Dictionary<CaptureId, List<IOperation>> _captures = new();
        private HashSet<string>? _assignedInDispose;
        private bool? _guardedByCaller;

        public Flow(ControlFlowGraph cfg, IMethodSymbol method, CancellationToken cancellationToken)
        {
            _cfg = cfg;
            _method = method;
            _cancellationToken = cancellationToken;
            foreach (var block in cfg.Blocks)
            {
                foreach (var operation in block.Operations)
                {
                    if (operation is IFlowCaptureOperation capture)
                    {
                        if (!_captures.TryGetValue(capture.Id, out var values))
                        {
                            _captures[capture.Id] = values = new List<IOperation>();
                        }

                        values.Add(capture.Value);
                    }
                }
            }
        }

        /// <summary>The block and operation index (the branch value is index <c>Operations.Length</c>) that contain the call.</summary>
        public bool TryLocate(SyntaxNode call, out BasicBlock block, out int index)
        {
            foreach (var candidate in _cfg.Blocks)
            {
                for (var i = 0; i <= candidate.Operations.Length; i++)
                {
                    var operation = i < candidate.Operations.Length ? candidate.Operations[i] : candidate.BranchValue;
                    if (operation is null)
                    {
                        continue;
                    }

                    foreach (var inner in Descendants(operation))
                    {
                        if (inner is IInvocationOperation && inner.Syntax == call)
                        {
                            block = candidate;
                            index = i;
                            return true;
                        }
                    }
                }
            }

            block = null!;
            index = -1;
            return false;
        }

        /// <summary>
        /// True when every path from the entry to <paramref name="target"/> passes a conditional
        /// branch on a guard (<see cref="IsGuard"/>), or the Dispose that calls this one tests one.
        /// </summary>
        public bool Guarded(BasicBlock target, ISymbol member)
        {
            if (GuardedByCaller())
            {
                return true;
            }

            var reached = new bool[_cfg.Blocks.Length];
            var work = new Stack<BasicBlock>();
            work.Push(_cfg.Blocks[0]);
            reached[0] = true;
            while (true)
            {
                while (work.Count > 0)
                {
                    var block = work.Pop();
                    if (block == target)
                    {
                        return false;
                    }

                    if (block.ConditionalSuccessor is not null && block.BranchValue is { } condition && IsGuard(condition, member))
                    {
                        continue;
                    }

                    Follow(block.FallThroughSuccessor, reached, work);
                    Follow(block.ConditionalSuccessor, reached, work);
                }

                // A handler runs when its try was entered: reach it from any reached block of the try.
                if (!EnterHandlers(_cfg.Root, reached, work))
                {
                    return true;
                }
            }
        }

        /// <summary>
        /// True when every normal path from the release (operation <paramref name="index"/> of
        /// <paramref name="start"/>) to the end of the method assigns the member.
        /// </summary>
        public bool ClearedAfter(BasicBlock start, int index, ISymbol member)
        {
            for (var i = index + 1; i < start.Operations.Length; i++)
            {
                if (Assigns(start.Operations[i], member))
                {
                    return true;
                }
            }

            if (index < start.Operations.Length && start.BranchValue is { } branch && Assigns(branch, member))
            {
                return true;
            }

            var visited = new HashSet<BasicBlock> { start };
            var work = new Stack<BasicBlock>();
            if (!FollowUncleared(start, member, visited, work))
            {
                return false;
            }

            while (work.Count > 0)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                var block = work.Pop();
                if (block.Kind == BasicBlockKind.Exit)
                {
                    return false;
                }

                if (BlockAssigns(block, member))
                {
                    continue;
                }

                if (!FollowUncleared(block, member, visited, work))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Queues the successors of a block on paths that have not cleared; false when a path leaves a finally for somewhere unknown.</summary>
        private bool FollowUncleared(BasicBlock block, ISymbol member, HashSet<BasicBlock> visited, Stack<BasicBlock> work)
        {
            foreach (var branch in new[] { block.FallThroughSuccessor, block.ConditionalSuccessor })
            {
                if (branch is null)
                {
                    continue;
                }

                if (branch.Semantics is ControlFlowBranchSemantics.Throw or ControlFlowBranchSemantics.Rethrow or ControlFlowBranchSemantics.Error)
                {
                    // An exceptional exit: the next Dispose is not the question there.
                    continue;
                }

                if (branch.Semantics == ControlFlowBranchSemantics.StructuredExceptionHandling)
                {
                    // The end of a finally: control goes on to wherever the try was left for.
                    if (!ContinueAfterFinally(block, visited, work))
                    {
                        return false;
                    }

                    continue;
                }

                if (FinallyAssigns(branch, member))
                {
                    continue;
                }

                if (branch.Destination is { } destination && visited.Add(destination))
                {
                    work.Push(destination);
                }
            }

            return true;
        }

        private bool ContinueAfterFinally(BasicBlock last, HashSet<BasicBlock> visited, Stack<BasicBlock> work)
        {
            var region = last.EnclosingRegion;
            while (region is not null && region.Kind != ControlFlowRegionKind.Finally)
            {
                region = region.EnclosingRegion;
            }

            if (region is null)
            {
                return true;
            }

            foreach (var block in _cfg.Blocks)
            {
                foreach (var branch in new[] { block.FallThroughSuccessor, block.ConditionalSuccessor })
                {
                    if (branch is null || !branch.FinallyRegions.Contains(region))
                    {
                        continue;
                    }

                    if (branch.Destination is { } destination && visited.Add(destination))
                    {
                        work.Push(destination);
                    }
                }
            }

            return true;
        }

        private bool FinallyAssigns(ControlFlowBranch branch, ISymbol member)
        {
            foreach (var region in branch.FinallyRegions)
            {
                for (var i = region.FirstBlockOrdinal; i <= region.LastBlockOrdinal; i++)
                {
                    if (BlockAssigns(_cfg.Blocks[i], member))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private bool BlockAssigns(BasicBlock block, ISymbol member)
        {
            foreach (var operation in block.Operations)
            {
                if (Assigns(operation, member))
                {
                    return true;
                }
            }

            return block.BranchValue is { } branch && Assigns(branch, member);
        }

        /// <summary>
        /// The member no longer holds the released value after <paramref name="operation"/>: it is
        /// assigned (or <c>this</c> is), passed by <c>ref</c>/<c>out</c>, or a method of this type
        /// declared in source is called that assigns a member of that name.
        /// </summary>
        private bool Assigns(IOperation operation, ISymbol member)
        {
            foreach (var inner in Descendants(operation))
            {
                switch (inner)
                {
                    case ISimpleAssignmentOperation { Target: IInstanceReferenceOperation }:
                        return true;
                    case ISimpleAssignmentOperation { Target: var target } when IsMember(target, member):
                        return true;
                    case IDeconstructionAssignmentOperation { Target: ITupleOperation tuple } when TupleAssigns(tuple, member):
                        return true;
                    case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out, Value: var value } when IsMember(value, member):
                        return true;
                    case IInvocationOperation { Instance: IInstanceReferenceOperation, TargetMethod: var callee } when CalleeAssigns(callee, member.Name):
                        return true;
                }
            }

            return false;
        }

        private static bool TupleAssigns(ITupleOperation tuple, ISymbol member)
        {
            foreach (var element in tuple.Elements)
            {
                if (IsMember(element, member) || (element is ITupleOperation nested && TupleAssigns(nested, member)))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsMember(IOperation operation, ISymbol member) =>
            ThisMemberAnyKind(operation) is { } symbol && SymbolEqualityComparer.Default.Equals(symbol, member);

        private static ISymbol? ThisMemberAnyKind(IOperation operation) => operation is IMemberReferenceOperation
        {
            Member: IFieldSymbol or IPropertySymbol,
            Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance },
        } reference
            ? reference.Member.OriginalDefinition
            : null;

        /// <summary>A helper of this type (<c>Reset()</c>) whose source assigns a member of that name.</summary>
        private static bool CalleeAssigns(IMethodSymbol callee, string name)
        {
            foreach (var reference in callee.OriginalDefinition.DeclaringSyntaxReferences)
            {
                if (AssignedNames(reference.GetSyntax()).Contains(name))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// A guard: the condition reads a member of <c>this</c> other than the released one that
        /// the type's Dispose methods assign (a computed property counts when they assign any
        /// member), or calls a method on <c>this</c>. Flow captures (<c>?.</c>, <c>??</c>) are
        /// followed to the values they hold.
        /// </summary>
        private bool IsGuard(IOperation condition, ISymbol released)
        {
            var seen = new HashSet<CaptureId>();
            var pending = new Stack<IOperation>();
            pending.Push(condition);
            while (pending.Count > 0)
            {
                foreach (var inner in Descendants(pending.Pop()))
                {
                    switch (inner)
                    {
                        case IFlowCaptureReferenceOperation reference when seen.Add(reference.Id) && _captures.TryGetValue(reference.Id, out var values):
                            foreach (var value in values)
                            {
                                pending.Push(value);
                            }

                            break;
                        case IInvocationOperation { Instance: IInstanceReferenceOperation }:
                            return true;
                        case IMemberReferenceOperation when ThisMemberAnyKind(inner) is { } member && !SymbolEqualityComparer.Default.Equals(member, released):
                            var assigned = AssignedInDispose();
                            if (assigned.Contains(member.Name) || (member is IPropertySymbol && HasOtherThan(assigned, released.Name)))
                            {
                                return true;
                            }

                            break;
                    }
                }
            }

            return false;
        }

        private static bool HasOtherThan(HashSet<string> names, string name)
        {
            foreach (var n in names)
            {
                if (n != name)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The names of members assigned (or passed by ref, or incremented) in any Dispose method of the type or its source base types.</summary>
        private HashSet<string> AssignedInDispose()
        {
            if (_assignedInDispose is not null)
            {
                return _assignedInDispose;
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var dispose in DisposeMethods())
            {
                foreach (var reference in dispose.DeclaringSyntaxReferences)
                {
                    names.UnionWith(AssignedNames(reference.GetSyntax(_cancellationToken)));
                }
            }

            return _assignedInDispose = names;
        }

        /// <summary>
        /// Dispose(bool) and DisposeAsyncCore run from a public Dispose; a flag tested there
        /// (<c>if (_disposed) return; Dispose(true); _disposed = true;</c>) guards them too. Read
        /// from syntax: any <c>if</c> or conditional in another Dispose method of the type that
        /// also assigns a member.
        /// </summary>
        private bool GuardedByCaller()
        {
            if (_guardedByCaller is { } known)
            {
                return known;
            }

            var guarded = false;
            if (_method.Parameters.Length == 1 || DisposeName(_method) == "DisposeAsyncCore")
            {
                foreach (var dispose in DisposeMethods())
                {
                    if (SymbolEqualityComparer.Default.Equals(dispose, _method.OriginalDefinition) || dispose.Parameters.Length == 1 || DisposeName(dispose) == "DisposeAsyncCore")
                    {
                        continue;
                    }

                    foreach (var reference in dispose.DeclaringSyntaxReferences)
                    {
                        var syntax = reference.GetSyntax(_cancellationToken);
                        if (HasTest(syntax) && AssignedNames(syntax).Count > 0)
                        {
                            guarded = true;
                        }
                    }
                }
            }

            _guardedByCaller = guarded;
            return guarded;
        }

        private IEnumerable<IMethodSymbol> DisposeMethods()
        {
            for (var type = _method.ContainingType; type is not null && !type.DeclaringSyntaxReferences.IsEmpty; type = type.BaseType)
            {
                foreach (var member in type.GetMembers())
                {
                    if (member is IMethodSymbol method && IsDisposeMethod(method))
                    {
                        yield return method;
                    }
                }
            }
        }

        private static bool HasTest(SyntaxNode syntax)
        {
            foreach (var node in syntax.DescendantNodes())
            {
                if (node is IfStatementSyntax or ConditionalExpressionSyntax or SwitchStatementSyntax)
                {
                    return true;
                }
            }

            return false;
        }

        private static HashSet<string> AssignedNames(SyntaxNode syntax)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var node in syntax.DescendantNodes())
            {
                var target = node switch
                {
                    AssignmentExpressionSyntax assignment => assignment.Left,
                    PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } prefix => prefix.Operand,
                    PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } postfix => postfix.Operand,
                    ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.RefKeyword or (int)SyntaxKind.OutKeyword } argument => argument.Expression,
                    _ => null,
                };
                switch (target)
                {
                    case IdentifierNameSyntax identifier:
                        names.Add(identifier.Identifier.ValueText);
                        break;
                    case MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: var name }:
                        names.Add(name.Identifier.ValueText);
                        break;
                }
            }

            return names;
        }

        private static void Follow(ControlFlowBranch? branch, bool[] reached, Stack<BasicBlock> work)
        {
            if (branch?.Destination is { } destination && !reached[destination.Ordinal])
            {
                reached[destination.Ordinal] = true;
                work.Push(destination);
            }
        }

        /// <summary>Reaches the first block of every catch, filter and finally whose try has a reached block; false when nothing new was reached.</summary>
        private bool EnterHandlers(ControlFlowRegion region, bool[] reached, Stack<BasicBlock> work)
        {
            var any = false;
            if (region.Kind is ControlFlowRegionKind.TryAndCatch or ControlFlowRegionKind.TryAndFinally && region.NestedRegions.Length > 1)
            {
                var tryRegion = region.NestedRegions[0];
                var entered = false;
                for (var i = tryRegion.FirstBlockOrdinal; i <= tryRegion.LastBlockOrdinal && !entered; i++)
                {
                    entered = reached[i];
                }

                if (entered)
                {
                    for (var h = 1; h < region.NestedRegions.Length; h++)
                    {
                        var first = region.NestedRegions[h].FirstBlockOrdinal;
                        if (!reached[first])
                        {
                            reached[first] = true;
                            work.Push(_cfg.Blocks[first]);
                            any = true;
                        }
                    }
                }
            }

            foreach (var nested in region.NestedRegions)
            {
                any |= EnterHandlers(nested, reached, work);
            }

            return any;
        }
    }
}
