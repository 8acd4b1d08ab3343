using System.Globalization;

namespace Vmap.Analyzers.Pairing;

internal enum StorageRootKind
{
    Local,

    Parameter,

    /// <summary>The instance the method runs on.</summary>
    This,

    /// <summary>A type, as the receiver of its static members.</summary>
    Type,

    /// <summary>A flow capture of the control flow graph (a temporary).</summary>
    Capture,

    /// <summary>The object whose member a guard is about, whatever the unmapping method calls it (member guards).</summary>
    Object,
}

/// <summary>
/// What a storage is rooted in: a local (its declaration position tells shadowed locals apart), a
/// parameter, <c>this</c>, a type (static members) or a flow capture (its number).
/// </summary>
internal sealed record StorageRoot(StorageRootKind Kind, string Name, int Position = 0)
{
    public static readonly StorageRoot This = new(StorageRootKind.This, "this");

    /// <summary>The root of member guards: the object the guarded member belongs to.</summary>
    public static readonly StorageRoot Object = new(StorageRootKind.Object, "$");

    /// <summary>The root as condition keys render it: <c>p@120</c>, <c>n@p</c>, <c>this</c>, <c>Cache@t</c>, <c>#3</c>.</summary>
    public override string ToString() => Kind switch
    {
        StorageRootKind.Local => Name + "@" + Position.ToString(CultureInfo.InvariantCulture),
        StorageRootKind.Parameter => Name + "@p",
        StorageRootKind.Type => Name + "@t",
        StorageRootKind.Capture => "#" + Position.ToString(CultureInfo.InvariantCulture),
        StorageRootKind.Object => "$",
        _ => "this",
    };
}

/// <summary>
/// The members reached from a storage root, outermost last: <c>_buf.Length</c> is the path
/// (<c>_buf</c>) then <c>Length</c>. Immutable, compared by value; a path's receiver is its parent,
/// so nothing is ever built as text and parsed back.
/// </summary>
internal sealed class MemberPath : System.IEquatable<MemberPath>
{
    private readonly int _hash;

    private MemberPath(MemberPath? parent, string name)
    {
        Parent = parent;
        Name = name;
        Depth = parent is null ? 1 : parent.Depth + 1;
        _hash = unchecked(((parent?._hash ?? 17) * 31) + System.StringComparer.Ordinal.GetHashCode(name));
    }

    /// <summary>The path this one extends (<c>_buf</c> for <c>_buf.Length</c>); null for a single member.</summary>
    public MemberPath? Parent { get; }

    /// <summary>The last member's name.</summary>
    public string Name { get; }

    /// <summary>How many members the path goes through.</summary>
    public int Depth { get; }

    public static MemberPath Of(MemberPath? parent, string name) => new(parent, name);

    /// <summary>The path's first member (<c>_buf</c> for <c>_buf.Length</c>).</summary>
    public MemberPath First
    {
        get
        {
            var path = this;
            while (path.Parent is not null)
            {
                path = path.Parent;
            }

            return path;
        }
    }

    /// <summary>True when this path is <paramref name="prefix"/> or goes on from it.</summary>
    public bool StartsWith(MemberPath prefix)
    {
        var path = this;
        while (path is not null && path.Depth > prefix.Depth)
        {
            path = path.Parent;
        }

        return prefix.Equals(path);
    }

    /// <summary>This path with <paramref name="prefix"/> (which it starts with) replaced by <paramref name="replacement"/>.</summary>
    public MemberPath? Rebase(MemberPath? prefix, MemberPath? replacement)
    {
        if (Depth == (prefix?.Depth ?? 0))
        {
            return replacement;
        }

        // Deeper than the prefix: a path of one member only goes on from the root itself.
        return Of(Parent is null ? replacement : Parent.Rebase(prefix, replacement), Name);
    }

    public bool Equals(MemberPath? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return other is not null && other._hash == _hash && other.Depth == Depth &&
            string.Equals(other.Name, Name, System.StringComparison.Ordinal) && Equals(Parent, other.Parent);
    }

    public override bool Equals(object? obj) => obj is MemberPath other && Equals(other);

