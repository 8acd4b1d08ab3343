using System.Runtime.InteropServices;
using Interop;

// References the Interop library, which installed Vmap.Analyzers as a development dependency: the
// analyzers must not reach this project, so the same hazards stay unflagged here.
var ring = new Ring();
nint window = ring.Map(4);
ring.Unmap(window, 1);

nint block = Marshal.AllocHGlobal(64);
Marshal.FreeHGlobal(block);
Marshal.FreeHGlobal(block);
