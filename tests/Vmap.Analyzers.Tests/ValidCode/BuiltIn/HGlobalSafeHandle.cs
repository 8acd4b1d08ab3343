namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>A SafeHandle owns the block: SetHandle takes it over, ReleaseHandle frees it.</summary>
public sealed class HGlobalSafeHandle : SafeHandle
{
    public HGlobalSafeHandle(int size)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(Marshal.AllocHGlobal(size));
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Marshal.FreeHGlobal(handle);
        return true;
    }
}
