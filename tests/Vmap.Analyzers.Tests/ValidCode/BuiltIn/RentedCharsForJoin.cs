namespace ValidCode.BuiltIn;

using System.Buffers;

/// <summary>Join into a rented char buffer; the string is made before the buffer goes back.</summary>
public static class RentedCharsForJoin
{
    public static string Join(char separator, string[] parts)
    {
        var length = parts.Length == 0 ? 0 : parts.Length - 1;
        foreach (var part in parts)
        {
            length += part.Length;
        }

        var chars = ArrayPool<char>.Shared.Rent(length);
        var pos = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                chars[pos++] = separator;
            }

            parts[i].CopyTo(0, chars, pos, parts[i].Length);
            pos += parts[i].Length;
        }

        var joined = new string(chars, 0, pos);
        ArrayPool<char>.Shared.Return(chars);
        return joined;
    }
}
