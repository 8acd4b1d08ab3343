using System;
using System.Runtime.InteropServices;
using Vmap.Annotations;

namespace Interop
{
    // An interop wrapper as netstandard2.0 and .NET Framework libraries write them (C# 7.3): its own
    // pair declared with the annotations Vmap.Analyzers compiles into the project, next to
    // Marshal's built-in one.
    public sealed class Ring
    {
        [return: MapsMemory("ring", CountParameter = "pages")]
        public IntPtr Map(int pages)
        {
            return Marshal.AllocHGlobal(pages * 4096);
        }

        public void Unmap([UnmapsMemory("ring", CountParameter = "pages")] IntPtr address, int pages)
        {
            Marshal.FreeHGlobal(address);
        }
    }

    public static class Hazards
    {
        public static void WrongCount(Ring ring)
        {
            IntPtr window = ring.Map(4);
            ring.Unmap(window, 1);
        }

        public static void FreedTwice()
        {
            IntPtr block = Marshal.AllocHGlobal(64);
            Marshal.FreeHGlobal(block);
            Marshal.FreeHGlobal(block);
        }
    }
}
