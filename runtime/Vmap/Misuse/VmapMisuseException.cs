namespace Vmap;

/// <summary>
/// A map or unmap call that the allocator refused because it would corrupt its state (the
/// kernel's BUG_ON in vm_unmap_ram / vb_free). Nothing changed. <see cref="Rule"/> is the id of the
/// analyzer rule that finds the same shape at build time, and the message starts with it.
/// </summary>
public sealed class VmapMisuseException : InvalidOperationException
{
    internal VmapMisuseException(string rule, string message, nint address, nint? nearestMapping, int nearestMappingPages)
        : base(message)
    {
        Rule = rule;
        Address = address;
        NearestMapping = nearestMapping;
        NearestMappingPages = nearestMappingPages;
    }

    /// <summary>
    /// The rule id: <c>VMAP001</c> (not the start of a live mapping: reassigned, offset, foreign,
    /// misaligned or outside the space), <c>VMAP003</c> (already unmapped), <c>VMAP005</c> (the count
    /// differs from the mapped count, or is not positive), <c>VMAP006</c> (wrong API family).
    /// </summary>
    public string Rule { get; }

    /// <summary>The address the call passed.</summary>
    public nint Address { get; }

    /// <summary>The start of the live mapping nearest to <see cref="Address"/>, if any mapping is live.</summary>
    public nint? NearestMapping { get; }

    /// <summary>The size in pages of <see cref="NearestMapping"/>; 0 when there is none.</summary>
    public int NearestMappingPages { get; }
}
