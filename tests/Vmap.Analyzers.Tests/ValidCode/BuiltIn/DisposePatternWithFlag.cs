namespace ValidCode.BuiltIn;

using System;
using System.Buffers;
using System.Runtime.InteropServices;

/// <summary>
/// The full Dispose pattern: a finaliser calls Dispose(false), the managed rental is returned only
/// when disposing, and a disposed flag makes every call after the first a no-op.
/// </summary>
public class DisposePatternWithFlag : IDisposable
{
    private readonly IntPtr _native;
    private byte[] _rented;
    private bool _disposed;

    public DisposePatternWithFlag(int size)
    {
        _native = Marshal.AllocHGlobal(size);
        _rented = ArrayPool<byte>.Shared.Rent(size);
    }

    ~DisposePatternWithFlag()
    {
        Dispose(false);
    }

    public Span<byte> Scratch => _rented;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        if (disposing)
        {
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = Array.Empty<byte>();
        }

        Marshal.FreeHGlobal(_native);
        _disposed = true;
    }
}
