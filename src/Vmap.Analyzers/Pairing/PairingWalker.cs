using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// Walks one method's control flow graph to a fixpoint and collects <see cref="PairingFinding"/>s.
/// Each block keeps a small set of states (disjuncts) that differ in the branch conditions they
/// know; beyond <see cref="MaxDisjuncts"/> they are joined. Finally regions are run on every branch
/// that leaves their try; a catch handler starts from the state at the start of its try.
/// </summary>
internal sealed partial class PairingWalker
{
    private const int MaxDisjuncts = 8;

    /// <summary>
    /// Evaluation steps per method at least; a method that needs more than its budget is given up:
    /// nothing of it is reported, and it is counted (<see cref="EngineFailureLog.GiveUp"/>).
    /// </summary>
    private const int StepBudget = 40_000;

    /// <summary>
    /// Steps allowed per operation of the method's graph, past <see cref="StepBudget"/>: the
    /// budget grows with the method, so a long method is not given up for its length (issue 25 §3:
    /// 415 lines of sequential ifs were), while a walk that does not settle still is. The walk
    /// of the generated shapes of bench/Vmap.CostHarness takes 3–9 steps per operation.
    /// </summary>
    private const int StepsPerOperation = 32;

    private readonly ControlFlowGraph _cfg;

    /// <summary>The disjunct lists of the blocks whose paths were joined past <see cref="MaxDisjuncts"/> (see <see cref="MergeInto"/>).</summary>
    private readonly HashSet<List<PairingState>> _widened = new();

    private readonly PairingContext _context;

    private readonly IMethodSymbol _method;

    private readonly SyntaxNode _body;

    private readonly CancellationToken _cancellationToken;

    private readonly KeyBuilder _keys;

    private readonly Dictionary<int, List<int>> _handlersByTryStart = new();

    private readonly Dictionary<(IOperation Call, MapSpec Spec), MapSite> _sitesByCall = new();

    private readonly List<MapSite> _sites = new();

    private readonly Dictionary<StorageKey, int> _writeCounts = new();

    /// <summary>What each flow capture captured (see Written); null when captured at more than one place.</summary>
    private readonly Dictionary<CaptureId, IOperation?> _captured = new();

    private readonly List<PairingFinding> _findings = new();

    private readonly Dictionary<(StorageKey Member, int Mapping), SyntaxNode> _repointed = new();

    private readonly HashSet<(FindingKind, TextSpan)> _reported = new();

    /// <summary>
    /// Releases reached by some state in which the mapping was not already released on every path
    /// of that state (still live, untracked, or not the mapping at all). Path-sensitive states
    /// (<c>if (early) Free(p); Free(p);</c> with <c>early</c> a parameter) reach the second release
    /// apart, so "on every path" is a verdict over all of them, not over the state that reported.
    /// </summary>
    private readonly HashSet<TextSpan> _releasedOnSomePathsOnly = new();

    /// <summary>
    /// The same for hand-offs (VMAP003 after a <c>[TakesOwnership]</c> call): releases and second
    /// hand-offs reached by a state in which the mapping was not handed over on every path.
    /// </summary>
    private readonly HashSet<TextSpan> _handedOnSomePathsOnly = new();

    /// <summary>The same for uses (VMAP004): uses reached by a state in which the mapping was not released on every path.</summary>
    private readonly HashSet<TextSpan> _usedOnSomePathsOnly = new();

    /// <summary>
    /// Releases reached by some state in which the released value is the start of its mapping: a
    /// VMAP001 there (an offset in another state) holds on some paths only.
    /// </summary>
    private readonly HashSet<TextSpan> _startReleasedAt = new();

    private readonly List<Exit> _exits = new();

    /// <summary>The states in which an explicit throw leaves the method (see <see cref="ThrowExit"/>).</summary>
    private readonly List<Exit> _throwExits = new();

    /// <summary>While summarising: the explicit throws of the body outside any try, with their states (<see cref="BorrowedAtThrow"/>).</summary>
    private readonly List<(BasicBlock From, PairingState State)> _summaryThrows = new();

    private readonly SummaryScope _scope;

    /// <summary>True while the walk only computes a summary of the method for its callers: nothing is reported.</summary>
    private readonly bool _summarising;

    /// <summary>While a parameter is summarised: the first release of its mapping, as the callers will apply it.</summary>
    private (UnmapSpec Spec, PathStep Step)? _parameterRelease;

    private int _steps;

