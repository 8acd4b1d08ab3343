namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>A BSTR for an automation call, freed with FreeBSTR.</summary>
public static class BstrForAutomation
{
    public static int LengthPrefix(string text)
    {
        IntPtr bstr = Marshal.StringToBSTR(text);
        try
        {
            return Marshal.ReadInt32(bstr, -4);
        }
        finally
        {
            Marshal.FreeBSTR(bstr);
        }
    }
}
