using System.Globalization;

namespace Vmap.Tests.Native;

/// <summary>One line of /proc/self/maps.</summary>
internal readonly record struct Vma(long Start, long End, string Perms, long Offset, string Path)
{
    public long Length => End - Start;
}

/// <summary>Reads the process's VMAs: what the kernel really did, independent of our bookkeeping.</summary>
internal static class ProcMaps
{
    public static IReadOnlyList<Vma> Read()
    {
        var vmas = new List<Vma>();
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            // start-end perms offset dev inode [path]
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            var range = fields[0].Split('-');
            vmas.Add(new Vma(
                long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                fields[1],
                long.Parse(fields[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                fields.Length > 5 ? fields[5].Trim() : string.Empty));
        }

        return vmas;
    }

    /// <summary>The VMAs overlapping [start, start + length), clipped to it.</summary>
    public static IReadOnlyList<Vma> Within(nint start, long length)
    {
        long from = start;
        long to = from + length;
        return Read()
            .Where(v => v.Start < to && v.End > from)
            .Select(v => v with
            {
                Start = Math.Max(v.Start, from),
                End = Math.Min(v.End, to),
                Offset = v.Offset + (Math.Max(v.Start, from) - v.Start),
            })
            .ToList();
    }

    /// <summary>The VMA that holds <paramref name="address"/>, or null when nothing is mapped there.</summary>
    public static Vma? At(nint address) => Read().Where(v => v.Start <= address && address < v.End).Select(v => (Vma?)v).FirstOrDefault();

    /// <summary>True when some descriptor of the process is open on the memfd named <paramref name="name"/>.</summary>
    public static bool HasMemfd(string name) => MemfdNames().Contains(name);

    /// <summary>The names of the memfds the process holds descriptors on, one entry per descriptor.</summary>
    public static IEnumerable<string> MemfdNames() =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Select(LinkTarget)
            .Where(target => target is not null && target.StartsWith("/memfd:", StringComparison.Ordinal) && target.EndsWith(" (deleted)", StringComparison.Ordinal))
            .Select(target => target!["/memfd:".Length..^" (deleted)".Length]);

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            // The descriptor closed between listing and reading.
            return null;
        }
    }
}