    /// <summary>See <see cref="ThrowLosesThis"/>: computed at the first throw exit that needs it.</summary>
    private bool? _throwLosesThis;

    /// <summary>This walk's step budget (see <see cref="StepsPerOperation"/>).</summary>
    private int _budget = StepBudget;

    /// <summary>A call evaluated in the current operation that does not return (see <see cref="NoReturn"/>).</summary>
    private (IInvocationOperation Call, NoReturnKind Kind)? _endedBy;

    private PairingWalker(ControlFlowGraph cfg, PairingContext context, IMethodSymbol method, SyntaxNode body, SummaryScope scope, bool summarising, CancellationToken cancellationToken)
    {
        _cfg = cfg;
        _context = context;
        _method = method;
        _body = body;
        _scope = scope;
        _summarising = summarising;
        _cancellationToken = cancellationToken;
        _keys = new KeyBuilder(method);
        IndexHandlers(cfg.Root);
        CountWrites();
    }

    /// <summary>One way out of the method: the state there and, for a return, what it returned.</summary>
    /// <summary>
    /// One way out of the method: the state there and, for a return, what it returned; <see cref="At"/>
    /// is the statement of a call that does not return, when that call ended the path.
    /// </summary>
    /// <remarks><see cref="Caught"/>: a throw that a catch of the method takes (see <see cref="ThrowExit"/>).</remarks>
    private sealed record Exit(BasicBlock From, PairingState State, ReturnInfo? Returned, SyntaxNode? At = null, ThrowingCall? ThrownBy = null, bool Caught = false);

    /// <summary>The calls of the operation being evaluated that may throw, with the state before each (see <see cref="NoteThrowingCall"/>).</summary>
    private readonly List<(IInvocationOperation Call, PairingState State, ThrowingCall ThrownBy)> _pendingThrows = new();

    /// <summary>A returned value, the facts of its mapping just before the return handed it on, and the returned operation.</summary>
    private sealed record ReturnInfo(AbstractValue Value, MappingFacts Facts, IOperation Operation);

    /// <summary>
    /// The findings for one method and the lambdas and local functions in it (each walked as a body
    /// of its own), or none for a body that exceeds the step budget.
    /// </summary>
    public static IReadOnlyList<PairingFinding> Run(ControlFlowGraph cfg, PairingContext context, IMethodSymbol method, SyntaxNode body, CancellationToken cancellationToken)
    {
        var findings = new List<PairingFinding>();
        RunBody(cfg, context, method, body, new SummaryScope(), findings, cancellationToken);
        return findings;
    }

    private static void RunBody(ControlFlowGraph cfg, PairingContext context, IMethodSymbol method, SyntaxNode body, SummaryScope scope, List<PairingFinding> findings, CancellationToken cancellationToken)
    {
        var walker = new PairingWalker(cfg, context, method, body, scope, summarising: false, cancellationToken);
        try
        {
            walker.RunFrom(0, PairingState.Empty, scope: null);

            // Leaks are judged once the walk is done, so that a loop local that goes out of scope
            // at the end of its body is reported there rather than at the method's exit.
            foreach (var exit in walker._exits)
            {
                walker.CheckLeaks(exit.From, exit.State);
            }

            foreach (var exit in walker._throwExits)
            {
                walker.CheckLeaks(exit.From, exit.State, exit.At, exit.ThrownBy, throwOut: !exit.Caught);
            }

            findings.AddRange(walker.Filtered());
        }
        catch (BudgetExceededException)
        {
            context.Failures.GiveUp(method, walker._budget);
        }

        foreach (var (graph, symbol, syntax) in NestedBodies(cfg, cancellationToken))
        {
            if (CallsPairApi(graph, context))
            {
                RunBody(graph, context, symbol, syntax, scope, findings, cancellationToken);
            }
        }
    }

