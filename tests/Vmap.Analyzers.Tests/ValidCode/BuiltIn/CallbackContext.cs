namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>
/// The native-callback idiom: the handle is turned into a context pointer for native code, and the
/// callback's owner frees it through FromIntPtr when native code is done.
/// </summary>
public sealed class CallbackContext
{
    private int _calls;

    public static void Register(CallbackContext target, IntPtr callback)
    {
        var handle = GCHandle.Alloc(target);
        InteropNative.Register(GCHandle.ToIntPtr(handle), callback);
    }

    public static void OnCallback(IntPtr context)
    {
        if (GCHandle.FromIntPtr(context).Target is CallbackContext target)
        {
            target._calls++;
        }
    }

    public static void Unregister(IntPtr context)
    {
        GCHandle.FromIntPtr(context).Free();
    }
}
