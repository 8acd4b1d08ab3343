using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// Names storages (<see cref="StorageKey"/>: a root and a member path) and conditions, so that the
/// same local, member or test written twice gets the same key (<see cref="ConditionKey"/>, a tree
/// over storages and constants).
/// </summary>
internal sealed class KeyBuilder
{
    private readonly Dictionary<CaptureId, int> _captures = new();
    private readonly Dictionary<ISymbol, StorageRoot> _roots = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<IOperation, (ConditionKey? Key, bool Flips)> _conditions = new();
    private readonly Dictionary<IOperation, StorageKey?> _storages = new();
    private readonly HashSet<StorageRoot> _outer = new();
    private readonly IMethodSymbol? _owner;

    public KeyBuilder()
    {
    }

    /// <summary>Keys for the body of <paramref name="owner"/>: locals and parameters of enclosing methods (captured) are told apart.</summary>
    public KeyBuilder(IMethodSymbol owner) => _owner = owner;

    /// <summary>The key of a parameter's storage.</summary>
    public static StorageKey ParameterKey(IParameterSymbol parameter) => new(new StorageRoot(StorageRootKind.Parameter, parameter.Name));

    /// <summary>
    /// True when <paramref name="key"/> is rooted in a local or parameter captured from an enclosing
    /// method: it outlives the lambda or local function being walked.
    /// </summary>
    public bool IsOuter(StorageKey key) => _outer.Contains(key.Root);

    /// <summary>The key of a local variable, as a reference to it is keyed.</summary>
    public StorageKey LocalKey(ILocalSymbol local) => new(Root(local));

    /// <summary>The key of the storage <paramref name="operation"/> refers to, or null when it is not one we track.</summary>
    public StorageKey? Storage(IOperation? operation)
    {
        // Each operation's key is made once: the walker asks again every time it walks the block
        // (loops, joins), and a new key per visit was the largest share of its allocation on small
        // methods (issue 25 §4). The key depends on the operation alone, so the cache is exact.
        if (operation is null)
        {
            return null;
        }

        if (!_storages.TryGetValue(operation, out var key))
        {
            key = ComputeStorage(operation);
            _storages.Add(operation, key);
        }

        return key;
    }

    private StorageKey? ComputeStorage(IOperation operation)
    {
        switch (operation)
        {
            case ILocalReferenceOperation local:
                return new StorageKey(Root(local.Local));
            case IParameterReferenceOperation parameter:
                return new StorageKey(Root(parameter.Parameter));
            case IInstanceReferenceOperation:
                return new StorageKey(StorageRoot.This);
            case IFlowCaptureReferenceOperation capture:
                return CaptureKey(capture.Id);
            case IFieldReferenceOperation field:
                return Member(field.Field, field.Instance);
            case IPropertyReferenceOperation { Property.Name: "Value", Instance: { } nullable } when IsNullable(nullable.Type):
                // handle.Value of a GCHandle?: the same storage as handle.
                return Storage(nullable);
            case IPropertyReferenceOperation property when property.Arguments.Length == 0:
                return Member(property.Property, property.Instance);
            case IConversionOperation { IsImplicit: true } conversion:
                return Storage(conversion.Operand);
            case IDeclarationExpressionOperation declaration:
                return Storage(declaration.Expression);
            default:
                return null;
        }
    }

    public static bool IsNullable(ITypeSymbol? type) => type?.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;

    public StorageKey CaptureKey(CaptureId id)
    {
        if (!_captures.TryGetValue(id, out var number))
        {
            number = _captures.Count;
            _captures.Add(id, number);
        }

        return new StorageKey(new StorageRoot(StorageRootKind.Capture, "#", number));
    }

    private StorageRoot Root(ISymbol symbol)
    {
        if (!_roots.TryGetValue(symbol, out var root))
        {
            var references = symbol.DeclaringSyntaxReferences;
            root = symbol is IParameterSymbol ? new StorageRoot(StorageRootKind.Parameter, symbol.Name)
                : new StorageRoot(StorageRootKind.Local, symbol.Name, references.Length == 0 ? -1 : references[0].Span.Start);
            _roots.Add(symbol, root);
            if (_owner is not null && symbol.ContainingSymbol is IMethodSymbol declaring && !SymbolEqualityComparer.Default.Equals(declaring, _owner))
            {
                _outer.Add(root);
            }
        }

        return root;
    }

    private StorageKey? Member(ISymbol member, IOperation? instance)
    {
        var receiver = member.IsStatic ? new StorageKey(new StorageRoot(StorageRootKind.Type, member.ContainingType.Name)) : Storage(instance);
        return receiver?.Member(member.Name);
    }

