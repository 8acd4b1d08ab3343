namespace ValidCode.BuiltIn;

using System;
using System.Buffers;

/// <summary>A growable list over a rented array: the field owns the rental, Dispose returns it once.</summary>
public sealed class PooledList : IDisposable
{
    private int[] _items;
    private int _count;

    public PooledList(int capacity)
    {
        _items = ArrayPool<int>.Shared.Rent(capacity);
    }

    public int Count => _count;

    public void Add(int item)
    {
        if (_count == _items.Length)
        {
            var larger = ArrayPool<int>.Shared.Rent(_items.Length * 2);
            Array.Copy(_items, larger, _count);
            var old = _items;
            _items = larger;
            ArrayPool<int>.Shared.Return(old);
        }

        _items[_count++] = item;
    }

    public void Dispose()
    {
        var items = _items;
        _items = Array.Empty<int>();
        if (items.Length != 0)
        {
            ArrayPool<int>.Shared.Return(items);
        }
    }
}
