using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>
/// Names storages and conditions as strings, so that the same local, member or test written twice
/// gets the same key. Keys: <c>name@pos</c> for a local (pos tells shadowed locals apart),
/// <c>name@p</c> for a parameter, <c>this</c>, <c>Type@t</c> for a static receiver,
/// <c>receiver.Member</c> for a field or property, <c>#n</c> for a flow capture. A condition
/// wraps every storage it reads in brackets: <c>([n@40] GreaterThan 1)</c>.
/// </summary>
internal sealed class KeyBuilder
{
    private readonly Dictionary<CaptureId, int> _captures = new();
    private readonly Dictionary<ISymbol, string> _symbolKeys = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<(string Receiver, ISymbol Member), string> _memberKeys = new();
    private readonly Dictionary<IOperation, (string? Key, bool Flips)> _conditions = new();
    private readonly HashSet<string> _outer = new();
    private readonly IMethodSymbol? _owner;

    public KeyBuilder()
    {
    }

    /// <summary>Keys for the body of <paramref name="owner"/>: locals and parameters of enclosing methods (captured) are told apart.</summary>
    public KeyBuilder(IMethodSymbol owner) => _owner = owner;

    /// <summary>The key of a parameter's storage (<c>name@p</c>).</summary>
    public static string ParameterKey(IParameterSymbol parameter) => parameter.Name + "@p";

    /// <summary>
    /// True when <paramref name="key"/> is rooted in a local or parameter captured from an enclosing
    /// method: it outlives the lambda or local function being walked.
    /// </summary>
    public bool IsOuter(string key)
    {
        var dot = key.IndexOf('.');
        return _outer.Contains(dot < 0 ? key : key.Substring(0, dot));
    }

    public static bool IsCapture(string key) => key.Length > 0 && key[0] == '#';

    /// <summary>True when <paramref name="candidate"/> is <paramref name="key"/> or reached through it (<c>bp.Addr</c> through <c>bp</c>).</summary>
    public static bool IsMemberOf(string candidate, string key) =>
        candidate == key || (candidate.Length > key.Length && candidate[key.Length] == '.' && candidate.StartsWith(key, System.StringComparison.Ordinal));

    public static bool ConditionReads(string condition, string key) =>
        condition.Contains("[" + key + "]") || condition.Contains("[" + key + ".");

    /// <summary>How a key reads in a message: <c>bp@12.Addr</c> is <c>bp.Addr</c>, <c>this._addr</c> is <c>_addr</c>.</summary>
    public static string Display(string key)
    {
        var builder = new StringBuilder();
        foreach (var segment in key.Split('.'))
        {
            var at = segment.IndexOf('@');
            var name = at < 0 ? segment : segment.Substring(0, at);
            if (name == "this" && key != "this")
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append('.');
            }

            builder.Append(name);
        }

        return builder.ToString();
    }

    /// <summary>The key of the storage <paramref name="operation"/> refers to, or null when it is not one we track.</summary>
    public string? Storage(IOperation? operation)
    {
        switch (operation)
        {
            case ILocalReferenceOperation local:
                return SymbolKey(local.Local);
            case IParameterReferenceOperation parameter:
                return SymbolKey(parameter.Parameter);
            case IInstanceReferenceOperation:
                return "this";
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

    public string CaptureKey(CaptureId id)
    {
        if (!_captures.TryGetValue(id, out var number))
        {
            number = _captures.Count;
            _captures.Add(id, number);
        }

        return "#" + number.ToString(CultureInfo.InvariantCulture);
    }

    private string SymbolKey(ISymbol symbol)
    {
        if (!_symbolKeys.TryGetValue(symbol, out var key))
        {
            var references = symbol.DeclaringSyntaxReferences;
            key = symbol is IParameterSymbol ? symbol.Name + "@p"
                : references.Length == 0 ? symbol.Name + "@?"
                : symbol.Name + "@" + references[0].Span.Start.ToString(CultureInfo.InvariantCulture);
            _symbolKeys.Add(symbol, key);
            if (_owner is not null && symbol.ContainingSymbol is IMethodSymbol declaring && !SymbolEqualityComparer.Default.Equals(declaring, _owner))
            {
                _outer.Add(key);
            }
        }

        return key;
    }

    private string? Member(ISymbol member, IOperation? instance)
    {
        var receiver = member.IsStatic ? member.ContainingType.Name + "@t" : Storage(instance);
        if (receiver is null)
        {
            return null;
        }

        if (!_memberKeys.TryGetValue((receiver, member), out var key))
        {
            key = receiver + "." + member.Name;
            _memberKeys.Add((receiver, member), key);
        }

        return key;
    }

    /// <summary>
    /// The condition a branch tests, in a canonical form: negations, <c>!=</c>, <c>&lt;=</c> and
    /// <c>&gt;=</c> become the positive test with a flipped <paramref name="polarity"/>. Null when
    /// the test calls code (its value may change between two evaluations).
    /// </summary>
    public string? Condition(IOperation operation, ref bool polarity)
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

    private string? ComputeCondition(IOperation operation, ref bool polarity)
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
            return left is null || right is null ? null : "(" + left + " " + kind + " " + right + ")";
        }

        return Render(operation);
    }

    private string? Render(IOperation operation)
    {
        if (operation.ConstantValue.HasValue)
        {
            return operation.ConstantValue.Value switch
            {
                null => "null",
                bool b => b ? "true" : "false",
                string s => "\"" + s + "\"",
                System.IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var other => other.ToString(),
            };
        }

        switch (operation)
        {
            case IConversionOperation conversion:
                return Render(conversion.Operand);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return Render(not.Operand) is { } inner ? "!" + inner : null;
            case IBinaryOperation binary:
                var left = Render(binary.LeftOperand);
                var right = Render(binary.RightOperand);
                return left is null || right is null ? null : "(" + left + " " + binary.OperatorKind + " " + right + ")";
        }

        return Storage(operation) is { } key && !IsCapture(key) ? "[" + key + "]" : null;
    }
}