    /// <summary>
    /// The condition a branch tests, in a canonical form: negations, <c>!=</c>, <c>&lt;=</c> and
    /// <c>&gt;=</c> become the positive test with a flipped <paramref name="polarity"/>. Null when
    /// the test calls code (its value may change between two evaluations).
    /// </summary>
    public ConditionKey? Condition(IOperation operation, ref bool polarity)
    {
        if (!_conditions.TryGetValue(operation, out var cached))
        {
            var flipped = false;
            cached = (ComputeCondition(operation, ref flipped), flipped);
            _conditions.Add(operation, cached);
        }

        if (cached.Flips)
        {
            polarity = !polarity;
        }

        return cached.Key;
    }

    private ConditionKey? ComputeCondition(IOperation operation, ref bool polarity)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    continue;
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                    polarity = !polarity;
                    operation = not.Operand;
                    continue;
            }

            break;
        }

        if (operation is IBinaryOperation binary)
        {
            var kind = binary.OperatorKind;
            switch (kind)
            {
                case BinaryOperatorKind.NotEquals:
                    kind = BinaryOperatorKind.Equals;
                    polarity = !polarity;
                    break;
                case BinaryOperatorKind.LessThanOrEqual:
                    kind = BinaryOperatorKind.GreaterThan;
                    polarity = !polarity;
                    break;
                case BinaryOperatorKind.GreaterThanOrEqual:
                    kind = BinaryOperatorKind.LessThan;
                    polarity = !polarity;
                    break;
            }

            var left = Render(binary.LeftOperand);
            var right = Render(binary.RightOperand);
            return left is null || right is null ? null : ConditionKey.BinaryOf(left, kind, right);
        }

        return Render(operation);
    }

    private ConditionKey? Render(IOperation operation)
    {
        if (operation.ConstantValue.HasValue)
        {
            return ConditionKey.OfConstant(operation.ConstantValue.Value switch
            {
                null => "null",
                bool b => b ? "true" : "false",
                string s => "\"" + s + "\"",
                System.IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var other => other.ToString(),
            });
        }

        switch (operation)
        {
            case IInvocationOperation invocation when ReadonlyGetter(invocation) is { } member:
                // entry.GetValueBytes() => _value: the same value as the field every time it is read.
                return Member(member, invocation.Instance) is { } read && !read.IsCapture ? ConditionKey.Of(read) : null;
            case IConversionOperation conversion:
                return Render(conversion.Operand);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return Render(not.Operand) is { } inner ? ConditionKey.NotOf(inner) : null;
            case IBinaryOperation binary:
                var left = Render(binary.LeftOperand);
                var right = Render(binary.RightOperand);
                return left is null || right is null ? null : ConditionKey.BinaryOf(left, binary.OperatorKind, right);
        }

        return Storage(operation) is { } key && !key.IsCapture ? ConditionKey.Of(key) : null;
    }

    /// <summary>
    /// The field or property a getter method returns when that is all it does and the value cannot
    /// change while the receiver stays the same: a non-virtual method without parameters whose body
    /// is <c>=&gt; _field</c> or <c>{ return _field; }</c> over a readonly field or a get-only
    /// auto-property of its own type. Calling it twice reads one value, like reading the member.
    /// </summary>
    private static ISymbol? ReadonlyGetter(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (invocation.Arguments.Length != 0 || method.IsGenericMethod || method.ReturnsByRef || method.ReturnsByRefReadonly ||
            method.IsVirtual || method.IsAbstract || method.IsOverride || method.MethodKind != MethodKind.Ordinary ||
            method.DeclaringSyntaxReferences.Length != 1 ||
            method.DeclaringSyntaxReferences[0].GetSyntax() is not MethodDeclarationSyntax declaration)
        {
            return null;
        }

        var returned = declaration.ExpressionBody?.Expression ??
            (declaration.Body is { Statements.Count: 1 } block && block.Statements[0] is ReturnStatementSyntax { Expression: { } value } ? value : null);
        if (returned is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax viaThis })
        {
            returned = viaThis;
        }

        if (returned is not IdentifierNameSyntax name)
        {
            return null;
        }

        foreach (var member in method.ContainingType.GetMembers(name.Identifier.ValueText))
        {
            if (member.IsStatic != method.IsStatic)
            {
                continue;
            }

            if (member is IFieldSymbol { IsReadOnly: true } field)
            {
                return field;
            }

            if (member is IPropertySymbol { IsIndexer: false } property && (property.SetMethod is null || property.SetMethod.IsInitOnly) &&
                IsAutoProperty(property))
            {
                return property;
            }
        }

        return null;
    }

    private static bool IsAutoProperty(IPropertySymbol property)
    {
        foreach (var member in property.ContainingType.GetMembers())
        {
            if (member is IFieldSymbol { IsImplicitlyDeclared: true } backing && SymbolEqualityComparer.Default.Equals(backing.AssociatedSymbol, property))
            {
                return true;
            }
        }

        return false;
    }
}
