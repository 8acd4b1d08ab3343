namespace ValidCode.BuiltIn;

using System;
using System.Buffers;

/// <summary>
/// The grow path as fixed in dotnet/coreclr#15104: the old rental is saved before the field is
/// re-pointed, and the saved one goes back to the pool.
/// </summary>
public ref struct ValueStringBuilderGrow
{
    private char[]? _arrayToReturnToPool;
    private Span<char> _chars;
    private int _pos;

    public ValueStringBuilderGrow(Span<char> initial)
    {
        _arrayToReturnToPool = null;
        _chars = initial;
        _pos = 0;
    }

    public void Append(char c)
    {
        if (_pos == _chars.Length)
        {
            Grow(1);
        }

        _chars[_pos++] = c;
    }

    public override string ToString()
    {
        var s = _chars.Slice(0, _pos).ToString();
        Dispose();
        return s;
    }

    public void Dispose()
    {
        var toReturn = _arrayToReturnToPool;
        this = default;
        if (toReturn is not null)
        {
            ArrayPool<char>.Shared.Return(toReturn);
        }
    }

    private void Grow(int additional)
    {
        var poolArray = ArrayPool<char>.Shared.Rent(Math.Max(_pos + additional, _chars.Length * 2));
        _chars.Slice(0, _pos).CopyTo(poolArray);
        var toReturn = _arrayToReturnToPool;
        _chars = _arrayToReturnToPool = poolArray;
        if (toReturn is not null)
        {
            ArrayPool<char>.Shared.Return(toReturn);
        }
    }
}
