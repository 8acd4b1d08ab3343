using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing.Members;

/// <summary>
/// The two path questions VMAP008 asks of one Dispose method's control flow graph: is the release
/// guarded, and is the member cleared on every path after it.
/// </summary>
/// <remarks>
/// What each operation assigns and what each condition reads is read once, when the graph is
/// opened; the questions are lookups over it. Paths that meet no assignment (a member the method
/// never clears) and entries that meet no guard are shared by every member, so a Dispose that
/// releases N members costs O(N) rather than one walk of the graph per release.
/// </remarks>
internal sealed class DisposeFlow
{
    private readonly ControlFlowGraph _cfg;
    private readonly IMethodSymbol _method;
    private readonly TypeMembers _members;
    private readonly CancellationToken _cancellationToken;
    private readonly Dictionary<CaptureId, List<IOperation>> _captures = new();
    private readonly Dictionary<SyntaxNode, (int Block, int Index)> _calls = new();
    private readonly BlockEffects[] _effects;
    private readonly GuardReads?[] _conditions;
    private readonly bool _anyAssignment;
    private readonly Dictionary<ControlFlowRegion, List<BasicBlock>> _afterFinally = new();
    private readonly Dictionary<int, bool[]> _reaching = new();
    private bool[]? _unguardedReach;
    private bool[]? _reachesExit;
    private bool? _anyGuard;

    public DisposeFlow(ControlFlowGraph cfg, IMethodSymbol method, TypeMembers members, CancellationToken cancellationToken)
    {
        _cfg = cfg;
        _method = method;
        _members = members;
        _cancellationToken = cancellationToken;
        _effects = new BlockEffects[cfg.Blocks.Length];
        _conditions = new GuardReads?[cfg.Blocks.Length];
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

        foreach (var block in cfg.Blocks)
        {
            var effects = new BlockEffects();
            for (var i = 0; i <= block.Operations.Length; i++)
            {
                var operation = i < block.Operations.Length ? block.Operations[i] : block.BranchValue;
                if (operation is null)
                {
                    continue;
                }

                foreach (var inner in MemberOperations.Descendants(operation))
                {
                    if (inner is IInvocationOperation && !_calls.ContainsKey(inner.Syntax))
                    {
                        _calls.Add(inner.Syntax, (block.Ordinal, i));
                    }

                    effects.Read(inner, i, members);
                }
            }

            _effects[block.Ordinal] = effects;
            _anyAssignment |= effects.Any;
            if (block.ConditionalSuccessor is not null && block.BranchValue is { } condition)
            {
                _conditions[block.Ordinal] = ReadCondition(condition);
            }
        }
    }

    /// <summary>The block and operation index (the branch value is index <c>Operations.Length</c>) that contain the call.</summary>
    public bool TryLocate(SyntaxNode call, out BasicBlock block, out int index)
    {
        if (_calls.TryGetValue(call, out var at))
        {
            block = _cfg.Blocks[at.Block];
            index = at.Index;
            return true;
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
        if (TypeMembers.RunsFromPublicDispose(_method) && _members.PublicDisposeTestsFlag(_cancellationToken))
        {
            return true;
        }

        if (!AnyGuard())
        {
            // No condition guards anything: what the entry reaches is the same for every member, walked once.
            _unguardedReach ??= Reach(null, member);
            return !_unguardedReach[target.Ordinal];
        }

        return !Reach(target, member)[target.Ordinal];
    }

    /// <summary>The blocks reached from the entry without passing a guard of <paramref name="member"/>, stopping at <paramref name="target"/> if given.</summary>
    private bool[] Reach(BasicBlock? target, ISymbol member)
    {
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
                    return reached;
                }

                if (IsGuard(block, member) && (target is null || !BothArmsReach(block, target)))
                {
                    continue;
                }

                Follow(block.FallThroughSuccessor, reached, work);
                Follow(block.ConditionalSuccessor, reached, work);
            }

