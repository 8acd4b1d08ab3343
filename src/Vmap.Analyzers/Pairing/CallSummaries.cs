using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

/// <summary>What a callee does with a mapping passed to one of its parameters.</summary>
internal enum CallEffect
{
    /// <summary>Reads it, dereferences it, lends it on: the caller still owns it and every rule goes on applying.</summary>
    Borrows,

    /// <summary>Releases it on every path that returns.</summary>
    Releases,

    /// <summary>Releases it exactly on the paths that return <see cref="ParameterSummary.ReleasedWhen"/>.</summary>
    ReleasesWhen,

    /// <summary>Releases it on some paths, with nothing the caller can test: the caller claims nothing afterwards.</summary>
    MayRelease,

    /// <summary>
    /// Stores it, or hands it to code we cannot see: it may own it now, so no leak is claimed; the
    /// caller's own later release is still checked.
    /// </summary>
    Adopts,
}

/// <summary>How a callee returns the mapping it was given.</summary>
internal enum ReturnShape
{
    None,

    /// <summary>Returns the address itself.</summary>
    Itself,

    /// <summary>Returns an address computed from it by arithmetic.</summary>
    Offset,
}

/// <summary>The API call inside a callee that made or released a mapping: a step of a cross-method path.</summary>
internal sealed record PathStep(string ApiName, Location At);

/// <summary>A release that happened inside a callee: the callee and the API call that did it there.</summary>
internal sealed record ReleaseVia(string Callee, PathStep Step);

/// <summary>
/// The summary of one parameter of one callee. <see cref="BorrowedAtThrow"/> is an explicit throw
/// of the callee's own body, outside any try, on whose every path the parameter's mapping is still
/// only lent (live, neither stored, released nor held by a member): a throw there leaves the block
/// with the caller.
/// </summary>
internal sealed record ParameterSummary(CallEffect Effect, UnmapSpec? Release = null, bool ReleasedWhen = false, PathStep? Step = null, ReturnShape Returns = ReturnShape.None, Location? BorrowedAtThrow = null)
{
    public static readonly ParameterSummary Borrowed = new(CallEffect.Borrows);
    public static readonly ParameterSummary Adopted = new(CallEffect.Adopts);
}

/// <summary>What a callee's body says about the exceptions it lets out to its caller.</summary>
internal enum ThrowKind
{
    /// <summary>No throw and no call that might throw: known not to throw.</summary>
    None,

    /// <summary>No throw of its own, but it calls code that is not known not to throw (counted only with <c>vmap_exception_paths = any_call</c>).</summary>
    Calls,

    /// <summary>An explicit throw it does not catch, on some path (its own, or a callee's followed to the summary depth).</summary>
    Throws,

    /// <summary>Not known: no body, depth exceeded, recursion, a failure. Never taken for <see cref="Throws"/>.</summary>
    Unknown,
}

/// <summary>
/// The throw summary of a callee. <see cref="Step"/> is where it throws (the <c>throw</c>, or the
/// call of the callee that does); <see cref="TestedParameters"/> are the parameters its branch
/// conditions read: a caller that passes a constant there may pass one the check never fails on,
/// so the engine claims nothing for that call. <see cref="CheckedInputs"/>, when set, says that every
/// throw of the callee is a precondition check: reached only through tests of the callee's own
/// inputs (the parameters it names, <see cref="ThrowSummary.Receiver"/> for its receiver's state),
/// a fact a caller may well have established (see <see cref="PairingWalker"/>'s NoteThrowingCall).
/// </summary>
internal sealed record ThrowSummary(ThrowKind Kind, PathStep? Step = null, ImmutableHashSet<int>? TestedParameters = null, ImmutableHashSet<int>? CheckedInputs = null)
{
    /// <summary>The input a precondition reads through the receiver (<c>this</c> and its members), in <see cref="CheckedInputs"/>.</summary>
    public const int Receiver = -1;

    public static readonly ThrowSummary None = new(ThrowKind.None);
    public static readonly ThrowSummary Calls = new(ThrowKind.Calls);
    public static readonly ThrowSummary Unknown = new(ThrowKind.Unknown);
}

/// <summary>A source method inferred to acquire: it returns a fresh mapping of <see cref="Spec"/> it made and kept.</summary>
internal sealed record AcquireSummary(MapSpec Spec, PathStep Step);

