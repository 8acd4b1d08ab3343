namespace ValidCode.BuiltIn;

using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

/// <summary>Strings marshalled into a list the owner frees; adding to the list stores the block.</summary>
public sealed class HGlobalAnsiList : IDisposable
{
    private readonly List<IntPtr> _strings = new();

    public IntPtr Add(string value)
    {
        var native = Marshal.StringToHGlobalAnsi(value);
        _strings.Add(native);
        return native;
    }

    public void Dispose()
    {
        foreach (var native in _strings)
        {
            Marshal.FreeHGlobal(native);
        }

        _strings.Clear();
    }
}
