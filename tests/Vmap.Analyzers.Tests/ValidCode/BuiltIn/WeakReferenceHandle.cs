namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>A weak handle held by an object for its lifetime, freed once on dispose.</summary>
public sealed class WeakReferenceHandle : IDisposable
{
    private GCHandle _handle;

    public WeakReferenceHandle(object target)
    {
        _handle = GCHandle.Alloc(target, GCHandleType.Weak);
    }

    public object? Target => _handle.IsAllocated ? _handle.Target : null;

    public void Dispose()
    {
        if (_handle.IsAllocated)
        {
            _handle.Free();
        }
    }
}