    /// <summary>The local functions and lambdas declared directly in <paramref name="cfg"/>, with their own graphs.</summary>
    private static IEnumerable<(ControlFlowGraph Graph, IMethodSymbol Symbol, SyntaxNode Body)> NestedBodies(ControlFlowGraph cfg, CancellationToken cancellationToken)
    {
        foreach (var local in cfg.LocalFunctions)
        {
            if (local.DeclaringSyntaxReferences.Length > 0 &&
                local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is LocalFunctionStatementSyntax declaration &&
                ((SyntaxNode?)declaration.Body ?? declaration.ExpressionBody) is { } localBody)
            {
                yield return (cfg.GetLocalFunctionControlFlowGraph(local, cancellationToken), local, localBody);
            }
        }

        foreach (var block in cfg.Blocks)
        {
            foreach (var operation in block.Operations)
            {
                foreach (var node in operation.DescendantsAndSelf())
                {
                    if (node is IFlowAnonymousFunctionOperation lambda && lambda.Syntax is AnonymousFunctionExpressionSyntax anonymous)
                    {
                        yield return (cfg.GetAnonymousFunctionControlFlowGraph(lambda, cancellationToken), lambda.Symbol, anonymous.Body);
                    }
                }
            }

            if (block.BranchValue is { } value)
            {
                foreach (var node in value.DescendantsAndSelf())
                {
                    if (node is IFlowAnonymousFunctionOperation lambda && lambda.Syntax is AnonymousFunctionExpressionSyntax anonymous)
                    {
                        yield return (cfg.GetAnonymousFunctionControlFlowGraph(lambda, cancellationToken), lambda.Symbol, anonymous.Body);
                    }
                }
            }
        }
    }