    public override int GetHashCode() => _hash;

    /// <summary>The path as messages and condition keys render it: <c>_buf.Length</c>.</summary>
    public override string ToString() => Parent is null ? Name : Parent + "." + Name;

    private static bool Equals(MemberPath? a, MemberPath? b) => a is null ? b is null : a.Equals(b);
}

/// <summary>
/// One storage the engine tracks: a root and the member path reached through it (<c>bp.Addr</c> is
/// the parameter <c>bp</c> and the path <c>Addr</c>; <c>this._buf.Length</c> has the path <c>_buf.Length</c>).
/// </summary>
internal sealed record StorageKey(StorageRoot Root, MemberPath? Path = null)
{
    /// <summary>The hash, computed once: keys are hashed at every lookup of a state's storage (0: not yet).</summary>
    private int _hash;

    /// <summary>Computed once (see <see cref="IndexKeys"/>).</summary>
    private object[]? _indexKeys;

    /// <summary>The copy <c>with</c> starts from: everything but the hash, which the changed key computes anew.</summary>
    private StorageKey(StorageKey original)
    {
        Root = original.Root;
        Path = original.Path;
    }

    public bool Equals(StorageKey? other) =>
        ReferenceEquals(this, other) ||
        (other is not null && GetHashCode() == other.GetHashCode() && Root == other.Root && Equals(Path, other.Path));

    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            var hash = unchecked((Root.GetHashCode() * 31) + (Path?.GetHashCode() ?? 0));
            _hash = hash == 0 ? 1 : hash;
        }

        return _hash;
    }

    /// <summary>The storage of the path's first member (<c>bp._buf</c> for <c>bp._buf.Length</c>); itself for a root or one member.</summary>
    public StorageKey FirstMember => Path?.Parent is null ? this : (StorageKey)IndexKeys[1];

    /// <summary>What a state's index of storages files this key under: its root, and for a member its first member.</summary>
    public object[] IndexKeys => _indexKeys ??= Path is null ? new object[] { Root }
        : Path.Parent is null ? new object[] { Root, this }
        : new object[] { Root, new StorageKey(Root, Path.First) };

    /// <summary>True for a field or property reached through the root (the storage outlives a local).</summary>
    public bool IsMember => Path is not null;

    /// <summary>True for a flow capture and anything reached through one (an object initializer's target).</summary>
    public bool IsCapture => Root.Kind == StorageRootKind.Capture;

    /// <summary>The storage of member <paramref name="name"/> reached through this one.</summary>
    public StorageKey Member(string name) => new(Root, MemberPath.Of(Path, name));

    /// <summary>The storage this member is reached through (<c>bp</c> for <c>bp.Addr</c>); itself for a root.</summary>
    public StorageKey Receiver => Path is null ? this : new StorageKey(Root, Path.Parent);

    /// <summary>
    /// This storage read through <paramref name="to"/> instead of <paramref name="from"/>, which it
    /// is within (<c>bp.Mapped</c> from <c>bp</c> to <c>this</c> is <c>this.Mapped</c>).
    /// </summary>
    public StorageKey Rebase(StorageKey from, StorageKey to) =>
        new(to.Root, Path is null ? to.Path : Path.Rebase(from.Path, to.Path));

    /// <summary>The last member name of the path, or the root's name.</summary>
    public string LastName => Path is null ? Root.Name : Path.Name;

    /// <summary>True when this is <paramref name="key"/> or reached through it (<c>bp.Addr</c> through <c>bp</c>).</summary>
    public bool IsWithin(StorageKey key) =>
        Root == key.Root && (key.Path is null || (Path is not null && Path.StartsWith(key.Path)));

    /// <summary>How the storage reads in a message: <c>bp.Addr</c>; <c>_addr</c> for <c>this._addr</c>.</summary>
    public string Display => Root.Kind == StorageRootKind.This
        ? Path?.ToString() ?? "this"
        : Path is null ? Root.Name : Root.Name + "." + Path;

    /// <summary>The key as condition keys render it: <c>bp@p.Addr</c>.</summary>
    public override string ToString() => Path is null ? Root.ToString() : Root + "." + Path;
}
