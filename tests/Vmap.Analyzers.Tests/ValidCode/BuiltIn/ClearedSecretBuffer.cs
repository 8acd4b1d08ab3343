namespace ValidCode.BuiltIn;

using System;
using System.Buffers;
using System.Security.Cryptography;

/// <summary>Key material in a rented buffer is cleared when it goes back.</summary>
public static class ClearedSecretBuffer
{
    public static byte[] DeriveHash(byte[] password, byte[] salt)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(password.Length + salt.Length);
        try
        {
            password.CopyTo(buffer, 0);
            salt.CopyTo(buffer, password.Length);
            return SHA256.HashData(buffer.AsSpan(0, password.Length + salt.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }
}
