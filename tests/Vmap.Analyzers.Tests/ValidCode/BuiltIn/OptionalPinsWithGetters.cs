namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>
/// A key-value write that pins its optional parts only when present, tests them through getters
/// over readonly state, and unpins under the same tests in a finally; the tests in between (flags
/// of the write) do not change what is pinned.
/// </summary>
public sealed class OptionalPinsWithGetters
{
    private readonly byte[]? _key;
    private readonly byte[]? _value;

    public OptionalPinsWithGetters(byte[]? key, byte[]? value)
    {
        _key = key;
        _value = value;
    }

    public byte[]? GetKey() => _key;

    public byte[]? GetValue() => _value;

    public int Write(int flags, Func<IntPtr, int, IntPtr, int, int> put)
    {
        if (GetKey() == null)
        {
            throw new InvalidOperationException("no key");
        }

        GCHandle keyPin = default, valuePin = default;
        if (GetKey() != null)
        {
            keyPin = GCHandle.Alloc(GetKey(), GCHandleType.Pinned);
        }

        if (GetValue() != null)
        {
            valuePin = GCHandle.Alloc(GetValue(), GCHandleType.Pinned);
        }

        try
        {
            var options = 0;
            if ((flags & 1) != 0) options |= 0x10;
            if ((flags & 2) != 0) options |= 0x20;
            if ((flags & 4) != 0) options |= 0x40;
            if ((flags & 8) != 0) options |= 0x80;
            if ((flags & 16) != 0) options |= 0x100;
            if (options == 0x1F0)
            {
                return -1;
            }

            return put(
                GetKey() != null ? keyPin.AddrOfPinnedObject() : IntPtr.Zero,
                _key?.Length ?? 0,
                GetValue() != null ? valuePin.AddrOfPinnedObject() : IntPtr.Zero,
                options);
        }
        finally
        {
            if (GetKey() != null)
            {
                keyPin.Free();
            }

            if (GetValue() != null)
            {
                valuePin.Free();
            }
        }
    }
}
