using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>The member (XFS) re-pointing checks.</summary>
internal sealed partial class PairingWalker
{
    /// <summary>
    /// The XFS shape: a member that holds mappings somewhere in the compilation, and is unmapped
    /// somewhere, is pointed at other memory while the unmap path's guard may still hold.
    /// </summary>
    private void CheckRepoint(IMemberReferenceOperation target, StorageKey key, AbstractValue value, IOperation? valueOperation, SyntaxNode at, PairingState state)
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
        if (!index.HoldsMappings(member) || index.MapsIn(member, _method) || index.WrittenToMemory(member) || ReadsMappingMember(valueOperation, index))
        {
            return;
        }

        var receiver = key.Receiver;
        if (receiver.IsCapture)
        {
            // An object initializer: the object is new, nothing it holds was mapped yet.
            return;
        }

        var receiverType = target.Instance?.Type;
        foreach (var site in index.UnmapSites(member))
        {
            if (site.ContradictedBy(receiver, state.Conditions) || !MemberIndex.MayShareInstances(receiverType, site.ReceiverType))
            {
                continue;
            }

            Report(new PairingFinding(FindingKind.MemberRepointed, at, site.Argument, key.Display)
            {
                Became = Source(valueOperation, value),
                MemberName = member.Name,
                FlagName = site.FlagName,
                ReleaserName = site.MethodName,
                Words = site.Words,
            });

            // The XFS leak: whatever the member held is never unmapped once it names other memory,
            // unless this path unmapped it first (and only forgot to clear the flag: VMAP001 alone).
            if (index.MapSites(member).FirstOrDefault(m => MemberIndex.MayShareInstances(receiverType, m.ReceiverType)) is { } map &&
                !state.Conditions.ContainsKey(ConditionKey.UnmappedOf(key)))
            {
                Report(new PairingFinding(FindingKind.MemberMappingLost, at, map.Call, key.Display)
                {
                    MemberName = member.Name,
                    MemberMap = map,
                    Words = map.Words,
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
            state.Conditions[ConditionKey.UnmappedOf(key)] = true;
        }
    }

    private bool ReadsMappingMember(IOperation operation, MemberIndex index)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation is IMemberReferenceOperation member && index.HoldsMappings(member.Member.OriginalDefinition);
    }
}
