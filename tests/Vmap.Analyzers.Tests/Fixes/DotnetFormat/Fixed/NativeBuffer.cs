using System;
using System.Runtime.InteropServices;

sealed class NativeBuffer : IDisposable
{
    private IntPtr _buffer = Marshal.AllocHGlobal(64);

    public void Dispose()
    {
        Marshal.FreeHGlobal(_buffer);
        _buffer = IntPtr.Zero;
        GC.SuppressFinalize(this);
    }
}
