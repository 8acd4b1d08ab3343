using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>Summaries: the walker run over a callee, and what its exits say about a parameter's mapping or its result.</summary>
internal sealed partial class PairingWalker
{
    /// <summary>What <paramref name="method"/> does with a mapping passed as its parameter <paramref name="ordinal"/>.</summary>
    public static ParameterSummary SummariseParameter(ControlFlowGraph cfg, PairingContext context, IMethodSymbol method, SyntaxNode body, int ordinal, SummaryScope scope, CancellationToken cancellationToken)
    {
        if (ordinal < 0 || ordinal >= method.Parameters.Length || method.Parameters[ordinal].RefKind is not (RefKind.None or RefKind.In))
        {
            return ParameterSummary.Adopted;
        }

        var parameter = method.Parameters[ordinal];
        var walker = new PairingWalker(cfg, context, method, body, scope, summarising: true, cancellationToken);
        var declaration = parameter.DeclaringSyntaxReferences.Length > 0 ? parameter.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) : body;
        var site = MapSite.ForParameter(walker._sites.Count, parameter, declaration);
        walker._sites.Add(site);
        var state = PairingState.Empty;
        state.Storage[KeyBuilder.ParameterKey(parameter)] = AbstractValue.MappedBy(site.Id);
        state.Mappings[site.Id] = new MappingFacts(MappingFlags.Live);
        try
        {
            walker.RunFrom(0, state, scope: null);
        }
        catch (BudgetExceededException)
        {
            return ParameterSummary.Adopted;
        }

