using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing.Members;

/// <summary>
/// A member of <c>this</c> released in a Dispose method on a path no disposed flag guards, and not
/// cleared on some path from the release to the method's end (VMAP008's finding).
/// </summary>
/// <param name="Operand">The released member as the release reads it.</param>
/// <param name="ReleaseName"><c>Marshal.FreeHGlobal</c>, <c>GCHandle.Free</c>, <c>ArrayPool.Return</c>.</param>
/// <param name="DisposeName">The Dispose method, as a message names it.</param>
/// <param name="TestsMember">An <c>if</c> or <c>?.</c> around the release tests the released member itself.</param>
internal sealed record UnclearedRelease(IOperation Operand, ISymbol Member, string ReleaseName, string DisposeName, bool TestsMember, FamilyWords Words);

/// <summary>
/// Which members a Dispose method releases, and whether a second call would release them again:
/// the question is only "does a second call release the same value again".
/// </summary>
/// <remarks>
/// A member cleared after the release (<c>= IntPtr.Zero</c>, <c>= null</c>, <c>= default</c>,
/// anything assigned, a <c>ref</c> to it passed on such as <c>Interlocked.Exchange(ref _p, 0)</c>)
/// no longer holds it; neither does a mutable <see cref="System.Runtime.InteropServices.GCHandle"/>
/// field freed in place (<c>GCHandle.Free</c> zeroes its receiver). A test of the released member
/// itself (<c>if (_p != IntPtr.Zero)</c>, <c>_h.IsAllocated</c>) guards nothing without the clear:
/// the second call passes it again. A test of any other member that the Dispose methods of the
/// type assign (a disposed flag, a count, an owner), or a call on <c>this</c> in the condition,
/// guards the release; so does such a test in the public Dispose that calls <c>Dispose(bool)</c>.
/// Whether releasing the cleared value is harmless (FreeHGlobal(0) is, ArrayPool.Return(null)
/// throws) is the release API's business: see docs/rules/VMAP008.md.
/// </remarks>
internal static class DisposeReleases
{
    /// <summary>The releases of members of <c>this</c> in <paramref name="method"/> (a Dispose method) that a second call repeats.</summary>
    public static List<UnclearedRelease> Uncleared(
        IOperation body,
        ControlFlowGraph cfg,
        IMethodSymbol method,
        PairTable pairs,
        TypeMembers members,
        CancellationToken cancellationToken)
    {
        var found = new List<UnclearedRelease>();
        List<Release>? releases = null;
        foreach (var operation in MemberOperations.Descendants(body))
        {
            if (operation is IInvocationOperation invocation && pairs.Get(invocation.TargetMethod) is { Unmaps.IsEmpty: false } annotation)
            {
                foreach (var unmap in annotation.Unmaps)
                {
                    if (MemberRelease(invocation, unmap, members) is { } release)
                    {
                        (releases ??= new List<Release>()).Add(release);
                    }
                }
            }
        }

        if (releases is null)
        {
            return found;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var flow = new DisposeFlow(cfg, method, members, cancellationToken);
        foreach (var release in releases)
        {
            if (!flow.TryLocate(release.Call.Syntax, out var block, out var index) ||
                flow.Guarded(block, release.Member) ||
                release.ClearsItself || flow.ClearedAfter(block, index, release.Member))
            {
                continue;
            }

            found.Add(new UnclearedRelease(
                release.Operand,
                release.Member,
                ReleaseName(release.Call.TargetMethod),
                TypeMembers.DisposeName(method),
                TestsMember(release.Call.Syntax, release.Member, body.Syntax),
                release.Words));
        }

        return found;
    }

    /// <summary><c>Marshal.FreeHGlobal</c>, <c>GCHandle.Free</c>, <c>ArrayPool.Return</c>: the type that declares the method (first declaration of an override).</summary>
    public static string ReleaseName(IMethodSymbol method)
    {
        var type = method.ContainingType;
        for (var m = method; m is not null; m = m.OverriddenMethod)
        {
            type = m.ContainingType;
        }

        return type.Name + "." + method.Name;
    }

    /// <summary>A release whose released value is a member of <c>this</c>.</summary>
    private sealed record Release(IInvocationOperation Call, IOperation Operand, ISymbol Member, bool ClearsItself, FamilyWords Words);

    private static Release? MemberRelease(IInvocationOperation invocation, UnmapSpec unmap, TypeMembers members)
    {
        if (MemberOperations.Released(invocation, unmap) is not { } operand)
        {
            return null;
        }

        var value = MemberOperations.StripConversions(operand);
        var copied = false;
        if (value is IConditionalAccessInstanceOperation && ConditionalAccessOf(invocation) is { } conditional)
        {
            // _h?.Free(): the release runs on a copy of the nullable's value.
            value = MemberOperations.StripConversions(conditional.Operation);
            copied = true;
        }

        if (value is IPropertyReferenceOperation { Property.Name: "Value", Instance: { } nullable } &&
            nullable.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T })
        {
            // _h.Value.Free(): Value returns a copy.
            value = MemberOperations.StripConversions(nullable);
            copied = true;
        }

        if (ThisMember(value, members) is not { } member)
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
    private static ISymbol? ThisMember(IOperation? operation, TypeMembers members) => operation switch
    {
        IFieldReferenceOperation { Field.IsStatic: false, Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } } field
            => field.Field.OriginalDefinition,
        IPropertyReferenceOperation { Property: { IsStatic: false, IsIndexer: false } property, Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } }
            when members.IsAutoProperty(property)
            => property.OriginalDefinition,
        _ => null,
    };

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
}
