namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>A 64-byte aligned buffer owned by an object: aligned alloc in the constructor, aligned free on dispose.</summary>
public sealed unsafe class AlignedSimdBuffer : IDisposable
{
    private float* _data;

    public AlignedSimdBuffer(int length)
    {
        Length = length;
        _data = (float*)NativeMemory.AlignedAlloc((nuint)(length * sizeof(float)), 64);
    }

    ~AlignedSimdBuffer()
    {
        Release();
    }

    public int Length { get; }

    public Span<float> Span => new(_data, Length);

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        if (_data != null)
        {
            NativeMemory.AlignedFree(_data);
            _data = null;
        }
    }
}