            // A handler runs when its try was entered: reach it from any reached block of the try.
            if (!EnterHandlers(_cfg.Root, reached, work))
            {
                return reached;
            }
        }
    }

    /// <summary>
    /// True when both arms of the conditional <paramref name="block"/> lead on to
    /// <paramref name="target"/>: its test decides something else (whether another member is
    /// closed first), not whether the release runs, so it guards nothing (issue 20, H2). A release
    /// in a handler or a finally is not reached by a normal branch: such a test stays a guard.
    /// </summary>
    private bool BothArmsReach(BasicBlock block, BasicBlock target)
    {
        if (!_reaching.TryGetValue(target.Ordinal, out var reaching))
        {
            // One backward walk per release: the blocks from which a normal branch leads to it.
            reaching = new bool[_cfg.Blocks.Length];
            reaching[target.Ordinal] = true;
            var work = new Stack<BasicBlock>();
            work.Push(target);
            while (work.Count > 0)
            {
                foreach (var predecessor in work.Pop().Predecessors)
                {
                    if (!reaching[predecessor.Source.Ordinal])
                    {
                        reaching[predecessor.Source.Ordinal] = true;
                        work.Push(predecessor.Source);
                    }
                }
            }

            _reaching.Add(target.Ordinal, reaching);
        }

        return block.ConditionalSuccessor?.Destination is { } taken && reaching[taken.Ordinal] &&
            block.FallThroughSuccessor?.Destination is { } fallen && reaching[fallen.Ordinal];
    }

    /// <summary>
    /// True when every normal path from the release (operation <paramref name="index"/> of
    /// <paramref name="start"/>) to the end of the method assigns the member.
    /// </summary>
    public bool ClearedAfter(BasicBlock start, int index, ISymbol member)
    {
        if (_effects[start.Ordinal].AssignsAfter(index, member))
        {
            return true;
        }

        if (!_anyAssignment)
        {
            // Nothing in the method assigns anything: whether a path ends normally is the same
            // question for every member, answered for every block at once.
            var reachesExit = _reachesExit ??= ReachesExit();
            foreach (var (destination, _) in Successors(start))
            {
                if (reachesExit[destination.Ordinal])
                {
                    return false;
                }
            }

            return true;
        }

        return ClearedOnEveryPath(start, member);
    }

    private bool ClearedOnEveryPath(BasicBlock start, ISymbol member)
    {
        var visited = new HashSet<BasicBlock> { start };
        var work = new Stack<BasicBlock>();
        FollowUncleared(start, member, visited, work);
        while (work.Count > 0)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var block = work.Pop();
            if (block.Kind == BasicBlockKind.Exit)
            {
                return false;
            }

            if (_effects[block.Ordinal].AssignsAfter(-1, member))
            {
                continue;
            }

            FollowUncleared(block, member, visited, work);
        }

        return true;
    }

    /// <summary>Queues the successors of a block on paths that have not cleared.</summary>
    private void FollowUncleared(BasicBlock block, ISymbol member, HashSet<BasicBlock> visited, Stack<BasicBlock> work)
    {
        foreach (var (destination, branch) in Successors(block))
        {
            if ((branch is null || !FinallyAssigns(branch, member)) && visited.Add(destination))
            {
                work.Push(destination);
            }
        }
    }

    /// <summary>
    /// Where normal control goes from <paramref name="block"/>, with the branch taken (null after a
    /// finally, which goes on to wherever its try was left for). Exceptional exits are left out: the
    /// next Dispose is not the question there.
    /// </summary>
    private IEnumerable<(BasicBlock Destination, ControlFlowBranch? Branch)> Successors(BasicBlock block)
    {
        foreach (var branch in new[] { block.FallThroughSuccessor, block.ConditionalSuccessor })
        {
            if (branch is null || branch.Semantics is ControlFlowBranchSemantics.Throw or ControlFlowBranchSemantics.Rethrow or ControlFlowBranchSemantics.Error)
            {
                continue;
            }

            if (branch.Semantics == ControlFlowBranchSemantics.StructuredExceptionHandling)
            {
                foreach (var after in AfterFinally(block))
                {
                    yield return (after, null);
                }

                continue;
            }

            if (branch.Destination is { } destination)
            {
                yield return (destination, branch);
            }
        }
    }

    /// <summary>The blocks control goes to when the finally that ends with <paramref name="last"/> ends: found once per finally.</summary>
    private List<BasicBlock> AfterFinally(BasicBlock last)
    {
        var region = last.EnclosingRegion;
        while (region is not null && region.Kind != ControlFlowRegionKind.Finally)
        {
            region = region.EnclosingRegion;
        }

        if (region is null)
        {
            return new List<BasicBlock>();
        }

        if (!_afterFinally.TryGetValue(region, out var destinations))
        {
            destinations = new List<BasicBlock>();
            foreach (var block in _cfg.Blocks)
            {
                foreach (var branch in new[] { block.FallThroughSuccessor, block.ConditionalSuccessor })
                {
                    if (branch is not null && branch.FinallyRegions.Contains(region) && branch.Destination is { } destination && !destinations.Contains(destination))
                    {
                        destinations.Add(destination);
                    }
                }
            }

            _afterFinally.Add(region, destinations);
        }

        return destinations;
    }

    /// <summary>The blocks from which a normal path reaches the exit: one backward walk over <see cref="Successors"/>.</summary>
    private bool[] ReachesExit()
    {
        var predecessors = new List<int>?[_cfg.Blocks.Length];
        foreach (var block in _cfg.Blocks)
        {
            foreach (var (destination, _) in Successors(block))
            {
                (predecessors[destination.Ordinal] ??= new List<int>()).Add(block.Ordinal);
            }
        }

        var reaches = new bool[_cfg.Blocks.Length];
        var work = new Stack<int>();
        foreach (var block in _cfg.Blocks)
        {
            if (block.Kind == BasicBlockKind.Exit)
            {
                reaches[block.Ordinal] = true;
                work.Push(block.Ordinal);
            }
        }

        while (work.Count > 0)
        {
            foreach (var predecessor in predecessors[work.Pop()] ?? new List<int>())
            {
                if (!reaches[predecessor])
                {
                    reaches[predecessor] = true;
                    work.Push(predecessor);
                }
            }
        }

        return reaches;
    }

    private bool FinallyAssigns(ControlFlowBranch branch, ISymbol member)
    {
        foreach (var region in branch.FinallyRegions)
        {
            for (var i = region.FirstBlockOrdinal; i <= region.LastBlockOrdinal; i++)
            {
                if (_effects[i].AssignsAfter(-1, member))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>True when some condition of the method guards some member: only then do members' entries differ.</summary>
    private bool AnyGuard()
    {
        if (_anyGuard is { } known)
        {
            return known;
        }

        var assigned = _members.AssignedInDispose(_cancellationToken);
        var any = false;
        foreach (var reads in _conditions)
        {
            if (reads is null)
            {
                continue;
            }

            if (reads.CallsThis)
            {
                any = true;
                break;
            }

            foreach (var member in reads.Members)
            {
                if (assigned.Contains(member.Name) || (member is IPropertySymbol && assigned.Count > 0))
                {
                    any = true;
                }
            }
        }

        _anyGuard = any;
        return any;
    }

    /// <summary>
    /// A guard: the block's condition reads a member of <c>this</c> other than the released one that
    /// the type's Dispose methods assign (a computed property counts when they assign any member),
    /// or calls a method on <c>this</c>. Flow captures (<c>?.</c>, <c>??</c>) are followed to the values they hold.
    /// </summary>
    private bool IsGuard(BasicBlock block, ISymbol released)
    {
        if (_conditions[block.Ordinal] is not { } reads)
        {
            return false;
        }

        if (reads.CallsThis)
        {
            return true;
        }

        var assigned = _members.AssignedInDispose(_cancellationToken);
        foreach (var member in reads.Members)
        {
            if (SymbolEqualityComparer.Default.Equals(member, released))
            {
                continue;
            }

            if (assigned.Contains(member.Name) || (member is IPropertySymbol && assigned.Count > (assigned.Contains(released.Name) ? 1 : 0)))
            {
                return true;
            }
        }

        return false;
    }

    private GuardReads ReadCondition(IOperation condition)
    {
        var reads = new GuardReads();
        var seen = new HashSet<CaptureId>();
        var pending = new Stack<IOperation>();
        pending.Push(condition);
        while (pending.Count > 0)
        {
            foreach (var inner in MemberOperations.Descendants(pending.Pop()))
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
                        reads.CallsThis = true;
                        break;
                    case IMemberReferenceOperation when BlockEffects.ThisMemberAnyKind(inner) is { } member:
                        reads.Members.Add(member);
                        break;
                }
            }
        }

        return reads;
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

    /// <summary>What a condition reads: members of <c>this</c>, and whether it calls a method on <c>this</c>.</summary>
    private sealed class GuardReads
    {
        public bool CallsThis { get; set; }

        public List<ISymbol> Members { get; } = new();
    }

    /// <summary>
    /// Where in one block each member stops holding what it held: assigned (or <c>this</c> is),
    /// passed by <c>ref</c>/<c>out</c>, or a helper of the type is called on <c>this</c> that assigns
    /// a member of that name. The last such position of each, so "after index i" is one lookup.
    /// </summary>
    private sealed class BlockEffects
    {
        private readonly Dictionary<ISymbol, int> _members = new(SymbolEqualityComparer.Default);
        private readonly Dictionary<string, int> _names = new(System.StringComparer.Ordinal);
        private int _all = -1;

        public bool Any => _all >= 0 || _members.Count > 0 || _names.Count > 0;

        public bool AssignsAfter(int index, ISymbol member) =>
            _all > index ||
            (_members.TryGetValue(member, out var at) && at > index) ||
            (_names.TryGetValue(member.Name, out var named) && named > index);

        public void Read(IOperation operation, int index, TypeMembers members)
        {
            switch (operation)
            {
                case ISimpleAssignmentOperation { Target: IInstanceReferenceOperation }:
                    _all = index;
                    break;
                case ISimpleAssignmentOperation { Target: var target } when ThisMemberAnyKind(target) is { } member:
                    _members[member] = index;
                    break;
                case IDeconstructionAssignmentOperation { Target: ITupleOperation tuple }:
                    ReadTuple(tuple, index);
                    break;
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out, Value: var value } when ThisMemberAnyKind(value) is { } member:
                    _members[member] = index;
                    break;
                case IInvocationOperation { Instance: IInstanceReferenceOperation, TargetMethod: var callee }:
                    foreach (var name in members.CalleeAssigns(callee))
                    {
                        _names[name] = index;
                    }

                    break;
            }
        }

        private void ReadTuple(ITupleOperation tuple, int index)
        {
            foreach (var element in tuple.Elements)
            {
                if (ThisMemberAnyKind(element) is { } member)
                {
                    _members[member] = index;
                }
                else if (element is ITupleOperation nested)
                {
                    ReadTuple(nested, index);
                }
            }
        }

        public static ISymbol? ThisMemberAnyKind(IOperation operation) => operation is IMemberReferenceOperation
        {
            Member: IFieldSymbol or IPropertySymbol,
            Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance },
        } reference
            ? reference.Member.OriginalDefinition
            : null;
    }
}