/// <summary>
/// The chain of summaries being computed on one thread: a callee met again while its own summary
/// is under way is in a recursion cycle, and every method of the cycle is treated as unknown.
/// </summary>
/// <remarks>
/// Depth is bounded without making results depend on the order summaries are asked for: each
/// summary records its height (the longest chain of summaries below it, itself included). A
/// summary whose chain does not fit below the current depth is unknown, whether it is cached or
/// would be computed; a computation that ran into the bound is not cached.
/// </remarks>
internal sealed class SummaryScope
{
    public const int MaxDepth = 6;

    /// <summary>The ordinal that stands for "the method as an acquire" in a key.</summary>
    public const int AcquireKey = int.MinValue;

    /// <summary>The ordinal that stands for "what the method throws" in a key.</summary>
    public const int ThrowKey = int.MinValue + 1;

    private static readonly KeyComparer Keys = new();

    private readonly List<(IMethodSymbol, int)> _stack = new();
    private readonly List<(int Height, bool Truncated)> _frames = new();
    private readonly HashSet<(IMethodSymbol, int)> _cyclic = new(Keys);

    public int Depth => _stack.Count;

    /// <summary>True when a summary of <paramref name="height"/> fits below the current depth.</summary>
    public bool Fits(int height) => Depth + height <= MaxDepth;

    /// <summary>The summary being computed used a callee's summary of <paramref name="height"/>.</summary>
    public void Used(int height)
    {
        if (_frames.Count > 0)
        {
            var top = _frames[_frames.Count - 1];
            _frames[_frames.Count - 1] = (System.Math.Max(top.Height, height + 1), top.Truncated);
        }
    }

    /// <summary>The summary being computed met the depth bound: it is unknown, and not cached.</summary>
    public void Truncate()
    {
        if (_frames.Count > 0)
        {
            var top = _frames[_frames.Count - 1];
            _frames[_frames.Count - 1] = (top.Height, true);
        }
    }

    public bool TryEnter((IMethodSymbol, int) key)
    {
        var at = -1;
        for (var i = 0; i < _stack.Count; i++)
        {
            if (Keys.Equals(_stack[i], key))
            {
                at = i;
                break;
            }
        }

        if (at >= 0)
        {
            for (var i = at; i < _stack.Count; i++)
            {
                _cyclic.Add(_stack[i]);
            }

            return false;
        }

        _stack.Add(key);
        _frames.Add((1, false));
        return true;
    }

    /// <summary>
    /// Leaves <paramref name="key"/>: whether it turned out to be part of a cycle (its result is
    /// unknown), its height, and whether it met the depth bound (then the caller is marked too).
    /// </summary>
    public (bool Cyclic, int Height, bool Truncated) Leave((IMethodSymbol, int) key)
    {
        _stack.RemoveAt(_stack.Count - 1);
        var frame = _frames[_frames.Count - 1];
        _frames.RemoveAt(_frames.Count - 1);
        if (frame.Truncated)
        {
            Truncate();
        }
        else
        {
            Used(frame.Height);
        }

        return (_cyclic.Remove(key), frame.Height, frame.Truncated);
    }

    /// <summary>Summaries of local functions, valid only inside the method whose graph declares them.</summary>
    public Dictionary<(IMethodSymbol, int), ParameterSummary> Local { get; } = new(Keys);

    /// <summary>Local functions as acquires (keyed by <see cref="AcquireKey"/> or the out parameter's ordinal); null when one is not.</summary>
    public Dictionary<(IMethodSymbol, int), AcquireSummary?> LocalAcquires { get; } = new(Keys);
}

/// <summary>A (method, parameter ordinal) key compared by symbol identity.</summary>
internal sealed class KeyComparer : IEqualityComparer<(IMethodSymbol, int)>
{
    public bool Equals((IMethodSymbol, int) x, (IMethodSymbol, int) y) => x.Item2 == y.Item2 && SymbolEqualityComparer.Default.Equals(x.Item1, y.Item1);

    public int GetHashCode((IMethodSymbol, int) obj) => SymbolEqualityComparer.Default.GetHashCode(obj.Item1) * 31 + obj.Item2;
}

/// <summary>
/// Summaries of source methods that receive (or return) a mapping, computed on first need by the
/// pairing walker itself and cached for the compilation. Concurrent callers may compute the same
/// summary twice; the result is the same, the first one stored wins.
/// </summary>
internal sealed class CallSummaries
{
    private static readonly object NoAcquire = new();

