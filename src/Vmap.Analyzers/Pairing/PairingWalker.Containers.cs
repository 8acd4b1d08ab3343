using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>What a local container is, as messages name it.</summary>
internal enum ContainerKind
{
    /// <summary>A <c>List&lt;T&gt;</c>.</summary>
    List,

    /// <summary>An array (of addresses, or of structs whose fields hold them).</summary>
    Array,
}

/// <summary>A local list or array that never leaves its method (see <see cref="PairingWalker"/>'s ConfinedContainer).</summary>
/// <remarks><see cref="LentTo"/>: the P/Invokes its blocks (or the whole array) are lent to, each of which must keep nothing of the block's family.</remarks>
internal sealed record LocalContainer(string Name, ContainerKind Kind, ILocalSymbol Local, HashSet<IMethodSymbol> LentTo);

/// <summary>
/// Local containers: a block stored into a list or array that is a local of the method and never
/// leaves it is held only by that container, and dies with it. Stores into any other container
/// (a field's, a parameter's, one passed to code that may keep it) remain stores: no claim.
/// </summary>
internal sealed partial class PairingWalker
{
    /// <summary>Per local of the method: the container it is when it never leaves the method, null otherwise.</summary>
    private Dictionary<ILocalSymbol, LocalContainer?>? _containers;

    /// <summary>
    /// The confined local container a store into <paramref name="target"/> (<c>a[i]</c>,
    /// <c>a[i].Field</c>, <c>list[i]</c>) or an <c>Add</c> on it puts a block into; null otherwise.
    /// </summary>
    private LocalContainer? ContainerOf(IOperation target)
    {
        var node = target;
        while (true)
        {
            switch (node)
            {
                case IConversionOperation conversion:
                    node = conversion.Operand;
                    continue;
                case IFieldReferenceOperation { Instance: { } instance, Field.IsStatic: false } when instance.Type?.IsValueType == true:
                    node = instance;
                    continue;
                case IArrayElementReferenceOperation element:
                    node = element.ArrayReference;
                    continue;
                case IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } list }:
                    node = list;
                    continue;
            }

