namespace ValidCode.BuiltIn;

using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

/// <summary>
/// An optional callback pinned into a <c>GCHandle?</c> that stays null when there is no callback;
/// the nullable handle is handed to a registry that keeps it, and released later through <c>?.</c>.
/// (The object initializer makes the assignment's target a flow capture: the write still reaches the local.)
/// </summary>
public static class OptionalPinInNullable
{
    private static readonly List<GCHandle> Kept = new();

    public static void Register(Action? callback)
    {
        GCHandle? handle = null;
        if (callback is not null)
        {
            handle = GCHandle.Alloc(new PinnedCallback { Callback = _ => callback(), UserData = IntPtr.Zero });
        }

        Keep(handle);
    }

    public static void RegisterPlain(Action? callback)
    {
        GCHandle? handle = null;
        if (callback is not null)
        {
            handle = GCHandle.Alloc(callback);
        }

        Keep(handle);
    }

    public static void Probe(object target)
    {
        GCHandle? handle = GCHandle.Alloc(target);
        try
        {
            GC.KeepAlive(handle.Value.Target);
        }
        finally
        {
            handle?.Free();
        }
    }

    private static void Keep(GCHandle? handle)
    {
        if (handle.HasValue)
        {
            Kept.Add(handle.Value);
        }
    }

    private sealed class PinnedCallback
    {
        public Action<int>? Callback { get; init; }

        public IntPtr UserData { get; init; }
    }
}
