namespace ValidCode.BuiltIn;

using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

/// <summary>An arena keeps every block in a list and frees them all on dispose.</summary>
public sealed unsafe class NativeArena : IDisposable
{
    private readonly List<IntPtr> _blocks = new();

    public byte* Allocate(int size)
    {
        var block = (byte*)NativeMemory.Alloc((nuint)size);
        _blocks.Add((IntPtr)block);
        return block;
    }

    public void Dispose()
    {
        foreach (var block in _blocks)
        {
            NativeMemory.Free((void*)block);
        }

        _blocks.Clear();
    }
}