        var result = walker.ParameterResult(site.Id);
        return walker.BorrowedAtThrow(site.Id) is { } at ? result with { BorrowedAtThrow = at } : result;
    }

    /// <summary>
    /// An explicit throw of the body (outside any try) on whose every path the parameter's
    /// <paramref name="mapping"/> is still only lent: tracked, live and not released, not stored,
    /// not held by a member. A join that lost one of these facts makes the throw no such one.
    /// </summary>
    private Location? BorrowedAtThrow(int mapping)
    {
        var lent = new Dictionary<BasicBlock, bool>();
        foreach (var (from, state) in _summaryThrows)
        {
            var facts = state.Facts(mapping);
            var only = facts.IsTracked && !facts.Stored && !HeldByMember(state, mapping) &&
                (facts.Flags & (MappingFlags.Live | MappingFlags.Released)) == MappingFlags.Live;
            lent[from] = (!lent.TryGetValue(from, out var before) || before) && only;
        }

        // The first in block order, as the throw summary names its step.
        BasicBlock? first = null;
        foreach (var pair in lent)
        {
            if (pair.Value && (first is null || pair.Key.Ordinal < first.Ordinal))
            {
                first = pair.Key;
            }
        }

        return first is null ? null : ThrowWalk.ThrowSyntax(first).GetLocation();
    }

    /// <summary>Whether <paramref name="block"/> is in no try, catch, filter or finally region of its body.</summary>
    private static bool OutsideAnyTry(BasicBlock block)
    {
        for (var region = block.EnclosingRegion; region is not null; region = region.EnclosingRegion)
        {
            if (region.Kind is not (ControlFlowRegionKind.Root or ControlFlowRegionKind.LocalLifetime or ControlFlowRegionKind.StaticLocalInitializer))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The acquire <paramref name="method"/> is, when every return hands out a fresh mapping it made (or zero).</summary>
    public static AcquireSummary? SummariseAcquire(ControlFlowGraph cfg, PairingContext context, IMethodSymbol method, SyntaxNode body, int? outOrdinal, SummaryScope scope, CancellationToken cancellationToken)
    {
        var walker = new PairingWalker(cfg, context, method, body, scope, summarising: true, cancellationToken);
        try
        {
            walker.RunFrom(0, PairingState.Empty, scope: null);
        }
        catch (BudgetExceededException)
        {
            return null;
        }

        return outOrdinal is { } ordinal ? walker.OutAcquireResult(ordinal) : walker.AcquireResult();
    }

    private ParameterSummary ParameterResult(int mapping)
    {
        bool anyLive = false, anyReleased = false, mixed = false;
        bool? liveReturns = null, releasedReturns = null;
        var correlated = true;
        var returnedOn = 0;
        var shape = ReturnShape.None;
        foreach (var exit in _exits)
        {
            var facts = exit.State.Facts(mapping);
            if (!facts.IsTracked || facts.Stored || HeldByMember(exit.State, mapping))
            {
                return ParameterSummary.Adopted;
            }

            if (exit.Returned is { Value: var returned } && returned.ReachesMapping && returned.Mapping == mapping)
            {
                var thisShape = returned.Kind == ValueKind.Mapped ? ReturnShape.Itself : ReturnShape.Offset;
                if (returnedOn > 0 && thisShape != shape)
                {
                    return ParameterSummary.Adopted;
                }

                shape = thisShape;
                returnedOn++;
            }

            var flags = facts.Flags & (MappingFlags.Live | MappingFlags.Released);
            var returnsBool = exit.Returned?.Operation.ConstantValue.Value as bool?;
            switch (flags)
            {
                case MappingFlags.Live:
                    anyLive = true;
                    correlated &= Agree(ref liveReturns, returnsBool);
                    break;
                case MappingFlags.Released:
                    anyReleased = true;
                    correlated &= Agree(ref releasedReturns, returnsBool);
                    break;
                case MappingFlags.Live | MappingFlags.Released:
                    mixed = true;
                    break;
            }
        }

        if (returnedOn > 0 && returnedOn < _exits.Count)
        {
            // Handed back on some paths only: the caller cannot tell which value owns it.
            return ParameterSummary.Adopted;
        }

        if (mixed || (anyLive && anyReleased))
        {
            if (!mixed && correlated && liveReturns is { } live && releasedReturns is { } released && live != released && _parameterRelease is { } when)
            {
                return new ParameterSummary(CallEffect.ReleasesWhen, when.Spec, released, when.Step);
            }

            return new ParameterSummary(CallEffect.MayRelease);
        }

        if (anyReleased && _parameterRelease is { } release)
        {
            return new ParameterSummary(CallEffect.Releases, release.Spec, Step: release.Step);
        }

        return shape == ReturnShape.None ? ParameterSummary.Borrowed : new ParameterSummary(CallEffect.Borrows, Returns: shape);
    }

    private static bool Agree(ref bool? seen, bool? value)
    {
        if (value is null)
        {
            return false;
        }

        if (seen is null)
        {
            seen = value;
            return true;
        }

        return seen == value;
    }

    private AcquireSummary? AcquireResult()
    {
        MapSite? made = null;
        var maybeZero = false;
        foreach (var exit in _exits)
        {
            if (exit.Returned is not { } returned)
            {
                return null;
            }

            if (returned.Value.Kind == ValueKind.Zero)
            {
                maybeZero = true;
                continue;
            }

            if (returned.Value.Kind != ValueKind.Mapped || _sites[returned.Value.Mapping] is not { Call: not null } site)
            {
                return null;
            }

            var facts = returned.Facts;
            // A copy kept in a field (or anywhere that outlives the call) is not handed over: the
            // caller then shares it, and is not its only owner.
            if (!facts.IsTracked || facts.Stored || HeldByMember(exit.State, returned.Value.Mapping) ||
                (facts.Flags & MappingFlags.Released) != 0 || (facts.Flags & MappingFlags.Live) == 0 ||
                (made is not null && Bare(made.Spec) != Bare(site.Spec)))
            {
                return null;
            }

            maybeZero |= returned.Value.MaybeZero || (facts.Flags & MappingFlags.Absent) != 0;
            made ??= site;
        }

        if (made is null)
        {
            return null;
        }

        return Inferred(made, null, maybeZero);
    }

    /// <summary>
    /// The acquire <see cref="_method"/> is through its out parameter <paramref name="ordinal"/>:
    /// every exit leaves a fresh live mapping there, or (for a bool method) exactly the exits that
    /// return true do, the others leaving zero.
    /// </summary>
    private AcquireSummary? OutAcquireResult(int ordinal)
    {
        if (ordinal < 0 || ordinal >= _method.Parameters.Length || _method.Parameters[ordinal].RefKind != RefKind.Out)
        {
            return null;
        }

        var key = KeyBuilder.ParameterKey(_method.Parameters[ordinal]);
        var returnsBool = _method.ReturnType.SpecialType == SpecialType.System_Boolean;
        MapSite? made = null;
        var maybeZero = false;
        foreach (var exit in _exits)
        {
            var held = exit.State.Get(key);
            var returned = exit.Returned?.Value;
            var returnsTrue = exit.Returned?.Operation.ConstantValue.Value is true;
            if (held.Kind == ValueKind.Zero)
            {
                if (returnsBool && exit.Returned?.Operation.ConstantValue.Value is not false)
                {
                    return null;
                }

                maybeZero = true;
                continue;
            }

            if (held.Kind != ValueKind.Mapped || _sites[held.Mapping] is not { Call: not null } site)
            {
                return null;
            }

            var facts = exit.State.Facts(held.Mapping);
            if (!facts.IsTracked || HeldByMember(exit.State, held.Mapping, except: key) ||
                (facts.Flags & MappingFlags.Released) != 0 || (facts.Flags & MappingFlags.Live) == 0 ||
                (made is not null && Bare(made.Spec) != Bare(site.Spec)))
            {
                return null;
            }

            var mayBeAbsent = held.MaybeZero || (facts.Flags & MappingFlags.Absent) != 0;
            if (returnsBool)
            {
                // Either "return true" with a certain mapping, or "return TryMap(..., out p)" passed on.
                var passesTry = returned is { Kind: ValueKind.TryResult, MaybeZero: false } && returned.Mapping == held.Mapping;
                if (!(returnsTrue && !mayBeAbsent) && !passesTry)
                {
                    return null;
                }
            }

            maybeZero |= mayBeAbsent;
            made ??= site;
        }

        return made is null || (maybeZero && !returnsBool) ? null : Inferred(made, ordinal, returnsBool);
    }

    private AcquireSummary Inferred(MapSite made, int? outOrdinal, bool isTry)
    {
        int? count = null;
        if (made.Spec.CountOrdinal is { } countOrdinal && ArgumentFor(made.Call!, countOrdinal) is { } countArgument && ParameterOf(countArgument) is { } countParameter)
        {
            count = countParameter;
        }

        var spec = new MapSpec(Bare(made.Spec), outOrdinal, count, isTry, made.Spec.ReportsLoss, Verb: made.Spec.Verb);
        return new AcquireSummary(spec, made.Via ?? new PathStep(made.MethodName, made.Syntax.GetLocation()));
    }

    /// <summary>The declared family, without the receiver that qualifies it at the call (a pool named in the callee means nothing to its caller).</summary>
    private static string Bare(MapSpec spec) => spec.Family;

    /// <summary>The ordinal of the summarised method's parameter that <paramref name="argument"/> reads directly, if any.</summary>
    private int? ParameterOf(IOperation argument)
    {
        while (argument is IConversionOperation conversion)
        {
            argument = conversion.Operand;
        }

        return argument is IParameterReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Parameter.ContainingSymbol, _method)
            ? reference.Parameter.Ordinal
            : null;
    }
}