    private readonly Compilation _compilation;
    private readonly PairingContext _context;
    private int _bodiesBound;

    /// <summary>How many callee bodies were bound for summaries.</summary>
    internal int BodiesBound => Volatile.Read(ref _bodiesBound);
    private readonly ConcurrentDictionary<(IMethodSymbol, int), (ParameterSummary Summary, int Height)> _parameters = new(new KeyComparer());
    private readonly ConcurrentDictionary<(IMethodSymbol, int), (object Summary, int Height)> _acquires = new(new KeyComparer());
    private readonly ConcurrentDictionary<(IMethodSymbol, int), (ThrowSummary Summary, int Height)> _throws = new(new KeyComparer());

    internal PairingContext Context => _context;

    public CallSummaries(Compilation compilation, PairingContext context)
    {
        _compilation = compilation;
        _context = context;
    }

    /// <summary>
    /// True when the engine can know which body a call runs: a static, non-virtual, sealed or
    /// private method, or a local function, with a body in the compilation. Iterators run their
    /// body later, on enumeration: they are not seen through.
    /// </summary>
    public static bool CanSeeBody(IMethodSymbol method)
    {
        if (method.MethodKind == MethodKind.ReducedExtension && method.ReducedFrom is { } reduced)
        {
            method = reduced;
        }

        if (method.MethodKind is not (MethodKind.Ordinary or MethodKind.LocalFunction) || method.IsAbstract || method.IsExtern)
        {
            return false;
        }

        if (!method.IsStatic && (method.IsVirtual || method.IsOverride) && !method.IsSealed && !method.ContainingType.IsSealed)
        {
            return false;
        }

        return method.DeclaringSyntaxReferences.Length > 0;
    }

    /// <summary>
    /// P/Invoke parameters borrow, unless there is evidence native code may keep what it is given
    /// (<see cref="NativeMayKeep"/>) or the parameter is marked with [TakesOwnership].
    /// </summary>
    public static bool IsPlatformInvoke(IMethodSymbol method)
    {
        if (method.GetDllImportData() is not null)
        {
            return true;
        }

        foreach (var attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "LibraryImportAttribute" or "DllImportAttribute" })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the P/Invoke <paramref name="method"/> may keep a block of <paramref name="family"/>
    /// passed to it. Native code is a callee the engine cannot see: "it borrows" is an assumption,
    /// dropped wherever the program shows native code may free what it is given. The P/Invoke also
    /// receives a callback (native code can call back to release it); or the program hands a
    /// release of the family to native code as a value, or releases a value a P/Invoke returned
    /// with it (native code frees blocks of the family, or hands them back to be freed). The last
    /// two are evidence for the whole compilation: a native library is configured once (a destroy
    /// function registered in a constructor) and keeps what any method passes it later.
    /// </summary>
    public bool NativeMayKeep(IMethodSymbol method, string family, CancellationToken cancellationToken)
    {
        foreach (var parameter in method.Parameters)
        {
            if (parameter.Type.TypeKind == TypeKind.Delegate || parameter.Type is IFunctionPointerTypeSymbol)
            {
                return true;
            }
        }

        var freed = Volatile.Read(ref _nativeFreed);
        if (freed is null)
        {
            freed = NativeFreedFamilies(cancellationToken);
            Interlocked.CompareExchange(ref _nativeFreed, freed, null);
        }

        return freed.Contains(family) || freed.Contains(AnyFamily);
    }

    /// <summary>Stands for every family in <see cref="_nativeFreed"/>: a tree the compiler could not represent hid the evidence.</summary>
    private const string AnyFamily = "*";

    private ImmutableHashSet<string>? _nativeFreed;

