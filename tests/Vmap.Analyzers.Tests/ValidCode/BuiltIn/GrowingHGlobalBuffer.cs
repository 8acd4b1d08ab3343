namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>A native buffer grown in place with ReAllocHGlobal; the field always holds the live block.</summary>
public sealed class GrowingHGlobalBuffer : IDisposable
{
    private IntPtr _buffer;
    private int _capacity;

    public GrowingHGlobalBuffer(int capacity)
    {
        _buffer = Marshal.AllocHGlobal(capacity);
        _capacity = capacity;
    }

    public IntPtr Pointer => _buffer;

    public void EnsureCapacity(int needed)
    {
        if (needed <= _capacity)
        {
            return;
        }

        var capacity = Math.Max(needed, _capacity * 2);
        _buffer = Marshal.ReAllocHGlobal(_buffer, (IntPtr)capacity);
        _capacity = capacity;
    }

    public void Dispose()
    {
        if (_buffer != IntPtr.Zero)
        {
            Marshal.FreeHGlobal(_buffer);
            _buffer = IntPtr.Zero;
        }
    }
}
