using System.Collections.Generic;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.Analyzers.Pairing;

internal enum ConditionKind
{
    /// <summary>The value of a storage (<see cref="ConditionKey.Storage"/>).</summary>
    Storage,

    /// <summary>A compile-time constant, by its invariant text (<see cref="ConditionKey.Constant"/>).</summary>
    Constant,

    /// <summary>The negation of <see cref="ConditionKey.Left"/>.</summary>
    Not,

    /// <summary><see cref="ConditionKey.Left"/> <see cref="ConditionKey.Operator"/> <see cref="ConditionKey.Right"/>.</summary>
    Binary,

    /// <summary>
    /// Not a test the code makes: the fact "member <see cref="ConditionKey.Storage"/> was passed to an
    /// unmap on this path", kept with the conditions so that writing the member forgets it.
    /// </summary>
    Unmapped,

    /// <summary>
    /// Not a test the code makes: the fact "parameter <see cref="ConditionKey.Storage"/> was given to
    /// the checked input <see cref="ConditionKey.Constant"/> of a callee whose throws are precondition
    /// checks, and the call returned", so the same unchanged value passes the same check again.
    /// </summary>
    Checked,
}

/// <summary>
/// A condition a branch tests (or a fact kept beside them), as a tree over storages and constants.
/// Equality is structural, so the same test written twice is the same key; which storages it reads
/// and how it reads relative to another object are answered from the tree, never from text.
/// </summary>
internal sealed record ConditionKey(
    ConditionKind Kind,
    StorageKey? Storage = null,
    string? Constant = null,
    BinaryOperatorKind Operator = BinaryOperatorKind.None,
    ConditionKey? Left = null,
    ConditionKey? Right = null)
{
    /// <summary>The hash, computed once: keys are hashed at every lookup of a state's conditions (0: not yet).</summary>
    private int _hash;

    /// <summary>Computed once (see <see cref="RootsRead"/>).</summary>
    private object[]? _rootsRead;

    /// <summary>The copy <c>with</c> starts from: everything but the hash, which the changed key computes anew.</summary>
    private ConditionKey(ConditionKey original)
    {
        Kind = original.Kind;
        Storage = original.Storage;
        Constant = original.Constant;
        Operator = original.Operator;
        Left = original.Left;
        Right = original.Right;
    }

    /// <summary>The roots of the storages the condition reads, each once: the keys of a state's index of conditions (<see cref="Reads"/> is true only through them).</summary>
    public object[] RootsRead => _rootsRead ??= CollectRoots();

    private object[] CollectRoots()
    {
        var roots = new List<object>();
        var pending = new Stack<ConditionKey>();
        pending.Push(this);
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            if (next.Storage is { } storage && !roots.Contains(storage.Root))
            {
                roots.Add(storage.Root);
            }

            if (next.Left is { } left)
            {
                pending.Push(left);
            }

            if (next.Right is { } right)
            {
                pending.Push(right);
            }
        }

        return roots.ToArray();
    }

    public bool Equals(ConditionKey? other) =>
        ReferenceEquals(this, other) ||
        (other is not null && GetHashCode() == other.GetHashCode() && Kind == other.Kind && Operator == other.Operator &&
         Equals(Storage, other.Storage) && string.Equals(Constant, other.Constant, System.StringComparison.Ordinal) &&
         Equals(Left, other.Left) && Equals(Right, other.Right));

    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            var hash = unchecked((((((((int)Kind * 31) + (Storage?.GetHashCode() ?? 0)) * 31) +
                (Constant is null ? 0 : System.StringComparer.Ordinal.GetHashCode(Constant))) * 31 + (int)Operator) * 31 +
                (Left?.GetHashCode() ?? 0)) * 31 + (Right?.GetHashCode() ?? 0));
            _hash = hash == 0 ? 1 : hash;
        }

        return _hash;
    }

    public static ConditionKey Of(StorageKey storage) => new(ConditionKind.Storage, storage);

    public static ConditionKey OfConstant(string text) => new(ConditionKind.Constant, Constant: text);

    public static ConditionKey NotOf(ConditionKey operand) => new(ConditionKind.Not, Left: operand);

    public static ConditionKey BinaryOf(ConditionKey left, BinaryOperatorKind kind, ConditionKey right) =>
        new(ConditionKind.Binary, Operator: kind, Left: left, Right: right);

    public static ConditionKey UnmappedOf(StorageKey member) => new(ConditionKind.Unmapped, member);

    public static ConditionKey CheckedOf(StorageKey parameter, string callee) => new(ConditionKind.Checked, parameter, callee);

    /// <summary>Whether the condition reads <paramref name="key"/> or something reached through it.</summary>
    public bool Reads(StorageKey key) =>
        (Storage is { } storage && storage.IsWithin(key)) || (Left?.Reads(key) ?? false) || (Right?.Reads(key) ?? false);

    /// <summary>Whether the condition reads a member reached through <paramref name="receiver"/> (not the receiver itself).</summary>
    public bool ReadsMemberOf(StorageKey receiver) =>
        (Storage is { } storage && storage != receiver && storage.IsWithin(receiver)) ||
        (Left?.ReadsMemberOf(receiver) ?? false) || (Right?.ReadsMemberOf(receiver) ?? false);

    /// <summary>
    /// The same condition with every member reached through <paramref name="from"/> read through
    /// <paramref name="to"/> instead (<c>bp.Mapped</c> from <c>bp</c> to the member's object and back).
    /// </summary>
    public ConditionKey Rebase(StorageKey from, StorageKey to)
    {
        var storage = Storage is { } own && own != from && own.IsWithin(from) ? own.Rebase(from, to) : Storage;
        var left = Left?.Rebase(from, to);
        var right = Right?.Rebase(from, to);
        return storage == Storage && Equals(left, Left) && Equals(right, Right)
            ? this
            : this with { Storage = storage, Left = left, Right = right };
    }

    /// <summary>The key as tests and debuggers show it: <c>([n@p] GreaterThan 1)</c>, <c>[bp@p.Mapped]</c>.</summary>
    public override string ToString() => Kind switch
    {
        ConditionKind.Storage => "[" + Storage + "]",
        ConditionKind.Constant => Constant!,
        ConditionKind.Not => "!" + Left,
        ConditionKind.Binary => "(" + Left + " " + Operator + " " + Right + ")",
        ConditionKind.Checked => "checked[" + Storage + " by " + Constant + "]",
        _ => "unmapped[" + Storage + "]",
    };
}
