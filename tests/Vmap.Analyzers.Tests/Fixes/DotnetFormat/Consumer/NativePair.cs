using System;
using System.Runtime.InteropServices;

sealed class NativePair : IDisposable
{
    private IntPtr _first = Marshal.AllocHGlobal(32);
    private IntPtr _second = Marshal.AllocHGlobal(32);

    public bool Ready => _first != IntPtr.Zero && _second != IntPtr.Zero;

    public void Dispose()
    {
        Marshal.FreeHGlobal(_first);
        _first = IntPtr.Zero;
    }
}
