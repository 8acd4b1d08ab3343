namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>An argv array of ANSI strings: each string is stored in the array, all are freed after the call.</summary>
public static class NativeArgv
{
    public static int Run(string[] args)
    {
        var strings = new IntPtr[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            strings[i] = Marshal.StringToHGlobalAnsi(args[i]);
        }

        var argv = Marshal.AllocHGlobal(IntPtr.Size * args.Length);
        try
        {
            Marshal.Copy(strings, 0, argv, strings.Length);
            return InteropNative.Run(args.Length, argv);
        }
        finally
        {
            Marshal.FreeHGlobal(argv);
            foreach (var s in strings)
            {
                Marshal.FreeHGlobal(s);
            }
        }
    }
}
