using System;
using System.Runtime.InteropServices;

static class MappedRegion
{
    [DllImport("libc")]
    private static extern IntPtr mmap(IntPtr addr, nuint length, int prot, int flags, int fd, long offset);

    [DllImport("libc")]
    private static extern int munmap(IntPtr addr, nuint length);

    public static void Touch()
    {
        var region = mmap(IntPtr.Zero, 4096, 3, 0x22, -1, 0);
        if (region == new IntPtr(-1))
        {
            throw new OutOfMemoryException();
        }

        Marshal.WriteByte(region, 1);
        munmap(region, 4096);
    }
}
