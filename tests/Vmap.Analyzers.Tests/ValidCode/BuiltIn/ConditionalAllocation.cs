namespace ValidCode.BuiltIn;

using System;
using System.Buffers;
using System.Runtime.InteropServices;

/// <summary>
/// Buffers whose acquisition is chosen by a conditional, a switch expression or <c>??</c> and stored
/// straight into a field (issue 20): the compiler assigns the field through a flow capture, which
/// is the field itself.
/// </summary>
public sealed unsafe class ConditionalRing : IDisposable
{
    private byte* _frames;
    private void* _region;
    private byte[]? _scratch;

    public ConditionalRing(bool zeroed, bool windows, int mode, byte[]? given, nuint size)
    {
        _frames = zeroed ? (byte*)NativeMemory.AllocZeroed(size) : Allocate(size);
        _region = windows ? RegionMemory.Reserve(size) : null;
        _scratch = given ?? ArrayPool<byte>.Shared.Rent((int)size);
        Mode = mode switch
        {
            0 => (byte*)NativeMemory.Alloc(16),
            _ => Allocate(16),
        };
    }

    public byte* Mode { get; private set; }

    public void Dispose()
    {
        NativeMemory.Free(_frames);
        _frames = null;
        NativeMemory.Free(Mode);
        Mode = null;
        if (_region != null)
        {
            RegionMemory.Release(_region);
            _region = null;
        }

        _scratch = null;
    }

    private static byte* Allocate(nuint size) => (byte*)NativeMemory.Alloc(size);
}

/// <summary>Reserves and releases a region with the operating system's own calls.</summary>
internal static unsafe class RegionMemory
{
    private const uint MEM_COMMIT_RESERVE = 0x3000;
    private const uint MEM_RELEASE = 0x8000;
    private const uint PAGE_READWRITE = 4;

    public static void* Reserve(nuint size) => VirtualAlloc(null, size, MEM_COMMIT_RESERVE, PAGE_READWRITE);

    public static void Release(void* region) => VirtualFree(region, 0, MEM_RELEASE);

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern void* VirtualAlloc(void* address, nuint size, uint type, uint protect);

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool VirtualFree(void* address, nuint size, uint type);
}
