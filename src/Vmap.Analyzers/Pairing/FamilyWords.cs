namespace Vmap.Analyzers.Pairing;

/// <summary>
/// The words the messages use for a family, the ones a user of its API would write: what the
/// acquire did (<see cref="Acquired"/>), what the release does (<see cref="Released"/>), and
/// what the acquire hands out (<see cref="Noun"/>), and the release as a code fix's title says it
/// (<see cref="Release"/>: "Free before overwriting"). "The block in 'p' from AllocHGlobal ... is
/// lost without being freed", "'buf' is returned again here". The engine resolves them from the
/// family here, in one place; the rules put them into their messages (docs/configuration.md lists
/// each family's words).
/// </summary>
internal sealed record FamilyWords(string Acquired, string Released, string Noun, string Release)
{
    /// <summary>The runtime's families (runtime/Vmap/VmapSpace.cs declares them with <c>[MapsMemory]</c>).</summary>
    private const string RuntimeVmapRam = "vmap-ram";
    private const string RuntimeVmap = "vmap";
    private const string RuntimeVmalloc = "vmalloc";

    /// <summary>The runtime's own pairs (vmalloc.c's vfree unmaps the area too) and the OS mapping calls.</summary>
    public static readonly FamilyWords Mapping = new("mapped", "unmapped", "mapping", "Unmap");

    /// <summary>Declared pairs (attributes, <c>vmap_pair</c>) whose family has no words of its own: the vocabulary of <c>acquire:</c>/<c>release:</c>.</summary>
    public static readonly FamilyWords Declared = new("acquired", "released", "mapping", "Release");

    private static readonly FamilyWords Block = new("allocated", "freed", "block", "Free");
    private static readonly FamilyWords Bstr = new("allocated", "freed", "string", "Free");
    private static readonly FamilyWords Handle = new("allocated", "freed", "handle", "Free");
    private static readonly FamilyWords Array = new("rented", "returned", "array", "Return");
    private static readonly FamilyWords Region = new("allocated", "released", "region", "Release");
    private static readonly FamilyWords Pointer = new("acquired", "released", "pointer", "Release");

    /// <summary>
    /// The words of <paramref name="family"/>: a built-in family's own, the runtime's for its
    /// families, <see cref="Declared"/> otherwise; <paramref name="verb"/> (a <c>vmap_pair</c>'s
    /// <c>verb:</c>) replaces <see cref="Released"/>, and a fix's title then says "Release" (the
    /// imperative of a participle cannot be told from it).
    /// </summary>
    public static FamilyWords Of(string family, string? verb = null)
    {
        var words = family switch
        {
            BuiltInPairs.HGlobal or BuiltInPairs.CoTaskMem or BuiltInPairs.NativeMemory or BuiltInPairs.AlignedNativeMemory => Block,
            BuiltInPairs.Bstr => Bstr,
            BuiltInPairs.GCHandle => Handle,
            BuiltInPairs.ArrayPool => Array,
            OsPairs.VirtualAlloc => Region,
            OsPairs.SafeBufferPointer => Pointer,
            OsPairs.Mmap or OsPairs.MapView or RuntimeVmapRam or RuntimeVmap or RuntimeVmalloc => Mapping,
            _ => Declared,
        };
        return verb is null ? words : words with { Released = verb, Release = Declared.Release };
    }
}