    /// <summary>The families whose release the program hands to native code, or applies to a value a P/Invoke returned.</summary>
    private ImmutableHashSet<string> NativeFreedFamilies(CancellationToken cancellationToken)
    {
        var families = ImmutableHashSet.CreateBuilder<string>(System.StringComparer.Ordinal);
        var scan = _context.Scan;
        foreach (var tree in scan.Trees)
        {
            if (!_compilation.ContainsSyntaxTree(tree))
            {
                continue;
            }

            var root = tree.GetRoot(cancellationToken);
            SemanticModel? model = null;
            foreach (var position in scan.PositionsIn(tree))
            {
                if (root.FindToken(position).Parent is not SimpleNameSyntax name)
                {
                    continue;
                }

                var named = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? (ExpressionSyntax)access : name;
#pragma warning disable RS1030
                model ??= _compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                try
                {
                    if (named.Parent is InvocationExpressionSyntax call && call.Expression == named)
                    {
                        // Bound only when an argument may be a call's result: most releases free a
                        // local assigned by an acquire, and no argument of most acquires is.
                        if (MayReleaseCallResult(call) &&
                            EngineFailureLog.Operation(model, call, cancellationToken) is IInvocationOperation invocation &&
                            _context.Pairs.Get(invocation.TargetMethod) is { } release)
                        {
                            foreach (var unmap in release.Unmaps)
                            {
                                if (ReleasesNativeResult(invocation, unmap.Ordinal, model, cancellationToken))
                                {
                                    families.Add(unmap.Family);
                                }
                            }
                        }
                    }
                    else if (EngineFailureLog.Operation(model, named, cancellationToken) is IMethodReferenceOperation reference &&
                        _context.Pairs.Get(reference.Method) is { } handed)
                    {
                        // Marshal.FreeHGlobal as a delegate or a function pointer: a release given away as a value.
                        foreach (var unmap in handed.Unmaps)
                        {
                            families.Add(unmap.Family);
                        }
                    }
                }
                catch (CompilerFailureException)
                {
                    // Evidence the compiler cannot show may be there: every family may be freed natively.
                    families.Add(AnyFamily);
                }
            }
        }

        return families.ToImmutable();
    }

