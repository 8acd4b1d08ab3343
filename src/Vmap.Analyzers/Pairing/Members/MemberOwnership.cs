using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing.Members;

/// <summary>A block the type acquires into a member that no method of the type releases (VMAP009's finding).</summary>
/// <param name="Acquire">The acquire call whose result the member holds.</param>
/// <param name="ApiName"><c>Marshal.AllocHGlobal</c>, or the source method inferred to acquire.</param>
/// <param name="Declaration">The member's name in its declaration.</param>
internal sealed record UnreleasedAcquire(ISymbol Member, Location Acquire, string ApiName, FamilyWords Words, Location Declaration);

/// <summary>
/// Who acquires into each private instance member of a class (a constructor, an initializer, any
/// method), and whether anything of the type releases it, lets it go, or fills it from elsewhere.
/// </summary>
/// <remarks>
/// <para>
/// Every reference to the member anywhere in the type's declarations (all partial parts, nested
/// types, lambdas) is read once and put in one of four kinds: an acquire stored into it, a clear
/// (<c>null</c>, zero, <c>default</c>), a release (a pair release, a source helper whose summary
/// releases its parameter, to the summary depth), or a harmless read (a test, a dereference, a
/// borrowing call). Anything else — a copy into a local or another object, a return, a hand-off to
/// an adopter or to code whose effect is unknown, a <c>ref</c>, an assignment from a parameter —
/// is a lost fact, and a member with one is never reported: precision by construction.
/// </para>
/// <para>
/// The pass binds only the members' bodies whose text names one of the candidate members, once
/// per type, so it is linear in the size of the type.
/// </para>
/// </remarks>
internal sealed class MemberOwnership
{
    private static readonly MemberOwnership Empty = new(new List<UnreleasedAcquire>());

    private MemberOwnership(IReadOnlyList<UnreleasedAcquire> unreleased) => Unreleased = unreleased;

    /// <summary>The acquires into members that nothing of the type releases, in declaration order.</summary>
    public IReadOnlyList<UnreleasedAcquire> Unreleased { get; }

    public static MemberOwnership Build(TypeMembers members, PairingContext pairing, Compilation compilation, CancellationToken cancellationToken)
    {
        var type = members.Type;
        if (type.TypeKind != TypeKind.Class)
        {
            // A struct owner's copies all hold the member: which copy should release is not the type's to say.
            return Empty;
        }

        var states = new Dictionary<ISymbol, MemberState>(SymbolEqualityComparer.Default);
        var byName = new Dictionary<string, MemberState>(System.StringComparer.Ordinal);
        foreach (var member in type.GetMembers())
        {
            if (IsCandidate(member, members))
            {
                var state = new MemberState(member);
                states.Add(member.OriginalDefinition, state);
                byName[member.Name] = state;
            }
        }

        if (states.Count == 0)
        {
            return Empty;
        }

        var reader = new Reader(states, pairing, cancellationToken);
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            var declaration = reference.GetSyntax(cancellationToken);
            SemanticModel? model = null;
            foreach (var root in declaration.DescendantNodes(node => !IsRoot(node)))
            {
                if (!IsRoot(root) || Named(root is EqualsValueClauseSyntax ? root.Parent! : root, byName) is not { Count: > 0 } named)
                {
                    continue;
                }

                // The analysis reads every part of the type, in whichever tree it is declared.
#pragma warning disable RS1030
                model ??= compilation.GetSemanticModel(declaration.SyntaxTree);
#pragma warning restore RS1030
                if (EngineFailureLog.Operation(model, root, cancellationToken) is not { } operation)
                {
                    // A body the compiler cannot represent may do anything with the members it names.
                    foreach (var state in named)
                    {
                        state.Lost = true;
                    }

                    continue;
                }

                foreach (var inner in operation.DescendantsAndSelf())
                {
                    reader.Read(inner);
                }
            }
        }

        var unreleased = new List<UnreleasedAcquire>();
        foreach (var state in states.Values)
        {
            if (state.Acquires.Count == 0 || state.Released || state.Lost || reader.NativeMayKeep(state))
            {
                continue;
            }

            var declaration = Declaration(state.Member, cancellationToken);
            foreach (var (site, api, words, _) in state.Acquires)
            {
                unreleased.Add(new UnreleasedAcquire(state.Member, site, api, words, declaration));
            }
        }

