using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// The operating system's map/unmap calls (<see cref="OsPairs"/>): what one call does depends on its
/// arguments (a <c>VirtualFree</c> that only decommits, a <c>VirtualAlloc</c> that commits inside a
/// region already reserved), a <c>SafeBuffer</c>'s pointer is held by its receiver, and the failure
/// value an acquire returns is tested (VMAP010 when against the wrong one).
/// </summary>
internal sealed partial class PairingWalker
{
    private static readonly MethodAnnotation NeitherMapsNorUnmaps = new(ImmutableArray<MapSpec>.Empty, ImmutableArray<UnmapSpec>.Empty);

    /// <summary>Mappings whose failure is tested against the right value somewhere in the method.</summary>
    private readonly HashSet<int> _rightFailureTests = new();

    /// <summary>Tests of a mapping's failure against the wrong value (VMAP010 unless the right test is made too), by the wrong operand.</summary>
    private readonly Dictionary<SyntaxNode, (int Mapping, IOperation Tested, bool AgainstZero)> _wrongFailureTests = new();

    /// <summary>
    /// The annotation that applies to this call of an OS pair method: a <c>VirtualFree</c> whose type
    /// is not <c>MEM_RELEASE</c> releases nothing (an unknown type: nothing is claimed any more about
    /// the block), one that releases with a size other than 0 fails (VMAP005); a <c>VirtualAlloc</c>
    /// at an address inside a tracked region, or that only commits at an address it was given, makes
    /// no new region.
    /// </summary>
    private MethodAnnotation? ForCall(IInvocationOperation call, MethodAnnotation? annotation, AbstractValue[] values, PairingState state)
    {
        if (annotation is null)
        {
            return null;
        }

        var method = call.TargetMethod;
        if (annotation.Unmaps.Length == 1 && OsPairs.FreeParameters(method, annotation.Unmaps[0].Family) is var (size, type))
        {
            var address = ValueAt(call, values, annotation.Unmaps[0].Ordinal);
            if (ArgumentFor(call, type) is not { ConstantValue: { HasValue: true, Value: var typeValue } } || !TryLong(typeValue, out var freeType))
            {
                if (address.ReachesMapping)
                {
                    state.Escape(address.Mapping);
                }

                return NeitherMapsNorUnmaps;
            }

            if ((freeType & OsPairs.MemRelease) == 0 || (freeType & OsPairs.PlaceholderFlags) != 0)
            {
                // MEM_DECOMMIT keeps the reservation, a placeholder split or merge keeps the
                // region: it is still to be released.
                return NeitherMapsNorUnmaps;
            }

            CheckReleaseSize(call, address, size, annotation.Unmaps[0].Ordinal, state);
            return annotation;
        }

        if (annotation.Maps.Length == 1 && OsPairs.AllocParameters(method, annotation.Maps[0].Family) is var (at, allocType, bit, bitMeansNew))
        {
            var address = ValueAt(call, values, at);
            if (address.ReachesMapping)
            {
                // A commit of pages of a region this method reserved (a MAP_FIXED map over part of
                // a mapping it made): the same region. A view placed in a placeholder replaces that
                // part of it: the region is now released view by view, which is not followed.
                if (annotation.Maps[0].Family == OsPairs.MapView)
                {
                    state.Escape(address.Mapping);
                }

                return NeitherMapsNorUnmaps;
            }

            // VirtualAlloc: MEM_RESERVE makes a region. mmap: without MAP_FIXED the kernel picks
            // the address (a hint at most), so the mapping is new.
            bool? makesRegion = ArgumentFor(call, allocType) is { ConstantValue: { HasValue: true, Value: var v } } && TryLong(v, out var t)
                ? ((t & bit) != 0) == bitMeansNew
                : null;
            if (address.Kind != ValueKind.Zero && !(ArgumentFor(call, at) is { } a && IsZero(a)) && makesRegion != true)
            {
                // A commit, or a fixed map, at an address the method was given: a region made elsewhere.
                return NeitherMapsNorUnmaps;
            }
        }

        return annotation;
    }