    /// <summary>Whether an argument of <paramref name="call"/> is a call, or a local its method assigns a call's result (by name).</summary>
    private static bool MayReleaseCallResult(InvocationExpressionSyntax call)
    {
        SyntaxNode? body = null;
        foreach (var argument in call.ArgumentList.Arguments)
        {
            var value = Unwrap(argument.Expression);
            if (value is InvocationExpressionSyntax)
            {
                return true;
            }

            if (value is not IdentifierNameSyntax identifier)
            {
                continue;
            }

            body ??= EnclosingBody(call);
            foreach (var written in Writes(body, identifier.Identifier.ValueText))
            {
                if (written is InvocationExpressionSyntax)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static SyntaxNode? EnclosingBody(SyntaxNode node) =>
        node.FirstAncestorOrSelf<SyntaxNode>(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax);

    /// <summary>The values written to a local named <paramref name="name"/> in <paramref name="body"/>, casts and parentheses taken off.</summary>
    private static IEnumerable<ExpressionSyntax> Writes(SyntaxNode? body, string name)
    {
        foreach (var node in body?.DescendantNodes() ?? System.Linq.Enumerable.Empty<SyntaxNode>())
        {
            var written = node switch
            {
                VariableDeclaratorSyntax declarator when declarator.Identifier.ValueText == name => declarator.Initializer?.Value,
                AssignmentExpressionSyntax { Left: IdentifierNameSyntax target } assignment when target.Identifier.ValueText == name => assignment.Right,
                _ => null,
            };
            if (written is not null)
            {
                yield return Unwrap(written);
            }
        }
    }

    private static ExpressionSyntax Unwrap(ExpressionSyntax expression)
    {
        while (true)
        {
            switch (expression)
            {
                case CastExpressionSyntax cast:
                    expression = cast.Expression;
                    continue;
                case ParenthesizedExpressionSyntax parenthesized:
                    expression = parenthesized.Expression;
                    continue;
                default:
                    return expression;
            }
        }
    }

    /// <summary>
    /// Whether the argument <paramref name="release"/> releases (parameter <paramref name="ordinal"/>)
    /// is a value a P/Invoke returned: the call itself, or a local of the method assigned one.
    /// </summary>
    private static bool ReleasesNativeResult(IInvocationOperation release, int ordinal, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (var argument in release.Arguments)
        {
            if (argument.Parameter?.Ordinal != ordinal)
            {
                continue;
            }

            var value = argument.Value;
            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }

            if (value is IInvocationOperation returned)
            {
                return IsPlatformInvoke(returned.TargetMethod);
            }

            if (value is not ILocalReferenceOperation local)
            {
                return false;
            }

            // Every write of the local in its method, by name: a name shared with another local
            // only adds evidence, which can only make the engine quieter.
            foreach (var written in Writes(EnclosingBody(release.Syntax), local.Local.Name))
            {
                if (written is InvocationExpressionSyntax call &&
                    model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol callee && IsPlatformInvoke(callee))
                {
                    return true;
                }
            }

            return false;
        }

        return false;
    }

    /// <summary>The effect of <paramref name="method"/> on a mapping passed as its parameter <paramref name="ordinal"/>.</summary>
    public ParameterSummary Parameter(IMethodSymbol method, int ordinal, SummaryScope scope, CancellationToken cancellationToken)
    {
        method = Definition(method);
        return Summary(_parameters, (method, ordinal), scope, ParameterSummary.Adopted, () =>
            Body(method, cancellationToken) is { } body
                ? PairingWalker.SummariseParameter(body.Graph, _context, method, body.Syntax, ordinal, scope, cancellationToken)
                : ParameterSummary.Adopted);
    }

    /// <summary>
    /// A summary from <paramref name="cache"/>, or computed by <paramref name="compute"/> inside
    /// <paramref name="scope"/>: <paramref name="unknown"/> when its chain does not fit below the
    /// current depth, when it is part of a recursion cycle, or when its computation met the bound
    /// (then it is not cached).
    /// </summary>
    private static T Summary<T>(ConcurrentDictionary<(IMethodSymbol, int), (T Summary, int Height)> cache, (IMethodSymbol, int) key, SummaryScope scope, T unknown, System.Func<T> compute)
        where T : class
    {
        if (cache.TryGetValue(key, out var cached))
        {
            return Use(scope, cached.Summary, cached.Height) ?? unknown;
        }

        if (!scope.Fits(1))
        {
            scope.Truncate();
            return unknown;
        }

        if (!scope.TryEnter(key))
        {
            return unknown;
        }

        T result;
        (bool Cyclic, int Height, bool Truncated) left = default;
        try
        {
            result = compute();
        }
        finally
        {
            left = scope.Leave(key);
        }

        if (left.Truncated)
        {
            return unknown;
        }

        return cache.GetOrAdd(key, (left.Cyclic ? unknown : result, left.Height)).Summary;
    }

    /// <summary>A cached summary, if its chain fits below the current depth (null: unknown).</summary>
    private static T? Use<T>(SummaryScope scope, T summary, int height)
        where T : class
    {
        if (!scope.Fits(height))
        {
            scope.Truncate();
            return null;
        }

        scope.Used(height);
        return summary;
    }

    /// <summary>
    /// The acquire <paramref name="method"/> is inferred to be through its result (or, with
    /// <paramref name="outOrdinal"/>, through that out parameter), or null.
    /// </summary>
    public AcquireSummary? Acquire(IMethodSymbol method, SummaryScope scope, CancellationToken cancellationToken, int? outOrdinal = null)
    {
        method = Definition(method);

        // An acquirer's name is in the text scan's closure (the methods around an acquire, to the
        // same depth), so a callee whose name is not is never bound just to learn it acquires nothing.
        if (!_context.Scan.MayAcquire(method))
        {
            return null;
        }

        return Summary(_acquires, (method, outOrdinal ?? SummaryScope.AcquireKey), scope, NoAcquire, () =>
            (Body(method, cancellationToken) is { } body && MentionsPairApi(body.Graph)
                ? PairingWalker.SummariseAcquire(body.Graph, _context, method, body.Syntax, outOrdinal, scope, cancellationToken)
                : null) ?? NoAcquire) as AcquireSummary;
    }

    /// <summary>
    /// What <paramref name="method"/> (a source method whose body the engine can see) lets out:
    /// an explicit throw outside any try with a catch, a <c>[DoesNotReturn]</c> call, or a call of a
    /// source method that throws, followed to the summary depth. A cycle or the depth bound makes
    /// it <see cref="ThrowKind.Unknown"/>, never <see cref="ThrowKind.Throws"/>.
    /// </summary>
    public ThrowSummary Throws(IMethodSymbol method, SummaryScope scope, CancellationToken cancellationToken)
    {
        method = Definition(method);
        return Summary(_throws, (method, SummaryScope.ThrowKey), scope, ThrowSummary.Unknown, () =>
            !MayThrowOrCall(method, cancellationToken) ? ThrowSummary.None
            : Body(method, cancellationToken) is { } body ? ThrowWalk.Summarise(body.Graph, method, this, scope, cancellationToken)
            : ThrowSummary.Unknown);
    }

    /// <summary>The text gate in front of binding a callee for its throw summary: a body with no throw and no call cannot throw.</summary>
    private static bool MayThrowOrCall(IMethodSymbol method, CancellationToken cancellationToken)
    {
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            foreach (var node in reference.GetSyntax(cancellationToken).DescendantNodes())
            {
                if (node is ThrowStatementSyntax or ThrowExpressionSyntax or InvocationExpressionSyntax)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Whether the value a call returns may be a mapping: an address, a pointer, an array or a handle struct.</summary>
    public static bool MayReturnMapping(IMethodSymbol method) => MayHoldMapping(method.ReturnType);

    /// <summary>Whether a value of <paramref name="type"/> may be a mapping: an address, a pointer, an array or a handle struct.</summary>
    public static bool MayHoldMapping(ITypeSymbol type) =>
        type is { SpecialType: SpecialType.System_IntPtr or SpecialType.System_UIntPtr } or IPointerTypeSymbol or IArrayTypeSymbol ||
        type is INamedTypeSymbol { Name: "GCHandle", IsValueType: true };

    private bool MentionsPairApi(ControlFlowGraph graph)
    {
        foreach (var block in graph.Blocks)
        {
            foreach (var operation in block.Operations)
            {
                foreach (var node in operation.DescendantsAndSelf())
                {
                    if (node is IInvocationOperation invocation &&
                        (_context.Pairs.Get(invocation.TargetMethod) is not null || (MayReturnMapping(invocation.TargetMethod) && CanSeeBody(invocation.TargetMethod))))
                    {
                        return true;
                    }
                }
            }

            if (block.BranchValue is { } value)
            {
                foreach (var node in value.DescendantsAndSelf())
                {
                    if (node is IInvocationOperation invocation &&
                        (_context.Pairs.Get(invocation.TargetMethod) is not null || (MayReturnMapping(invocation.TargetMethod) && CanSeeBody(invocation.TargetMethod))))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static IMethodSymbol Definition(IMethodSymbol method)
    {
        if (method.MethodKind == MethodKind.ReducedExtension && method.ReducedFrom is { } reduced)
        {
            method = reduced;
        }

        method = method.OriginalDefinition;
        return method.PartialImplementationPart ?? method;
    }

    /// <summary>Callees whose body the compiler could not represent: recorded once, then unknown to every summary.</summary>
    private readonly ConcurrentDictionary<IMethodSymbol, bool> _failedBodies = new(SymbolEqualityComparer.Default);

    private (ControlFlowGraph Graph, SyntaxNode Syntax)? Body(IMethodSymbol method, CancellationToken cancellationToken)
    {
        if (_failedBodies.ContainsKey(method))
        {
            return null;
        }

        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not MethodDeclarationSyntax declaration ||
                (declaration.Body is null && declaration.ExpressionBody is null))
            {
                continue;
            }

            if (!_compilation.ContainsSyntaxTree(declaration.SyntaxTree))
            {
                // Source of another compilation (an editor's project reference): its body cannot be
                // bound here, so the callee is unknown, as a metadata reference's would be.
                return null;
            }

            if (IsIterator(declaration))
            {
                // An iterator runs its body on enumeration, not at the call.
                return null;
            }

            // A callee's body may be in another tree than the one being analyzed; it is bound once
            // per compilation, and only when a call hands it a mapping.
#pragma warning disable RS1030
            var model = _compilation.GetSemanticModel(declaration.SyntaxTree);
#pragma warning restore RS1030
            Interlocked.Increment(ref _bodiesBound);
            try
            {
                if (EngineFailureLog.Operation(model, declaration, cancellationToken) is not IMethodBodyOperation body)
                {
                    return null;
                }

                var syntax = (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody!;
                return (EngineFailureLog.Graph(body, cancellationToken), syntax);
            }
            catch (CompilerFailureException ex)
            {
                // A callee the compiler cannot represent (its user is mid-typing there) is unknown
                // to its callers, as one without a body is; the callers are still analyzed.
                if (_failedBodies.TryAdd(method, true))
                {
                    _context.Failures.Record(_compilation, method, ex);
                }

                return null;
            }
        }

        return null;
    }

    private static bool IsIterator(SyntaxNode declaration)
    {
        foreach (var node in declaration.DescendantNodes(n => n is not (LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax)))
        {
            if (node is YieldStatementSyntax)
            {
                return true;
            }
        }

        return false;
    }
}
