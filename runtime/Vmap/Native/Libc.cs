using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Vmap.Native;

/// <summary>
/// The few libc calls the Linux backend needs. "libc" resolves to libc.so.6 on glibc and to the
/// musl loader on Alpine; "libc.so" would be a linker script on glibc. The constants are the
/// Linux generic values, shared by x86-64 and arm64 (the targets .NET supports on Linux).
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class Libc
{
    public const int PROT_NONE = 0x0;
    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;

    public const int MAP_SHARED = 0x01;
    public const int MAP_PRIVATE = 0x02;
    public const int MAP_FIXED = 0x10;
    public const int MAP_ANONYMOUS = 0x20;
    public const int MAP_NORESERVE = 0x4000;

    public const uint MFD_CLOEXEC = 0x1;

    public const int FALLOC_FL_KEEP_SIZE = 0x1;
    public const int FALLOC_FL_PUNCH_HOLE = 0x2;

    public const int SEEK_DATA = 3;
    public const int SEEK_HOLE = 4;

    public const int ENOMEM = 12;
    public const int EINTR = 4;

    public static readonly nint MAP_FAILED = -1;

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int memfd_create(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    public static partial int fallocate(int fd, int mode, long offset, long length);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    public static partial long lseek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint mmap(nint address, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int munmap(nint address, nuint length);

    /// <summary>Reserves or re-reserves address space: inaccessible, uncommitted, backed by nothing.</summary>
    public static nint MapNone(nint address, nuint length, bool fixedAddress) =>
        mmap(address, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (fixedAddress ? MAP_FIXED : 0), -1, 0);

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="fd"/> from <paramref name="offset"/> read-write at exactly <paramref name="address"/>.</summary>
    public static nint MapShared(nint address, nuint length, int fd, long offset) =>
        mmap(address, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, offset);

    /// <summary>The errno of the last call, with its libc text, for exception messages.</summary>
    public static string LastError(out int errno)
    {
        errno = Marshal.GetLastPInvokeError();
        return $"errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})";
    }
}
