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
internal readonly record struct StorageRoot(StorageRootKind Kind, string Name, int Position = 0)
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
/// One storage the engine tracks: a root and the member path reached through it (<c>bp.Addr</c> is
/// the parameter <c>bp</c> and the path <c>Addr</c>; <c>this._buf.Length</c> has the path <c>_buf.Length</c>).
/// </summary>
internal readonly record struct StorageKey(StorageRoot Root, string? Path = null)
{
    /// <summary>True for a field or property reached through the root (the storage outlives a local).</summary>
    public bool IsMember => Path is not null;

    /// <summary>True for a flow capture and anything reached through one (an object initializer's target).</summary>
    public bool IsCapture => Root.Kind == StorageRootKind.Capture;

    /// <summary>The storage of member <paramref name="name"/> reached through this one.</summary>
    public StorageKey Member(string name) => new(Root, Path is null ? name : Path + "." + name);

    /// <summary>The storage this member is reached through (<c>bp</c> for <c>bp.Addr</c>); itself for a root.</summary>
    public StorageKey Receiver
    {
        get
        {
            if (Path is null)
            {
                return this;
            }

            var dot = Path.LastIndexOf('.');
            return new StorageKey(Root, dot < 0 ? null : Path.Substring(0, dot));
        }
    }

    /// <summary>
    /// This storage read through <paramref name="to"/> instead of <paramref name="from"/>, which it
    /// is within (<c>bp.Mapped</c> from <c>bp</c> to <c>this</c> is <c>this.Mapped</c>).
    /// </summary>
    public StorageKey Rebase(StorageKey from, StorageKey to)
    {
        var rest = Path == from.Path ? null : from.Path is null ? Path : Path!.Substring(from.Path.Length + 1);
        return new StorageKey(to.Root, rest is null ? to.Path : to.Path is null ? rest : to.Path + "." + rest);
    }

    /// <summary>The last member name of the path, or the root's name.</summary>
    public string LastName => Path is null ? Root.Name : Path.Substring(Path.LastIndexOf('.') + 1);

    /// <summary>True when this is <paramref name="key"/> or reached through it (<c>bp.Addr</c> through <c>bp</c>).</summary>
    public bool IsWithin(StorageKey key) =>
        Root == key.Root &&
        (key.Path is null || Path == key.Path || (Path is not null && Path.Length > key.Path.Length && Path[key.Path.Length] == '.' &&
            Path.StartsWith(key.Path, System.StringComparison.Ordinal)));

    /// <summary>How the storage reads in a message: <c>bp.Addr</c>; <c>_addr</c> for <c>this._addr</c>.</summary>
    public string Display => Root.Kind == StorageRootKind.This
        ? Path ?? "this"
        : Path is null ? Root.Name : Root.Name + "." + Path;

    /// <summary>The key as condition keys render it: <c>bp@p.Addr</c>.</summary>
    public override string ToString() => Path is null ? Root.ToString() : Root + "." + Path;
}
