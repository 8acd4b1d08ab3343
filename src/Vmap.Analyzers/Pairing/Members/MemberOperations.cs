using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing.Members;

/// <summary>Small operation-tree helpers the member analyses share.</summary>
internal static class MemberOperations
{
    /// <summary>The operations of the body itself: a lambda or local function is another body.</summary>
    public static IEnumerable<IOperation> Descendants(IOperation root)
    {
        var stack = new Stack<IOperation>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var operation = stack.Pop();
            yield return operation;
            foreach (var child in operation.ChildOperations)
            {
                if (child is not (IAnonymousFunctionOperation or ILocalFunctionOperation))
                {
                    stack.Push(child);
                }
            }
        }
    }

    public static IOperation StripConversions(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation { Operand: var converted }:
                    operation = converted;
                    break;
                case IParenthesizedOperation { Operand: var inner }:
                    operation = inner;
                    break;
                default:
                    return operation;
            }
        }
    }

    /// <summary>The operand <paramref name="unmap"/> releases in <paramref name="invocation"/>: the receiver, or the argument of its parameter.</summary>
    public static IOperation? Released(IInvocationOperation invocation, UnmapSpec unmap)
    {
        if (unmap.Ordinal == UnmapSpec.Receiver)
        {
            return invocation.Instance;
        }

        IOperation? operand = null;
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Ordinal == unmap.Ordinal)
            {
                operand = argument.Value;
            }
        }

        return operand;
    }
}
