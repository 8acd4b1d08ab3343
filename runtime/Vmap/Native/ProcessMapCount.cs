using System.Runtime.Versioning;

namespace Vmap.Native;

/// <summary>
/// The process's memory mappings against vm.max_map_count, shared by every native space. The
/// mappings inside the spaces' reservations are counted exactly as they change; the rest of the
/// process (heap, thread stacks, libraries, other spaces' pools) is read from /proc/self/maps, again
/// whenever the last reading may have gone stale: once half the room it left is used up, once it is
/// 50 ms old, and before any refusal. So no space, however many there are, can take the process past its limit minus the
/// runtime's headroom, and a reading costs one pass over a file that the process is far from filling.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class ProcessMapCount
{
    private static readonly object s_lock = new();

    /// <summary>Mappings held by the reservations of every live native space.</summary>
    private static long s_inside;

    /// <summary>
    /// The joints of every live native space (<see cref="VmaLayout.Joints"/>): how many more
    /// mappings unmaps alone could still cut their reservations into. Counted against the limit
    /// with the mappings themselves, so an unmap never needs a mapping the budget has not kept.
    /// </summary>
    private static long s_joints;

    /// <summary>Mappings outside every reservation at the last reading; -1 before the first.</summary>
    private static long s_outside = -1;

    /// <summary>How long a reading is trusted: a process starts threads or grows its heap at human speed, a space maps at microseconds.</summary>
    private const long TrustMilliseconds = 50;

    /// <summary>The process's total at the last reading, plus the joints then: what the budget was measured against.</summary>
    private static long s_readTotal;

    /// <summary>When the last reading was taken (Environment.TickCount64).</summary>
    private static long s_readAt;

    /// <summary>Readings of /proc/self/maps so far (for tests and benchmarks).</summary>
    public static long Readings { get; private set; }

    /// <summary>Counts <paramref name="delta"/> more (or, negative, fewer) mappings inside a reservation, after the fact.</summary>
    public static void Add(int delta)
    {
        lock (s_lock)
        {
            s_inside += delta;
        }
    }

    /// <summary>Counts <paramref name="delta"/> more (or fewer) joints, after the fact.</summary>
    public static void AddJoints(int delta)
    {
        lock (s_lock)
        {
            s_joints += delta;
        }
    }

    /// <summary>
    /// Asks for <paramref name="delta"/> more mappings and <paramref name="joints"/> more joints for
    /// a space that holds <paramref name="holds"/> (mappings + joints):
    /// true when the process stays within <paramref name="maxMapCount"/> minus
    /// <paramref name="headroom"/>, and then they are counted already (give them back with
    /// <see cref="Add"/> if the map fails). False, with the numbers for the message, otherwise.
    /// </summary>
    public static bool TryReserve(int delta, int joints, int holds, int maxMapCount, int headroom, out long othersOutsideThisSpace)
    {
        lock (s_lock)
        {
            // Trust the last reading for half the room it left, and for a short while only: what the
            // rest of the process takes meanwhile (threads started, heap grown) must come within
            // that time, and readings come more often the closer the process is to its limit.
            long limit = (long)maxMapCount - headroom;
            long projected = s_outside + s_inside + s_joints + delta + joints;
            if (s_outside < 0 || projected > limit || projected - s_readTotal > (limit - s_readTotal) / 2 ||
                Environment.TickCount64 - s_readAt > TrustMilliseconds)
            {
                Measure();
            }

            othersOutsideThisSpace = s_outside + s_inside + s_joints - holds;
            if (s_outside + s_inside + s_joints + delta + joints > limit)
            {
                return false;
            }

            s_inside += delta;
            s_joints += joints;
            return true;
        }
    }

    private static void Measure()
    {
        long total = CountLines();
        Readings++;
        s_outside = Math.Max(0, total - s_inside);
        s_readTotal = total + s_joints;
        s_readAt = Environment.TickCount64;
    }

    /// <summary>The number of lines in /proc/self/maps: one per mapping.</summary>
    private static long CountLines()
    {
        using var maps = new FileStream("/proc/self/maps", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        var buffer = new byte[64 * 1024];
        long lines = 0;
        int read;
        while ((read = maps.Read(buffer, 0, buffer.Length)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        return lines;
    }
}
