namespace Vmap.Testing;

/// <summary>
/// A fact about real Linux memory (VmapSpace.CreateNative: memfd, mmap MAP_FIXED, /proc/self/maps):
/// skipped, with the reason, on any other OS, where only the simulated space exists. It never
/// skips on Linux, where CI runs.
/// </summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute() => Skip = LinuxOnly.SkipReason;
}

/// <summary>A theory about real Linux memory; see <see cref="LinuxFactAttribute"/>.</summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute() => Skip = LinuxOnly.SkipReason;
}

internal static class LinuxOnly
{
    public static string? SkipReason =>
        OperatingSystem.IsLinux() ? null : "Needs Linux: VmapSpace.CreateNative maps memfd pages with mmap MAP_FIXED and reads /proc/self/maps.";
}
