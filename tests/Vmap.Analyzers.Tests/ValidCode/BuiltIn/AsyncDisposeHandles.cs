namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

/// <summary>
/// DisposeAsync over a pinned handle, an optional self handle and a CoTaskMem string: each is
/// cleared as it is released (or freed in place), and the state flag is taken atomically.
/// </summary>
public sealed class AsyncDisposeHandles : IAsyncDisposable, IDisposable
{
    private GCHandle _pin;
    private GCHandle? _self;
    private IntPtr _name;
    private int _state;

    public AsyncDisposeHandles(byte[] buffer, string name)
    {
        _pin = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        _self = GCHandle.Alloc(this, GCHandleType.Weak);
        _name = Marshal.StringToCoTaskMemUni(name);
    }

    public IntPtr Buffer => _pin.AddrOfPinnedObject();

    public async ValueTask DisposeAsync()
    {
        await Task.Yield();
        Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _state, 1) != 0)
        {
            return;
        }

        if (_pin.IsAllocated)
        {
            _pin.Free();
        }

        _self?.Free();
        _self = null;
        Marshal.FreeCoTaskMem(_name);
        _name = IntPtr.Zero;
    }
}
