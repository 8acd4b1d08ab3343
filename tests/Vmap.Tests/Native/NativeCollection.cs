namespace Vmap.Tests.Native;

/// <summary>
/// Native tests run one at a time: they read /proc/self/maps for ranges they just released, and
/// one of them takes the process to its map-count limit, which no other test should witness.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeCollection
{
    public const string Name = "native memory";
}
