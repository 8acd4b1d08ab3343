namespace Vmap.Samples.Tests;

/// <summary>A fact that needs the native Linux space (real memory behind the buffers).</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Needs VmapSpace.CreateNative, which only Linux has.";
        }
    }
}
