namespace ValidCode.BuiltIn;

using System;
using System.Runtime.InteropServices;

/// <summary>The native entry points the interop files call (never invoked by the test).</summary>
internal static class InteropNative
{
    [DllImport("vmapnative")]
    public static extern int FillBuffer(IntPtr buffer, int length);

    [DllImport("vmapnative")]
    public static extern int Measure(IntPtr utf16);

    [DllImport("vmapnative")]
    public static extern int GetName(out IntPtr coTaskMemString);

    [DllImport("vmapnative")]
    public static extern int Run(int argc, IntPtr argv);

    [DllImport("vmapnative")]
    public static extern void Register(IntPtr context, IntPtr callback);

    [DllImport("vmapnative")]
    public static unsafe extern void Sum(byte* data, int length, long* result);
}