    /// <summary>
    /// <c>AcquirePointer(ref p)</c>: the receiver (the view's handle) now holds a reference that
    /// <c>ReleasePointer()</c> on it must give back. A receiver that names no storage is not followed.
    /// </summary>
    private bool AcquireOnReceiver(IInvocationOperation call, MapSpec spec, PairingState state)
    {
        var instance = call.Instance;
        while (instance is IConversionOperation conversion)
        {
            instance = conversion.Operand;
        }

        if (instance is null || _keys.Storage(instance) is null)
        {
            return false;
        }

        var site = Site(call, spec, state);
        Assign(instance, NewMapping(site, state), null, call.Syntax, state);
        return true;
    }

    /// <summary>True when the mapping is a reference held on its receiver: the receiver stays an ordinary object after the release.</summary>
    private bool IsHeldOnReceiver(int mapping) => mapping >= 0 && mapping < _sites.Count && _sites[mapping].Spec.OutOrdinal == UnmapSpec.Receiver;

    /// <summary>VMAP005: a <c>MEM_RELEASE</c> free must pass size 0; any other size makes the call fail and leak the whole region.</summary>
    private void CheckReleaseSize(IInvocationOperation call, AbstractValue address, int sizeOrdinal, int addressOrdinal, PairingState state)
    {
        if (address.Kind != ValueKind.Mapped || ArgumentFor(call, sizeOrdinal) is not { } sizeArgument || Count(sizeArgument, state) is not { } size)
        {
            return;
        }

        var facts = state.Facts(address.Mapping);
        if (!facts.MayBeLive)
        {
            return;
        }

        var site = _sites[address.Mapping];
        var regionSize = size.Resolved is null && site.Count is { } mapped && size.Base is not null && !CountValue.Differ(mapped, size);
        if ((size.Resolved is { } n && n != 0) || regionSize)
        {
            var argument = ArgumentFor(call, addressOrdinal)!;
            Report(new PairingFinding(FindingKind.CountMismatch, sizeArgument.Syntax, (site.CountSyntax ?? site.Syntax).GetLocation(), Describe(argument.Syntax))
            {
                Site = site,
                CountText = sizeArgument.Syntax.ToString(),
                MappedCountText = "0",
                ReleaserName = call.TargetMethod.Name,
                SizeMustBeZero = true,
            });
        }
    }

    /// <summary>
    /// A comparison of a mapping with a failure value: zero/null, or all bits set (MAP_FAILED,
    /// INVALID_HANDLE_VALUE). Returns the tested operand and whether it was compared with zero.
    /// </summary>
    private static (IOperation Tested, IOperation Against, bool AgainstZero)? FailureComparison(IBinaryOperation comparison)
    {
        if (IsZero(comparison.RightOperand))
        {
            return (comparison.LeftOperand, comparison.RightOperand, true);
        }

        if (IsZero(comparison.LeftOperand))
        {
            return (comparison.RightOperand, comparison.LeftOperand, true);
        }

        if (IsAllBitsSet(comparison.RightOperand))
        {
            return (comparison.LeftOperand, comparison.RightOperand, false);
        }

        return IsAllBitsSet(comparison.LeftOperand) ? (comparison.RightOperand, comparison.LeftOperand, false) : null;
    }

    /// <summary>The storage a failure test reads, through casts, <c>ToInt64()</c> and an assignment made in the test (<c>(p = mmap(...)) == MAP_FAILED</c>).</summary>
    private StorageKey? TestedStorage(IOperation tested)
    {
        while (true)
        {
            switch (tested)
            {
                case IConversionOperation conversion:
                    tested = conversion.Operand;
                    continue;
                case IInvocationOperation { Instance: { } instance, Arguments.Length: 0, TargetMethod.Name: "ToInt64" or "ToInt32" or "ToUInt64" or "ToPointer" }
                    when instance.Type?.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr:
                    tested = instance;
                    continue;
                case ISimpleAssignmentOperation assignment:
                    tested = assignment.Target;
                    continue;
            }

            return _keys.Storage(tested);
        }
    }