            break;
        }

        return node is ILocalReferenceOperation { Local: var local } ? ConfinedContainer(local) : null;
    }

    /// <summary>A block given to <c>list.Add</c> of a confined local list: held by the list.</summary>
    private LocalContainer? ListAddContainer(IInvocationOperation call) =>
        call.TargetMethod is { Name: "Add", IsStatic: false } method && IsGenericList(method.ContainingType) &&
        call.Instance is ILocalReferenceOperation { Local: var local } ? ConfinedContainer(local) : null;

    /// <summary>Records that the mapping is held only by <paramref name="container"/> (unless something that outlives the method holds it already).</summary>
    private static void HoldIn(AbstractValue value, LocalContainer container, PairingState state)
    {
        if (value.ReachesMapping && state.Mappings.TryGetValue(value.Mapping, out var facts) && !(facts.Stored && facts.HeldIn is null))
        {
            state.Mappings[value.Mapping] = facts with { Stored = true, HeldIn = container };
        }
    }

    private LocalContainer? ConfinedContainer(ILocalSymbol local)
    {
        _containers ??= FindContainers();
        return _containers.TryGetValue(local, out var container) ? container : null;
    }

    /// <summary>
    /// The locals of the method that are lists or arrays that never leave it: assigned only new
    /// lists or arrays, and otherwise used only by their own <c>Add</c>, indexer, <c>Count</c> and
    /// <c>Length</c>, or lent whole to a P/Invoke. Each element read back must only be lent (to a
    /// P/Invoke, or a .NET method that borrows it): one released, stored, returned or kept in a
    /// variable makes the container's fate unknown, and so does any use not listed here. A method
    /// with lambdas or local functions (which could capture the container) has none.
    /// </summary>
    private Dictionary<ILocalSymbol, LocalContainer?> FindContainers()
    {
        var containers = new Dictionary<ILocalSymbol, LocalContainer?>(SymbolEqualityComparer.Default);
        if (!_cfg.LocalFunctions.IsEmpty)
        {
            return containers;
        }

        var references = new List<ILocalReferenceOperation>();
        foreach (var block in _cfg.Blocks)
        {
            foreach (var root in block.Operations)
            {
                if (!Collect(root, references))
                {
                    return containers;
                }
            }

            if (block.BranchValue is { } value && !Collect(value, references))
            {
                return containers;
            }
        }

        foreach (var reference in references)
        {
            var local = reference.Local;
            if (containers.TryGetValue(local, out var known) && known is null)
            {
                continue;
            }

            var kind = local.Type is IArrayTypeSymbol { Rank: 1 } ? ContainerKind.Array
                : local.Type is INamedTypeSymbol named && IsGenericList(named) ? ContainerKind.List
                : (ContainerKind?)null;
            var container = known ?? (kind is { } k ? new LocalContainer(local.Name, k, local, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default)) : null);
            containers[local] = container is not null && !local.IsRef && IsConfinedUse(reference, container, _context.Pairs, references) ? container : null;
        }

        return containers;

        static bool Collect(IOperation root, List<ILocalReferenceOperation> references)
        {
            foreach (var node in root.DescendantsAndSelf())
            {
                if (node is IFlowAnonymousFunctionOperation)
                {
                    return false;
                }

                if (node is ILocalReferenceOperation reference)
                {
                    references.Add(reference);
                }
            }

            return true;
        }
    }

    /// <summary>Whether one reference to the local keeps it a confined container (see <see cref="FindContainers"/>).</summary>
    private static bool IsConfinedUse(ILocalReferenceOperation reference, LocalContainer container, PairTable pairs, List<ILocalReferenceOperation> references)
    {
        var kind = container.Kind;
        if (reference.Parent is { Kind: OperationKind.None, Parent: ISimpleAssignmentOperation { Target: ILocalReferenceOperation { Local: var pointer } } pinning } pinned &&
            pinning.Value == pinned && pinned.Syntax.Parent?.Parent?.Parent?.Parent is FixedStatementSyntax)
        {
            // fixed (T* p = array): the array pinned for the statement; p may only be lent to native code.
            return kind == ContainerKind.Array && OnlyLent(pointer, container, pairs, references);
        }

        switch (reference.Parent)
        {
            case ISimpleAssignmentOperation assignment when assignment.Target == reference:
                {
                    var value = assignment.Value;
                    while (value is IConversionOperation conversion)
                    {
                        value = conversion.Operand;
                    }

                    return kind == ContainerKind.Array ? value is IArrayCreationOperation { Initializer: null } : value is IObjectCreationOperation { Initializer: null };
                }

            case IInvocationOperation call when call.Instance == reference:
                return kind == ContainerKind.List && call.TargetMethod.Name == "Add";
            case IPropertyReferenceOperation property when property.Instance == reference:
                return property.Property.IsIndexer ? IsConfinedElement(property, container, pairs) : property.Property.Name is "Count" or "Length" or "LongLength";
            case IArrayElementReferenceOperation element when element.ArrayReference == reference:
                return IsConfinedElement(element, container, pairs);
            case IArgumentOperation { Parameter.RefKind: RefKind.None or RefKind.In, Parent: IInvocationOperation call }:
                // The whole array lent to native code, which gets a copy or a pinned view for the call.
                return kind == ContainerKind.Array && pairs.Get(call.TargetMethod) is null && LendsTo(call.TargetMethod, container);
            default:
                return false;
        }
    }

    /// <summary>
    /// An element (or a field of a struct element): written, or read only to be lent. A block read
    /// back and released, kept or handed on means the container's blocks may be accounted for.
    /// </summary>
    private static bool IsConfinedElement(IOperation element, LocalContainer container, PairTable pairs)
    {
        var node = element;
        while (true)
        {
            var parent = node.Parent;
            if (parent is ISimpleAssignmentOperation assignment && assignment.Target == node)
            {
                return true;
            }

            if (parent is IFieldReferenceOperation { Instance: { } instance } && instance == node && node.Type?.IsValueType == true)
            {
                node = parent;
                continue;
            }

            if (parent is IConversionOperation)
            {
                node = parent;
                continue;
            }

            if (parent is not IArgumentOperation { Parameter: { RefKind: RefKind.None or RefKind.In } parameter, Parent: IInvocationOperation call } ||
                pairs.Get(call.TargetMethod) is not null)
            {
                // Not an argument, or one of a pair's own calls (a release of the element).
                return false;
            }

            return LendsTo(call.TargetMethod, container) || FrameworkCalls.Borrows(call.TargetMethod, parameter.Ordinal);
        }
    }

    /// <summary>Whether the pointer a <c>fixed</c> statement pins the array with is only given to P/Invokes (after its own initialisation).</summary>
    private static bool OnlyLent(ILocalSymbol pointer, LocalContainer container, PairTable pairs, List<ILocalReferenceOperation> references)
    {
        foreach (var reference in references)
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Local, pointer) ||
                reference.Parent is ISimpleAssignmentOperation { Value.Kind: OperationKind.None } pinning && pinning.Target == reference)
            {
                continue;
            }

            IOperation node = reference;
            while (node.Parent is IConversionOperation conversion)
            {
                node = conversion;
            }

            if (node.Parent is not IArgumentOperation { Parameter.RefKind: RefKind.None or RefKind.In, Parent: IInvocationOperation call } ||
                pairs.Get(call.TargetMethod) is not null || !LendsTo(call.TargetMethod, container))
            {
                return false;
            }
        }

        return true;
    }

    private static bool LendsTo(IMethodSymbol method, LocalContainer container)
    {
        if (!CallSummaries.IsPlatformInvoke(method))
        {
            return false;
        }

        container.LentTo.Add(method);
        return true;
    }

    /// <summary>Whether native code given the container's blocks may keep one of <paramref name="family"/>, or takes one over (then they are not known to be lost).</summary>
    private bool NativeMayKeepAny(LocalContainer container, string family)
    {
        foreach (var method in container.LentTo)
        {
            if (_context.Summaries.NativeMayKeep(method, family, _cancellationToken))
            {
                return true;
            }

            foreach (var parameter in method.Parameters)
            {
                if (_context.Pairs.TakesOwnership(method, parameter.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsGenericList(INamedTypeSymbol? type) =>
        type is { Name: "List", Arity: 1 } && type.ContainingNamespace?.ToDisplayString() == "System.Collections.Generic";
}
