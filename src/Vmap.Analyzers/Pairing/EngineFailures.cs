using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>Who failed when a method had to be skipped.</summary>
internal enum EngineFailureKind
{
    /// <summary>The analyzers' own code (or their misuse of a compiler API): a bug of ours.</summary>
    Engine,

    /// <summary>
    /// The compiler could not build the operation tree or the flow graph of the user's code (Roslyn
    /// 4.8 throws for a switch expression without a natural type in a declaration, mid-typing).
    /// Not ours to fix, and not ours to turn into AD0001.
    /// </summary>
    Compiler,
}

/// <summary>One skipped piece of analysis: of <see cref="Owner"/> (null: the compilation as a whole).</summary>
internal sealed record EngineFailure(Compilation Compilation, ISymbol? Owner, EngineFailureKind Kind, Exception Exception);

/// <summary>
/// A method whose walk needed more steps than its budget allows (<see cref="PairingWalker"/>): no
/// finding of it is reported, and it is counted (<see cref="EngineFailureLog.GivenUp"/>) so that the
/// silence can be seen.
/// </summary>
internal sealed record GivenUpMethod(IMethodSymbol Method, int Budget);

/// <summary>
/// The compiler threw while it built the operation tree or the flow graph of user code it had
/// accepted (<see cref="Compiler"/>); the inner exception is the compiler's own.
/// </summary>
internal sealed class CompilerFailureException : Exception
{
    public CompilerFailureException(Exception inner)
        : base("The compiler could not represent this code: " + inner.Message, inner)
    {
    }
}

/// <summary>
/// The failures of one compilation's analysis, counted. A method the analyzers cannot follow is
/// skipped rather than reported as AD0001, which would cost the user every other diagnostic of the
/// compilation; the count (and <see cref="Reported"/>, for tests) keeps a skip from going unseen.
/// </summary>
internal sealed class EngineFailureLog
{
    private int _engine;
    private int _compiler;

    /// <summary>
    /// Raised for every failure of every compilation. Tests subscribe to see the skips the
    /// analyzers swallow; filter on <see cref="EngineFailure.Compilation"/> (tests run in parallel).
    /// </summary>
    internal static event Action<EngineFailure>? Reported;

    /// <summary>
    /// Raised for every method given up by the step budget, in any compilation. Tests subscribe to
    /// see them; filter on the method's assembly (tests run in parallel).
    /// </summary>
    internal static event Action<GivenUpMethod>? MethodGivenUp;

    private int _givenUp;

    /// <summary>Methods (and lambdas or local functions) whose walk the step budget gave up: none of their findings is reported.</summary>
    public int GivenUp => Volatile.Read(ref _givenUp);

    /// <summary>Counts a walk given up by the step budget and tells the subscribers.</summary>
    public void GiveUp(IMethodSymbol method, int budget)
    {
        Interlocked.Increment(ref _givenUp);
        MethodGivenUp?.Invoke(new GivenUpMethod(method, budget));
    }

    /// <summary>Skips caused by the analyzers' own code.</summary>
    public int EngineFailures => Volatile.Read(ref _engine);

    /// <summary>Skips caused by the compiler failing on the user's code.</summary>
    public int CompilerFailures => Volatile.Read(ref _compiler);

    /// <summary>
    /// Runs <paramref name="analysis"/> of <paramref name="owner"/>; a failure other than a
    /// cancellation is counted and the analysis dropped. With <paramref name="rethrow"/> (tests:
    /// <see cref="PairingAnalyzer.ThrowOnEngineFailure"/>) a failure of our own is rethrown as
    /// well, so that it surfaces as AD0001; the compiler's never is.
    /// </summary>
    public void Guard(Compilation compilation, ISymbol? owner, Action analysis, bool rethrow)
    {
        try
        {
            analysis();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var kind = Record(compilation, owner, ex);
            if (rethrow && kind == EngineFailureKind.Engine)
            {
                throw;
            }
        }
    }

    /// <summary>Counts <paramref name="exception"/> and tells the subscribers; returns whose failure it was.</summary>
    public EngineFailureKind Record(Compilation compilation, ISymbol? owner, Exception exception)
    {
        var kind = exception is CompilerFailureException ? EngineFailureKind.Compiler : EngineFailureKind.Engine;
        Interlocked.Increment(ref kind == EngineFailureKind.Compiler ? ref _compiler : ref _engine);
        Reported?.Invoke(new EngineFailure(compilation, owner, kind, exception));
        return kind;
    }

    /// <summary>The operation tree of a declaration or code block of user code (see <see cref="Compiler{T}"/>).</summary>
    public static IOperation? Operation(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken) =>
        Compiler(() => model.GetOperation(node, cancellationToken));

    /// <summary>The flow graph of a method body, a constructor body or a block of user code (see <see cref="Compiler{T}"/>).</summary>
    public static ControlFlowGraph Graph(IOperation body, CancellationToken cancellationToken) => Compiler(() => body switch
    {
        IMethodBodyOperation method => ControlFlowGraph.Create(method, cancellationToken),
        IConstructorBodyOperation constructor => ControlFlowGraph.Create(constructor, cancellationToken),
        _ => ControlFlowGraph.Create((IBlockOperation)body, cancellationToken),
    });

    /// <summary>
    /// A compiler call that builds a representation of user code. What it throws is the
    /// compiler's failure — except an argument exception, which says we called it wrongly.
    /// </summary>
    private static T Compiler<T>(Func<T> build)
    {
        try
        {
            return build();
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or ArgumentException or InvalidCastException))
        {
            throw new CompilerFailureException(ex);
        }
    }
}