        unreleased.Sort((a, b) => a.Acquire.SourceSpan.Start.CompareTo(b.Acquire.SourceSpan.Start));
        return new MemberOwnership(unreleased);
    }

    /// <summary>
    /// A private instance field, or private auto-property, of a type that may hold a block. Others
    /// are read or released by code outside the type, and a static one lives for the process.
    /// </summary>
    private static bool IsCandidate(ISymbol member, TypeMembers members) => member switch
    {
        IFieldSymbol { IsStatic: false, IsConst: false, IsImplicitlyDeclared: false, DeclaredAccessibility: Accessibility.Private } field
            => CallSummaries.MayHoldMapping(field.Type),
        IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Private } property
            => CallSummaries.MayHoldMapping(property.Type) && members.IsAutoProperty(property),
        _ => false,
    };

    /// <summary>A declaration whose operation tree is bound on its own: a method, accessor, expression body or member initializer.</summary>
    private static bool IsRoot(SyntaxNode node) => node switch
    {
        BaseMethodDeclarationSyntax or AccessorDeclarationSyntax => true,
        ArrowExpressionClauseSyntax { Parent: PropertyDeclarationSyntax or IndexerDeclarationSyntax } => true,
        EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent.Parent: FieldDeclarationSyntax } } => true,
        EqualsValueClauseSyntax { Parent: PropertyDeclarationSyntax } => true,
        _ => false,
    };

    /// <summary>The candidate members <paramref name="root"/> names, read from its identifiers (an initializer's: its declarator's).</summary>
    private static HashSet<MemberState>? Named(SyntaxNode root, Dictionary<string, MemberState> byName)
    {
        HashSet<MemberState>? named = null;
        foreach (var token in root.DescendantTokens())
        {
            if (token.IsKind(SyntaxKind.IdentifierToken) && byName.TryGetValue(token.ValueText, out var state))
            {
                (named ??= new HashSet<MemberState>()).Add(state);
            }
        }

        return named;
    }

    private static Location Declaration(ISymbol member, CancellationToken cancellationToken)
    {
        foreach (var reference in member.DeclaringSyntaxReferences)
        {
            switch (reference.GetSyntax(cancellationToken))
            {
                case VariableDeclaratorSyntax variable:
                    return variable.Identifier.GetLocation();
                case PropertyDeclarationSyntax property:
                    return property.Identifier.GetLocation();
            }
        }

        return member.Locations.Length > 0 ? member.Locations[0] : Location.None;
    }

    /// <summary>What the type does with one member.</summary>
    private sealed class MemberState
    {
        public MemberState(ISymbol member) => Member = member;

        public ISymbol Member { get; }

        /// <summary>Acquires whose result is stored into the member of <c>this</c>.</summary>
        public List<(Location Site, string Api, FamilyWords Words, string Family)> Acquires { get; } = new();

        /// <summary>The P/Invokes the member's value is passed to: borrowers unless native code may keep the family's blocks.</summary>
        public List<IMethodSymbol> NativeCalls { get; } = new();

        /// <summary>Something of the type releases it.</summary>
        public bool Released { get; set; }

        /// <summary>A fact was lost: it escapes, is filled from elsewhere, or holds a family that may be dropped.</summary>
        public bool Lost { get; set; }
    }

    /// <summary>Puts each reference to a candidate member into its kind.</summary>
    private sealed class Reader
    {
        private readonly Dictionary<ISymbol, MemberState> _states;
        private readonly PairingContext _pairing;
        private readonly CancellationToken _cancellationToken;

        public Reader(Dictionary<ISymbol, MemberState> states, PairingContext pairing, CancellationToken cancellationToken)
        {
            _states = states;
            _pairing = pairing;
            _cancellationToken = cancellationToken;
        }

        public void Read(IOperation operation)
        {
            switch (operation)
            {
                case IFieldInitializerOperation initializer:
                    foreach (var field in initializer.InitializedFields)
                    {
                        if (_states.TryGetValue(field.OriginalDefinition, out var state))
                        {
                            Store(state, initializer.Value, ofThis: true);
                        }
                    }

                    break;
                case IPropertyInitializerOperation initializer:
                    foreach (var property in initializer.InitializedProperties)
                    {
                        if (_states.TryGetValue(property.OriginalDefinition, out var state))
                        {
                            Store(state, initializer.Value, ofThis: true);
                        }
                    }

                    break;
                case IMemberReferenceOperation reference when _states.TryGetValue(reference.Member.OriginalDefinition, out var state):
                    Reference(state, reference);
                    break;
            }
        }

        private void Reference(MemberState state, IMemberReferenceOperation reference)
        {
            var ofThis = reference.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance };
            switch (reference.Parent)
            {
                case ISimpleAssignmentOperation assignment when assignment.Target == reference:
                    if (assignment.Parent is not IExpressionStatementOperation)
                    {
                        // x = _p = Alloc(): the block has a second holder.
                        state.Lost = true;
                        return;
                    }

                    Store(state, assignment.Value, ofThis);
                    return;
                case IArgumentOperation { Parameter: { RefKind: RefKind.Out } parameter, Parent: IInvocationOperation call }:
                    if (AcquiredBy(call.TargetMethod, parameter.Ordinal) is { } acquired && acquired.Spec.ReportsLoss && ofThis)
                    {
                        state.Acquires.Add((call.Syntax.GetLocation(), acquired.Api, acquired.Spec.Words, acquired.Spec.Family));
                    }
                    else
                    {
                        state.Lost = true;
                    }

                    return;
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out }:
                case ICompoundAssignmentOperation or IIncrementOrDecrementOperation or IDeconstructionAssignmentOperation or ITupleOperation:
                    // Interlocked.Exchange(ref _p, 0), _p += 8, (_p, q) = ...: the member's value goes where we do not follow.
                    state.Lost = true;
                    return;
            }

            Use(state, reference);
        }

        /// <summary>The member of <paramref name="ofThis"/> object (or another) is assigned <paramref name="value"/>.</summary>
        private void Store(MemberState state, IOperation value, bool ofThis)
        {
            value = MemberOperations.StripConversions(value);
            if (value is IInvocationOperation call && AcquiredBy(call.TargetMethod, null) is { } acquired)
            {
                if (acquired.Spec.ReportsLoss && ofThis)
                {
                    state.Acquires.Add((call.Syntax.GetLocation(), acquired.Api, acquired.Spec.Words, acquired.Spec.Family));
                }
                else
                {
                    // A rental the GC may collect, or a block put into another object's member.
                    state.Lost = true;
                }

                return;
            }

            if (!IsEmpty(value))
            {
                // A parameter, another object's member, a local: a block the type may only borrow.
                state.Lost = true;
            }
        }

        /// <summary>The acquire <paramref name="method"/> is, through its result (<paramref name="outOrdinal"/> null) or that out parameter.</summary>
        private (MapSpec Spec, string Api)? AcquiredBy(IMethodSymbol method, int? outOrdinal)
        {
            if (_pairing.Pairs.Get(method) is { } annotation)
            {
                foreach (var map in annotation.Maps)
                {
                    if (map.OutOrdinal == outOrdinal)
                    {
                        return (map, DisposeReleases.ReleaseName(method));
                    }
                }

                return null;
            }

            if (method.MethodKind == MethodKind.Ordinary && CallSummaries.CanSeeBody(method) &&
                (outOrdinal is { } ordinal ? CallSummaries.MayHoldMapping(method.Parameters[ordinal].Type) : CallSummaries.MayReturnMapping(method)) &&
                _pairing.Summaries.Acquire(method, new SummaryScope(), _cancellationToken, outOrdinal) is { } inferred)
            {
                return (inferred.Spec, method.Name);
            }

            return null;
        }

        private static bool IsEmpty(IOperation value) => value switch
        {
            IDefaultValueOperation => true,
            ILiteralOperation { ConstantValue: { HasValue: true, Value: null or 0 or 0L or 0U or 0UL } } => true,
            IFieldReferenceOperation { Field: { Name: "Zero", IsStatic: true, ContainingType.SpecialType: SpecialType.System_IntPtr or SpecialType.System_UIntPtr } } => true,
            IObjectCreationOperation { Arguments.IsEmpty: true, Initializer: null, Type.IsValueType: true } => true,
            _ => false,
        };

        /// <summary>A read of the member: follows the value up through casts and arithmetic to what takes it.</summary>
        private void Use(MemberState state, IOperation value)
        {
            var derived = false;
            while (true)
            {
                var parent = value.Parent;
                switch (parent)
                {
                    case IConversionOperation or IParenthesizedOperation:
                        value = parent;
                        continue;
                    case IBinaryOperation binary when IsComparison(binary.OperatorKind):
                    case IIsPatternOperation or IIsTypeOperation or INameOfOperation or IExpressionStatementOperation:
                        return;
                    case IBinaryOperation:
                        // p + offset, p & mask: an address inside the block; what takes it is the question.
                        value = parent;
                        derived = true;
                        continue;
                    case IPropertyReferenceOperation { Instance: var instance } when instance == value:
                    case IFieldReferenceOperation { Instance: var fieldOf } when fieldOf == value:
                    case IArrayElementReferenceOperation { ArrayReference: var array } when array == value:
                        // _array.Length, _h.IsAllocated, _array[i].
                        return;
                    case IAddressOfOperation:
                        state.Lost = true;
                        return;
                    case { Kind: OperationKind.None, Syntax: PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PointerIndirectionExpression } or ElementAccessExpressionSyntax }:
                        // *p, p[i]: a dereference reads the block.
                        return;
                    case IInvocationOperation call when call.Instance == value:
                        Receiver(state, call, derived);
                        return;
                    case IArgumentOperation { Parameter: { } parameter, Parent: IInvocationOperation or IObjectCreationOperation } argument:
                        Argument(state, argument.Parent!, parameter, derived);
                        return;
                    default:
                        // Returned, copied, captured in a collection, stored elsewhere: the type may not be its only holder.
                        state.Lost = true;
                        return;
                }
            }
        }

        /// <summary><c>_h.Free()</c>, <c>_h.AddrOfPinnedObject()</c>: a method called on the member's value.</summary>
        private void Receiver(MemberState state, IInvocationOperation call, bool derived)
        {
            if (_pairing.Pairs.Get(call.TargetMethod) is { } annotation && Releases(annotation, UnmapSpec.Receiver))
            {
                Release(state, derived);
                return;
            }

            if (!FrameworkCalls.IsFramework(call.TargetMethod.ContainingAssembly) && !_pairing.Pairs.IsApiOwner(call.TargetMethod.ContainingType))
            {
                state.Lost = true;
            }
        }

        /// <summary>The member's value passed as <paramref name="parameter"/> of <paramref name="call"/>.</summary>
        private void Argument(MemberState state, IOperation call, IParameterSymbol parameter, bool derived)
        {
            if (parameter.RefKind is not (RefKind.None or RefKind.In) || parameter.ContainingSymbol is not IMethodSymbol method)
            {
                state.Lost = true;
                return;
            }

            var ordinal = parameter.Ordinal;
            var annotation = _pairing.Pairs.Get(method);
            if (call is IInvocationOperation && annotation is not null && Releases(annotation, ordinal))
            {
                Release(state, derived);
                return;
            }

            if (_pairing.Pairs.TakesOwnership(method, ordinal) || FrameworkCalls.Stores(method, ordinal))
            {
                // Handed to an adopter: it releases the block, or keeps it for someone who does.
                state.Lost = true;
                return;
            }

            if (annotation is not null || _pairing.Pairs.IsApiOwner(method.ContainingType) || FrameworkCalls.Borrows(method, ordinal))
            {
                return;
            }

            if (CallSummaries.IsPlatformInvoke(method))
            {
                // Native code borrows unless the program shows it may keep the family's blocks: the
                // family is known once every acquire into the member is read (NativeMayKeep).
                state.NativeCalls.Add(method);
                return;
            }

            if (call is IInvocationOperation && CallSummaries.CanSeeBody(method))
            {
                switch (_pairing.Summaries.Parameter(method, ordinal, new SummaryScope(), _cancellationToken).Effect)
                {
                    case CallEffect.Borrows:
                        return;
                    case CallEffect.Releases or CallEffect.ReleasesWhen or CallEffect.MayRelease:
                        Release(state, derived);
                        return;
                }
            }

            // Code whose effect we cannot see may keep or free it.
            state.Lost = true;
        }

        /// <summary>
        /// Whether native code may keep the member's block: a P/Invoke it is passed to may keep a
        /// block of the family of one of its acquires (<see cref="CallSummaries.NativeMayKeep"/>),
        /// the walker's rule for locals. Then the type may not be the block's only holder.
        /// </summary>
        public bool NativeMayKeep(MemberState state)
        {
            foreach (var method in state.NativeCalls)
            {
                foreach (var acquire in state.Acquires)
                {
                    if (_pairing.Summaries.NativeMayKeep(method, acquire.Family, _cancellationToken))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static void Release(MemberState state, bool derived)
        {
            if (derived)
            {
                // Free(_p + 8): not the block itself (VMAP001's business); claim nothing.
                state.Lost = true;
            }
            else
            {
                state.Released = true;
            }
        }

        private static bool Releases(MethodAnnotation annotation, int ordinal)
        {
            foreach (var unmap in annotation.Unmaps)
            {
                if (unmap.Ordinal == ordinal)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsComparison(BinaryOperatorKind kind) => kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals or
            BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual or
            BinaryOperatorKind.ObjectValueEquals or BinaryOperatorKind.ObjectValueNotEquals;
    }
}
