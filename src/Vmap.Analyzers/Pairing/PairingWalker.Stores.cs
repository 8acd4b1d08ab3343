using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>Stores: what writing a value into a storage loses or re-points.</summary>
internal sealed partial class PairingWalker
{
    /// <summary>
    /// Stores <paramref name="value"/> into the storage <paramref name="target"/> names, reporting
    /// a live mapping it overwrites and a mapping-holding member it re-points.
    /// </summary>
    private void Assign(IOperation target, AbstractValue value, IOperation? valueOperation, SyntaxNode at, PairingState state)
    {
        // The target was evaluated where the compiler captured it (see Written).
        var evaluated = false;
        if (target is IFlowCaptureReferenceOperation)
        {
            if (Written(target) is not { } written)
            {
                // A capture we cannot follow back to one storage ((c ? ref a : ref b) = p): the
                // mapping went somewhere we do not track, so no claim is made on it.
                MarkStored(value, state);
                return;
            }

            target = written;
            evaluated = true;
        }

        if (_keys.Storage(target) is not { } key)
        {
            // An array element, a member of an object we do not follow: the mapping is stored,
            // unless the array is a local that never leaves the method (it dies with the method).
            if (!evaluated)
            {
                Eval(target, state);
            }

            if (ContainerOf(target) is { } container)
            {
                HoldIn(value, container, state);
                return;
            }

            MarkStored(value, state);
            return;
        }

        var justMapped = _justMapped;
        _justMapped = null;
        var old = state.Get(key);
        if (old.ReachesMapping && IsBlockReference(target) &&
            !(target.Parent is ISimpleAssignmentOperation { IsRef: true } rebinding && rebinding.Target == target))
        {
            // first = 1 through ref byte first = ref Unsafe.AsRef<byte>(p): a write into the block,
            // not a new value of the reference, which still names the block.
            CheckUse(old, target.Syntax, UseKind.Dereferenced, null, state);
            return;
        }

        bool? heldElsewhereBefore;
        if (old.Kind == ValueKind.Unknown && justMapped is { Holders: { } holders } jm0 && value.Kind == ValueKind.Mapped &&
            value.Mapping == jm0.Mapping && holders.Contains(key))
        {
            // This storage held the previous iteration's mapping of the same call (see NewMapping).
            old = AbstractValue.MappedBy(jm0.Mapping);
            heldElsewhereBefore = holders.Exists(h => h != key && !h.IsCapture);
        }
        else
        {
            heldElsewhereBefore = null;
        }

        if (old.Kind == ValueKind.Unknown && value.Kind == ValueKind.Mapped && key.IsMember &&
            !key.IsCapture && _sites[value.Mapping].Spec.PerReceiver && !_repointed.ContainsKey((key, value.Mapping)))
        {
            // A pooled member re-pointed at a new rental without a look at what it held (see CheckRepointedReturn).
            _repointed.Add((key, value.Mapping), at);
        }
        var newValue = value;
        if (old.Kind == ValueKind.Mapped && value.Kind == ValueKind.Offset && value.Mapping == old.Mapping)
        {
            // p += 4096: the storage now holds an offset of the same mapping, through which it is
            // still reached. Nothing is lost yet: releasing the offset is VMAP001 at the release,
            // and a mapping still live when the offset goes out of scope is lost there. The offset
            // is remembered at this assignment (q = q + 128), which is what a reader would undo.
            newValue = value with { Origin = at };
        }
        else if (old.Kind == ValueKind.Mapped)
        {
            var sameCall = value.Kind == ValueKind.Mapped && value.Mapping == old.Mapping;
            var facts = sameCall
                ? (justMapped is { } jm && jm.Mapping == old.Mapping ? jm.Previous : null)
                : state.Facts(old.Mapping);
            if (facts is { MayBeLive: true } && !(heldElsewhereBefore ?? state.IsHeldElsewhere(old.Mapping, key)) && !facts.Stored &&
                target is ILocalReferenceOperation { IsDeclaration: true, Local: var local })
            {
                // A loop body's local declared again: the previous iteration's variable went out of
                // scope holding the mapping; nothing was overwritten.
                var site = _sites[old.Mapping];
                if (site.Spec.ReportsLoss)
                {
                    Report(new PairingFinding(FindingKind.MappingOutOfScope, site.Syntax, ScopeEnd(local), key.Display)
                    {
                        Site = site,
                    });
                }

                state.Escape(old.Mapping);
            }
            else if (facts is { MayBeLive: true } && !(heldElsewhereBefore ?? state.IsHeldElsewhere(old.Mapping, key)) && !facts.Stored)
            {
                if (_sites[old.Mapping].Spec.ReportsLoss)
                {
                    Report(new PairingFinding(FindingKind.MappingOverwritten, at, _sites[old.Mapping].Syntax.GetLocation(), key.Display)
                    {
                        Site = _sites[old.Mapping],
                    });
                }

                if (!sameCall)
                {
                    state.Escape(old.Mapping);
                    if (value.Kind is not (ValueKind.Mapped or ValueKind.Zero or ValueKind.TryResult))
                    {
                        newValue = new AbstractValue(ValueKind.Reassigned, old.Mapping, Origin: at, Source: Source(valueOperation, value));
                    }
                }
            }
        }
        else if (key.IsMember && target is IMemberReferenceOperation member)
        {
            CheckRepoint(member, key, value, valueOperation, at, state);
        }

        if (state.HasOtherStorageWithin(key))
        {
            foreach (var within in state.StoragesWithin(key))
            {
                if (within != key && state.Get(within) is { ReachesMapping: true } reached)
                {
                    state.Escape(reached.Mapping);
                }
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
            state.Conditions[ConditionKey.Of(key)] = flag;
        }

        NoteFlagBits(key, valueOperation, state);

        if (value.ReachesMapping && target is IParameterReferenceOperation { Parameter.RefKind: not RefKind.None } &&
            state.Mappings.TryGetValue(value.Mapping, out var facts2))
        {
            state.Mappings[value.Mapping] = facts2.Store();
        }
    }

    private static void MarkStored(AbstractValue value, PairingState state)
    {
        if (value.ReachesMapping && state.Mappings.TryGetValue(value.Mapping, out var stored))
        {
            state.Mappings[value.Mapping] = stored.Store();
        }
    }

    /// <summary>
    /// The storage a write through a flow capture reaches. When the value stored is computed with
    /// branches (<c>_f = c ? a : b</c>, <c>_f = p ?? q</c>, a switch expression), the compiler
    /// captures the target <c>_f</c> before the branches and assigns through the capture: the write
    /// is a write of <c>_f</c> itself, exactly as without the branches. Null when the capture
    /// cannot be followed back to one captured operation.
    /// </summary>
    private IOperation? Written(IOperation target)
    {
        for (var depth = 0; target is IFlowCaptureReferenceOperation reference; depth++)
        {
            if (depth > 16 || !_captured.TryGetValue(reference.Id, out var captured) || captured is null)
            {
                return null;
            }

            target = captured;
        }

        return target;
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
    /// <c>bp.Flags &amp;= ~BufFlags.Mapped</c> (or <c>bp.Flags = any &amp; ~Mapped</c>): the bits
    /// the constant clears now test zero, <c>(bp.Flags &amp; Mapped) == 0</c>, and the bits <c>|=</c>
    /// sets test non-zero, in the very key a guard that tests them has (see KeyBuilder.Condition).
    /// </summary>
    private static void NoteFlagBits(StorageKey key, IOperation? valueOperation, PairingState state)
    {
        var (kind, constant) = valueOperation switch
        {
            ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.And or BinaryOperatorKind.Or } compound => (compound.OperatorKind, compound.Value.ConstantValue),
            IBinaryOperation { OperatorKind: BinaryOperatorKind.And or BinaryOperatorKind.Or } binary => (binary.OperatorKind, binary.RightOperand.ConstantValue),
            _ => (BinaryOperatorKind.None, default),
        };
        if (kind == BinaryOperatorKind.None || !constant.HasValue || Bits(constant.Value, kind == BinaryOperatorKind.And) is not { } mask || mask == 0)
        {
            return;
        }

        var cleared = kind == BinaryOperatorKind.And;
        var bits = 0;
        for (var bit = 1UL; bit != 0 && bits <= 16; bit <<= 1)
        {
            if ((mask & bit) != 0)
            {
                bits++;
                state.Conditions[BitTest(key, bit)] = cleared;
            }
        }

        if (bits > 1 && cleared)
        {
            // (Flags & (A | B)) == 0 holds once both are cleared; once set, only each bit's own test is known.
            state.Conditions[BitTest(key, mask)] = true;
        }
    }

    private static ConditionKey BitTest(StorageKey key, ulong mask) =>
        ConditionKey.BinaryOf(
            ConditionKey.BinaryOf(ConditionKey.Of(key), BinaryOperatorKind.And, ConditionKey.OfConstant(mask.ToString(CultureInfo.InvariantCulture))),
            BinaryOperatorKind.Equals,
            ConditionKey.OfConstant("0"));

    /// <summary>
    /// The bits a constant operand of <c>&amp;=</c> clears (its complement, in the operand's own
    /// width) or of <c>|=</c> sets; null for a negative mask or a type that is not an integer. A
    /// mask with the top bit set would render unlike a guard's constant: it is left out.
    /// </summary>
    private static ulong? Bits(object? value, bool complement)
    {
        ulong? bits = value switch
        {
            int i => complement ? unchecked((uint)~i) : i >= 0 ? (ulong)i : null,
            uint u => complement ? ~u : u,
            long l => complement ? unchecked((ulong)~l) : l >= 0 ? (ulong)l : null,
            ulong u => complement ? ~u : u,
            short s => complement ? (ushort)~s : s >= 0 ? (ulong)s : null,
            ushort u => complement ? (ushort)~u : u,
            byte b => complement ? (byte)~b : b,
            sbyte b => complement ? (byte)~b : b >= 0 ? (ulong)b : null,
            _ => null,
        };
        return bits is { } mask && mask <= long.MaxValue ? mask : null;
    }
}
