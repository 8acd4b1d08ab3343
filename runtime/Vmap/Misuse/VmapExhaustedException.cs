namespace Vmap;

/// <summary>
/// A map or allocation found no room even after purging every lazily freed range and retrying
/// once (what XFS's own retry loop did in 2011). Nothing changed.
/// </summary>
public sealed class VmapExhaustedException : Exception
{
    internal VmapExhaustedException(string call, int requestedPages, long freePages, long largestFreeRun, long lazilyFreedPages, string? reason)
        : base(Describe(call, requestedPages, freePages, largestFreeRun, lazilyFreedPages, reason))
    {
        RequestedPages = requestedPages;
        FreePages = freePages;
        LargestFreeRun = largestFreeRun;
        LazilyFreedPages = lazilyFreedPages;
        Reason = reason;
    }

    /// <summary>Pages the call asked for.</summary>
    public int RequestedPages { get; }

    /// <summary>Free pages of the space when the call gave up (outside blocks).</summary>
    public long FreePages { get; }

    /// <summary>The largest run of free pages.</summary>
    public long LargestFreeRun { get; }

    /// <summary>Lazily freed pages still waiting for a purge.</summary>
    public long LazilyFreedPages { get; }

    /// <summary>
    /// Pages that waited in the checked mode's quarantine when the call gave up (0 without
    /// <see cref="VmapOptions.TrackProvenance"/>). The call took none of them: even all of them
    /// would not have made room. They still matter: maps placed around them while they waited
    /// may have cut free space up differently from how the unchecked mode would have.
    /// </summary>
    public long QuarantinedPages
    {
        get => _quarantinedPages;
        internal init
        {
            _quarantinedPages = value;
            _message = value == 0 ? null : $"{base.Message} {value} pages wait in the checked mode's quarantine (VmapOptions.TrackProvenance, QuarantinePages): none of them would have made room, but maps placed around them while they waited may have cut free space up differently from the unchecked mode.";
        }
    }

    private readonly long _quarantinedPages;
    private readonly string? _message;

    /// <inheritdoc/>
    public override string Message => _message ?? base.Message;

    /// <summary>Why the backend refused, when the space itself had room (e.g. vm.max_map_count); null otherwise.</summary>
    public string? Reason { get; }

    private static string Describe(string call, int requested, long free, long largest, long lazy, string? reason)
    {
        string pages = requested == 1 ? "1 page" : $"{requested} pages";
        string text = $"{call} of {pages} failed after a purge and a retry: {free} free pages, largest free run {largest} pages, {lazy} lazily freed pages pending.";
        return reason is null ? text : $"{text} The backend refused: {reason}";
    }
}
