using System.Runtime.Versioning;

namespace Vmap.Native;

/// <summary>
/// The reservations of disposed native spaces that had TrackProvenance on: kept PROT_NONE so that a
/// stale pointer into them faults, until the process gives them back with
/// <see cref="VmapSpace.ReleaseRetainedAddressSpace"/>.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class RetainedReservations
{
    private static readonly object s_lock = new();
    private static readonly List<(nint Start, long Size)> s_ranges = new();

    public static void Add(nint start, long size)
    {
        lock (s_lock)
        {
            s_ranges.Add((start, size));
        }
    }

    /// <summary>munmaps every retained reservation; returns the bytes of address space given back.</summary>
    public static long ReleaseAll()
    {
        lock (s_lock)
        {
            long released = 0;
            foreach (var (start, size) in s_ranges)
            {
                if (Libc.munmap(start, (nuint)size) == 0)
                {
                    released += size;
                    ProcessMapCount.Add(-1);
                }
            }

            s_ranges.Clear();
            return released;
        }
    }
}