    /// <summary>Whether a nested body calls an acquire or release itself (or declares bodies that may).</summary>
    private static bool CallsPairApi(ControlFlowGraph graph, PairingContext context)
    {
        if (!graph.LocalFunctions.IsEmpty)
        {
            return true;
        }

        foreach (var block in graph.Blocks)
        {
            foreach (var operation in block.Operations)
            {
                foreach (var node in operation.DescendantsAndSelf())
                {
                    if (node is IFlowAnonymousFunctionOperation ||
                        (node is IInvocationOperation invocation && context.Pairs.Get(invocation.TargetMethod) is not null))
                    {
                        return true;
                    }
                }
            }

            if (block.BranchValue is { } value)
            {
                foreach (var node in value.DescendantsAndSelf())
                {
                    if (node is IInvocationOperation invocation && context.Pairs.Get(invocation.TargetMethod) is not null)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private sealed class BudgetExceededException : Exception
    {
    }

    private void Step()
    {
        if (++_steps > _budget)
        {
            throw new BudgetExceededException();
        }

        if ((_steps & 0xFF) == 0)
        {
            _cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// An overwrite that a VMAP001 at the later unmap already explains (the reassignment is its
    /// additional location) is one bug, reported once.
    /// </summary>
    private IReadOnlyList<PairingFinding> Filtered()
    {
        var explained = new HashSet<Location>();
        for (var i = 0; i < _findings.Count; i++)
        {
            var finding = _findings[i];
            if (finding.OnEveryPath &&
                ((finding.Kind == FindingKind.UnmappedTwice && _releasedOnSomePathsOnly.Contains(finding.At.Span)) ||
                 (finding.Kind is FindingKind.ReleasedAfterHandOff or FindingKind.HandedOffTwice && _handedOnSomePathsOnly.Contains(finding.At.Span)) ||
                 (finding.Kind == FindingKind.UsedAfterUnmap && _usedOnSomePathsOnly.Contains(finding.At.Span))))
            {
                _findings[i] = finding = finding with { OnEveryPath = false };
            }

            if (finding.Kind == FindingKind.UnmapOfNonStart && finding.OnEveryPath && finding.Site is not null && _startReleasedAt.Contains(finding.At.Span))
            {
                _findings[i] = finding = finding with { OnEveryPath = false };
            }

            if (finding.Kind == FindingKind.UnmapOfNonStart)
            {
                explained.Add(finding.Related);
            }
        }

        _findings.AddRange(WrongFailureTests());
        if (explained.Count == 0)
        {
            return _findings;
        }

        var result = new List<PairingFinding>(_findings.Count);
        foreach (var finding in _findings)
        {
            if (finding.Kind != FindingKind.MappingOverwritten || !explained.Contains(finding.At.GetLocation()))
            {
                result.Add(finding);
            }
        }

        return result;
    }

    private void NoteSomePathsOnly(HashSet<TextSpan> spans, SyntaxNode at)
    {
        if (!_summarising)
        {
            spans.Add(at.Span);
        }
    }

    private void Report(PairingFinding finding)
    {
        if (_summarising)
        {
            return;
        }

        if (_reported.Add((finding.Kind, finding.At.Span)))
        {
            _findings.Add(finding);
        }
    }

    private void IndexHandlers(ControlFlowRegion region)
    {
        if (region.Kind == ControlFlowRegionKind.TryAndCatch && region.NestedRegions.Length > 1)
        {
            var tryStart = region.NestedRegions[0].FirstBlockOrdinal;
            if (!_handlersByTryStart.TryGetValue(tryStart, out var handlers))
            {
                handlers = new List<int>();
                _handlersByTryStart.Add(tryStart, handlers);
            }

            for (var i = 1; i < region.NestedRegions.Length; i++)
            {
                handlers.Add(region.NestedRegions[i].FirstBlockOrdinal);
            }
        }

        foreach (var nested in region.NestedRegions)
        {
            IndexHandlers(nested);
        }
    }

    /// <summary>
    /// Runs blocks from <paramref name="start"/> to a fixpoint. With a <paramref name="scope"/> (a
    /// finally region) only its blocks run, and the states that leave its end are returned.
    /// </summary>
    private List<PairingState> RunFrom(int start, PairingState initial, ControlFlowRegion? scope)
    {
        var inStates = new Dictionary<int, List<PairingState>>();
        var work = new SortedSet<int>();
        var outputs = new List<PairingState>();
        if (MergeInto(inStates, start, initial))
        {
            work.Add(start);
        }

        while (work.Count > 0)
        {
            var ordinal = work.Min;
            work.Remove(ordinal);
            var block = _cfg.Blocks[ordinal];
            foreach (var incoming in inStates[ordinal].ToArray())
            {
                // States stored as block inputs are never mutated: a block that does nothing hands
                // its input on as is, every other block works on a copy.
                var passive = block.Operations.IsEmpty && block.BranchValue is null;
                var state = passive ? incoming : incoming.Clone();
                var ended = false;
                foreach (var operation in block.Operations)
                {
                    _justMapped = null;
                    _endedBy = null;
                    Eval(operation, state);
                    FlushThrowingCalls(block);
                    if (ended = EndedByCall(block, state))
                    {
                        break;
                    }
                }

                _justMapped = null;
                _endedBy = null;
                if (ended)
                {
                    continue;
                }

                if (block.ConditionalSuccessor is { } conditional && block.BranchValue is { } condition)
                {
                    var value = Eval(condition, state);
                    FlushThrowingCalls(block);
                    if (EndedByCall(block, state))
                    {
                        continue;
                    }

                    var jumpsWhen = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
                    var taken = Refine(state.Clone(), condition, value, jumpsWhen);
                    var fallen = Refine(state, condition, value, !jumpsWhen);
                    if (taken is not null)
                    {
                        Follow(block, conditional, taken, inStates, work, outputs, scope);
                    }

                    if (fallen is not null)
                    {
                        Follow(block, block.FallThroughSuccessor, fallen, inStates, work, outputs, scope);
                    }
                }
                else
                {
                    ReturnInfo? returned = null;
                    if (block.BranchValue is { } branchValue)
                    {
                        var value = Eval(branchValue, state);
                        FlushThrowingCalls(block);
                        if (EndedByCall(block, state))
                        {
                            continue;
                        }

                        if (block.FallThroughSuccessor?.Semantics == ControlFlowBranchSemantics.Return)
                        {
                            returned = Returned(value, branchValue, state);
                        }
                    }

                    Follow(block, block.FallThroughSuccessor, state, inStates, work, outputs, scope, returned);
                }
            }
        }

        return outputs;
    }

    private void Follow(
        BasicBlock from,
        ControlFlowBranch? branch,
        PairingState state,
        Dictionary<int, List<PairingState>> inStates,
        SortedSet<int> work,
        List<PairingState> outputs,
        ControlFlowRegion? scope,
        ReturnInfo? returned = null)
    {
        if (branch is null)
        {
            return;
        }

        switch (branch.Semantics)
        {
            case ControlFlowBranchSemantics.StructuredExceptionHandling:
                outputs.Add(state);
                return;
            case ControlFlowBranchSemantics.Throw:
                ThrowExit(from, state);
                return;
            case ControlFlowBranchSemantics.Rethrow:
            case ControlFlowBranchSemantics.ProgramTermination:
            case ControlFlowBranchSemantics.Error:
                return;
        }

        var states = new List<PairingState> { state };
        foreach (var finallyRegion in branch.FinallyRegions)
        {
            var next = new List<PairingState>();
            foreach (var s in states)
            {
                next.AddRange(RunFrom(finallyRegion.FirstBlockOrdinal, s, finallyRegion));
            }

            states = next;
        }

        if (branch.Destination is not { } destination)
        {
            return;
        }

        foreach (var s in states)
        {
            if (destination.Kind == BasicBlockKind.Exit)
            {
                Step();
                _exits.Add(new Exit(from, s, returned));
                continue;
            }

            if (scope is not null && (destination.Ordinal < scope.FirstBlockOrdinal || destination.Ordinal > scope.LastBlockOrdinal))
            {
                continue;
            }

            if (MergeInto(inStates, destination.Ordinal, s))
            {
                work.Add(destination.Ordinal);
            }

            if (_handlersByTryStart.TryGetValue(destination.Ordinal, out var handlers))
            {
                foreach (var handler in handlers)
                {
                    if (MergeInto(inStates, handler, s))
                    {
                        work.Add(handler);
                    }
                }
            }
        }
    }

    /// <summary>
    /// An explicit <c>throw</c>, or a call that does not return (<paramref name="at"/>, its
    /// statement), leaves the method unless a catch of an enclosing try takes it (that handler is walked from the state at its try's start, see <see cref="IndexHandlers"/>); the
    /// finally regions it passes run first. A throw a catch takes is still an exit for the
    /// mappings only locals of that try hold (<see cref="LostToCatch"/>). The exits it makes are judged for leaks only: what a
    /// callee does on its throw paths is not part of its summary (an exception from a callee is
    /// not modelled). A rethrow is not an exit either, for the same reason: its catch was entered by
    /// an exception from somewhere in the try, from the state at the try's start.
    /// </summary>
    private void ThrowExit(BasicBlock from, PairingState state, SyntaxNode? at = null, ThrowingCall? thrownBy = null)
    {
        if (_summarising)
        {
            // A parameter's summary keeps the states of the body's own explicit throws outside any
            // try (no finally or catch in between): what the callee still lends when it throws.
            if (at is null && OutsideAnyTry(from))
            {
                _summaryThrows.Add((from, state.Clone()));
            }

            return;
        }

        var states = new List<PairingState> { state };
        var scoped = new HashSet<StorageRoot>();
        var caught = false;
        for (var region = from.EnclosingRegion; region.EnclosingRegion is { } parent; region = parent)
        {
            // Code the compiler could not bind can give a region an enclosing region that does not
            // list it (seen by the fuzz test): the path the throw takes cannot be told, so no claim.
            if (!parent.NestedRegions.Contains(region))
            {
                return;
            }

            foreach (var local in region.Locals)
            {
                scoped.Add(_keys.LocalKey(local).Root);
            }

            if (parent.NestedRegions[0] != region)
            {
                continue;
            }

            if (parent.Kind == ControlFlowRegionKind.TryAndCatch)
            {
                caught = true;
                break;
            }

            if (parent.Kind == ControlFlowRegionKind.TryAndFinally)
            {
                if (parent.NestedRegions.Length != 2)
                {
                    return;
                }

                var finallyRegion = parent.NestedRegions[1];
                var next = new List<PairingState>();
                foreach (var s in states)
                {
                    next.AddRange(RunFrom(finallyRegion.FirstBlockOrdinal, s, finallyRegion));
                }

                states = next;
            }
        }

        foreach (var s in states)
        {
            Step();
            _throwExits.Add(new Exit(from, caught ? LostToCatch(s, scoped) : s, null, at, thrownBy, caught));
        }
    }

    /// <summary>
    /// The state a throw taken by a catch of this method loses (issue 20, H5): only the mappings
    /// held by nothing but locals whose lifetime ends inside the try (<paramref name="scoped"/>) and
    /// temporaries. The catch, and the code after it, cannot name those locals, so whatever the
    /// handler does (log, retry, rethrow) the mapping is not released. Every other mapping may be
    /// released by the handler or after it, and is made unknown.
    /// </summary>
    private PairingState LostToCatch(PairingState state, HashSet<StorageRoot> scoped)
    {
        var lost = state.Clone();
        foreach (var pair in state.Mappings)
        {
            var local = false;
            var outside = false;
            foreach (var held in state.Storage)
            {
                if (held.Value.Mapping != pair.Key || !held.Value.ReachesMapping || held.Key.IsCapture)
                {
                    continue;
                }

                if (!held.Key.IsMember && held.Key.Root.Kind == StorageRootKind.Local && scoped.Contains(held.Key.Root) && !_keys.IsOuter(held.Key))
                {
                    local = true;
                }
                else
                {
                    outside = true;
                }
            }

            if (!local || outside)
            {
                lost.Escape(pair.Key);
            }
        }

        return lost;
    }

    /// <summary>Adds a state to a block's disjuncts; true when the block's input changed.</summary>
    private bool MergeInto(Dictionary<int, List<PairingState>> inStates, int ordinal, PairingState state)
    {
        Step();
        if (!inStates.TryGetValue(ordinal, out var disjuncts))
        {
            inStates.Add(ordinal, new List<PairingState> { state });
            return true;
        }

        for (var i = 0; i < disjuncts.Count; i++)
        {
            if (ReferenceEquals(disjuncts[i], state))
            {
                return false;
            }

            if (disjuncts[i].SameConditions(state))
            {
                var joined = PairingState.Join(disjuncts[i], state);
                if (joined.SameAs(disjuncts[i]))
                {
                    return false;
                }

                disjuncts[i] = joined;
                return true;
            }
        }

        if (_widened.Contains(disjuncts))
        {
            // A block whose paths were joined once joins every later one into that state. Kept
            // apart, the paths that arrive after the join would each carry a history of their own
            // (every mapping and condition since they split), and every later merge would join
            // histories that differ everywhere: the walk of a method with many tests grew with the
            // square of its length (issue 25 §3). Joining only makes the engine quieter.
            var widened = PairingState.Join(disjuncts[0], state);
            if (widened.SameAs(disjuncts[0]))
            {
                return false;
            }

            disjuncts[0] = widened;
            return true;
        }

        disjuncts.Add(state);
        if (disjuncts.Count > MaxDisjuncts)
        {
            var all = disjuncts[0];
            for (var i = 1; i < disjuncts.Count; i++)
            {
                all = PairingState.Join(all, disjuncts[i]);
            }

            disjuncts.Clear();
            disjuncts.Add(all);
            _widened.Add(disjuncts);
        }

        return true;
    }

    private void CountWrites()
    {
        // Every operation of the graph, in the order of its blocks and a depth-first descent of
        // each root, collected once into one list: an iterator and a stack per root operation were
        // a tenth of the walk's allocation on small methods (issue 25 §4).
        var all = new List<IOperation>();
        var pending = new Stack<IOperation>();
        foreach (var block in _cfg.Blocks)
        {
            foreach (var operation in block.Operations)
            {
                Collect(operation, pending, all);
            }

            if (block.BranchValue is { } value)
            {
                Collect(value, pending, all);
            }
        }

        // Captures first: a write through a capture counts as a write of the captured storage.
        // Each capture's captured operation, or null for a capture taken at more than one place
        // (the arms of a conditional), which names no one storage.
        foreach (var operation in all)
        {
            if (operation is IFlowCaptureOperation capture)
            {
                _captured[capture.Id] = _captured.ContainsKey(capture.Id) ? null : capture.Value;
            }
        }

        foreach (var operation in all)
        {
            CountWrite(operation);
        }

        _budget = (int)Math.Min(int.MaxValue, Math.Max(StepBudget, (long)StepsPerOperation * all.Count));
    }

    /// <summary>Adds <paramref name="root"/> and everything under it to <paramref name="into"/>, depth first.</summary>
    private static void Collect(IOperation root, Stack<IOperation> pending, List<IOperation> into)
    {
        pending.Push(root);
        while (pending.Count > 0)
        {
            var operation = pending.Pop();
            into.Add(operation);
            foreach (var child in operation.ChildOperations)
            {
                pending.Push(child);
            }
        }
    }

    /// <summary>Counts the write <paramref name="operation"/> makes, if it makes one.</summary>
    private void CountWrite(IOperation operation)
    {
        IOperation? target = operation switch
        {
            IAssignmentOperation assignment => assignment.Target,
            IIncrementOrDecrementOperation increment => increment.Target,
            IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref } argument => argument.Value,
            IAddressOfOperation address => address.Reference,
            _ => null,
        };

        if (target is IFlowCaptureReferenceOperation)
        {
            target = Written(target);
        }

        if (target is not null && _keys.Storage(target) is { } key)
        {
            _writeCounts[key] = _writeCounts.TryGetValue(key, out var count) ? count + 1 : 1;
            if (operation is IAddressOfOperation)
            {
                _writeCounts[key] = 2;
            }
        }
    }

    /// <summary>
    /// A local written at most once, or a parameter never written (its value on entry is its one
    /// write): its value (and Length) mean the same at map and unmap.
    /// </summary>
    private bool IsStable(StorageKey key) =>
        !key.IsMember && !key.IsCapture &&
        (!_writeCounts.TryGetValue(key, out var count) || count <= (key.Root.Kind == StorageRootKind.Parameter ? 0 : 1));
}