    /// <summary>
    /// Whether a comparison with <paramref name="againstZero"/>'s value tests the failure of
    /// <paramref name="held"/>: a zero test always does (the engine's "no mapping"); an all-bits-set
    /// test does for an OS family. Notes VMAP010's wrong tests on the way.
    /// </summary>
    private bool IsFailureTest(AbstractValue held, IOperation tested, IOperation against, bool againstZero)
    {
        var site = _sites[held.Mapping];
        var failure = OsPairs.FailureOf(site.Spec.Family);
        if (!_summarising && failure != OsPairs.Failure.None && site.Via is null && site.Call is { } call && OsPairs.Resolve(call.TargetMethod) is not null)
        {
            if ((failure == OsPairs.Failure.Null) == againstZero)
            {
                _rightFailureTests.Add(held.Mapping);
            }
            else if (!held.MaybeZero && !_wrongFailureTests.ContainsKey(against.Syntax))
            {
                _wrongFailureTests.Add(against.Syntax, (held.Mapping, tested, againstZero));
            }
        }

        return againstZero || failure != OsPairs.Failure.None;
    }

    /// <summary>VMAP010: the wrong failure tests of mappings whose failure is not tested against the right value anywhere in the method.</summary>
    private IEnumerable<PairingFinding> WrongFailureTests()
    {
        foreach (var pair in _wrongFailureTests)
        {
            var (mapping, tested, againstZero) = pair.Value;
            if (_rightFailureTests.Contains(mapping))
            {
                continue;
            }

            var site = _sites[mapping];
            yield return new PairingFinding(FindingKind.WrongFailureValue, pair.Key, site.Syntax.GetLocation(), Describe(tested.Syntax))
            {
                Site = site,
                FailureIsNull = !againstZero,
                TestedType = TestedType(tested),
            };
        }
    }

    /// <summary>The type of the tested value before any cast, so a fix can write the right value in it.</summary>
    private static ITypeSymbol? TestedType(IOperation tested)
    {
        while (tested is IConversionOperation { IsImplicit: true } conversion)
        {
            tested = conversion.Operand;
        }

        return tested.Type;
    }

    /// <summary><c>-1</c>, <c>new IntPtr(-1)</c>, <c>(void*)-1</c>, <c>ulong.MaxValue</c>, or a member named <c>MAP_FAILED</c>/<c>INVALID_HANDLE_VALUE</c>.</summary>
    private static bool IsAllBitsSet(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            if (conversion.ConstantValue.HasValue && IsAllBitsSetConstant(conversion.ConstantValue.Value))
            {
                return true;
            }

            operation = conversion.Operand;
        }

        if (operation.ConstantValue.HasValue)
        {
            return IsAllBitsSetConstant(operation.ConstantValue.Value);
        }

        if (operation is IObjectCreationOperation { Arguments.Length: 1 } creation &&
            creation.Type?.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr)
        {
            return IsAllBitsSet(creation.Arguments[0].Value);
        }

        return operation is IMemberReferenceOperation { Member.Name: "MAP_FAILED" or "INVALID_HANDLE_VALUE" or "MapFailed" or "InvalidHandleValue" };
    }

    private static bool IsAllBitsSetConstant(object? value) => value switch
    {
        int i => i == -1,
        long l => l == -1,
        uint u => u == uint.MaxValue,
        ulong u => u == ulong.MaxValue,
        _ => false,
    };

    private static AbstractValue ValueAt(IInvocationOperation call, AbstractValue[] values, int ordinal)
    {
        for (var i = 0; i < call.Arguments.Length && i < values.Length; i++)
        {
            if ((call.Arguments[i].Parameter?.Ordinal ?? i) == ordinal)
            {
                return values[i];
            }
        }

        return AbstractValue.Unknown;
    }

    private static bool TryLong(object? value, out long result)
    {
        switch (value)
        {
            case int i:
                result = i;
                return true;
            case uint u:
                result = u;
                return true;
            case long l:
                result = l;
                return true;
            case ulong ul:
                result = unchecked((long)ul);
                return true;
            default:
                result = 0;
                return false;
        }
    }
}
