namespace Vmap.Tests.Native;

/// <summary>A fact about real Linux memory: skipped, with the reason, on any other OS.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Needs Linux: memfd, mmap MAP_FIXED and /proc/self/maps.";
        }
    }
}

/// <summary>A theory about real Linux memory: skipped, with the reason, on any other OS.</summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Needs Linux: memfd, mmap MAP_FIXED and /proc/self/maps.";
        }
    }
}
