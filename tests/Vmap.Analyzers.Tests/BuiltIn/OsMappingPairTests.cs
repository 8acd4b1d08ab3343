namespace Vmap.Analyzers.Tests.BuiltIn;

/// <summary>
/// The operating system's own map/unmap calls (issue 23), recognised with no annotation: the ten
/// small programs of the issue, each with the diagnostic it must get, and the shapes that must stay silent.
/// </summary>
public class OsMappingPairTests
{
    /// <summary>libc's calls as public code declares them (appended after each test's code, so its line numbers do not move).</summary>
    private const string Libc = """

        static unsafe class Libc
        {
            [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
            public static extern void* mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

            [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
            public static extern int munmap(void* addr, nuint length);

            [System.Runtime.InteropServices.DllImport("libc.so.6", EntryPoint = "mremap")]
            public static extern void* Remap(void* old, nuint oldSize, nuint newSize, int flags);

            public const int PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20;
            public static readonly void* MAP_FAILED = (void*)-1;
        }
        """;

    /// <summary>kernel32's calls, with IntPtr addresses (the most common spelling in public code).</summary>
    private const string Kernel32 = """

        static class Kernel32
        {
            [System.Runtime.InteropServices.DllImport("kernel32.dll", SetLastError = true)]
            public static extern System.IntPtr VirtualAlloc(System.IntPtr address, System.UIntPtr size, uint type, uint protect);

            [System.Runtime.InteropServices.DllImport("kernel32.dll", SetLastError = true)]
            public static extern bool VirtualFree(System.IntPtr address, System.UIntPtr size, uint type);

            [System.Runtime.InteropServices.DllImport("KERNEL32", SetLastError = true)]
            public static extern System.IntPtr MapViewOfFile(System.IntPtr mapping, uint access, uint offsetHigh, uint offsetLow, System.UIntPtr bytes);

            [System.Runtime.InteropServices.DllImport("KernelBase.dll", SetLastError = true)]
            public static extern bool UnmapViewOfFile(System.IntPtr address);

            public const uint MEM_COMMIT = 0x1000, MEM_RESERVE = 0x2000, MEM_DECOMMIT = 0x4000, MEM_RELEASE = 0x8000, PAGE_READWRITE = 4;
        }
        """;

    // ---- The ten programs of the issue ----

    [Fact]
    public Task Munmap_shorter_than_the_mapping_is_a_length_mismatch() => Verify.BuiltIn(
        """
        unsafe class Ring
        {
            void Use(nuint size)
            {
                var p = Libc.mmap(null, {|#1:size|}, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
                if (p == Libc.MAP_FAILED) return;
                *(int*)p = 1;
                Libc.munmap(p, {|#0:size - 4096|});
            }
        }
        """ + Libc,
        Verify.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped with a length of 'size - 4096' but mmap mapped 'size' bytes at line 5"));

    [Fact]
    public Task Mmap_failure_tested_against_null_is_VMAP010() => Verify.BuiltIn(
        """
        unsafe class Ring
        {
            void Use()
            {
                var p = Libc.mmap(null, 4096, Libc.PROT_READ, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
                if (p == {|#0:null|}) throw new System.OutOfMemoryException();
                *(int*)p = 1;
                Libc.munmap(p, 4096);
            }
        }
        """ + Libc,
        Verify.Diagnostic(RuleIds.VMAP010).WithLocation(0).WithLocation(5, 17)
            .WithMessage("'p' from mmap at line 5 is tested against 'null', but mmap returns MAP_FAILED ((void*)-1) on failure: the test never sees the failure"));

    [Fact]
    public Task Munmap_of_a_pointer_advanced_past_a_header_is_VMAP001() => Verify.BuiltIn(
        """
        unsafe class Ring
        {
            void Use()
            {
                byte* p = (byte*)Libc.mmap(null, 4096, Libc.PROT_READ, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
                if (p == (byte*)Libc.MAP_FAILED) return;
                {|#1:p += 64|};
                *p = 1;
                Libc.munmap({|#0:p|}, 4096);
            }
        }
        """ + Libc,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped here but holds memory that was never mapped: it became an offset of the mapping at line 7 after mmap mapped it at line 5"));

    [Fact]
    public Task VirtualFree_with_the_region_size_and_MEM_RELEASE_is_VMAP005() => Verify.BuiltIn(
        """
        using System;

        class Jit
        {
            void Emit(UIntPtr size)
            {
                var p = Kernel32.VirtualAlloc(IntPtr.Zero, {|#1:size|}, Kernel32.MEM_COMMIT | Kernel32.MEM_RESERVE, Kernel32.PAGE_READWRITE);
                if (p == IntPtr.Zero) return;
                Kernel32.VirtualFree(p, {|#0:size|}, Kernel32.MEM_RELEASE);
            }
        }
        """ + Kernel32,
        Verify.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is released by VirtualFree with MEM_RELEASE and a size of 'size': the size must be 0, otherwise the call fails and the whole region VirtualAlloc reserved at line 7 stays mapped"));

    [Fact]
    public Task UnmapViewOfFile_of_an_advanced_view_pointer_is_VMAP001() => Verify.BuiltIn(
        """
        using System;

        class Index
        {
            void Read(IntPtr mapping)
            {
                var view = Kernel32.MapViewOfFile(mapping, 4, 0, 0, UIntPtr.Zero);
                if (view == IntPtr.Zero) return;
                {|#1:view += 16|};
                Kernel32.UnmapViewOfFile({|#0:view|});
            }
        }
        """ + Kernel32,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'view' is unmapped here but holds memory that was never mapped: it became an offset of the mapping at line 9 after MapViewOfFile mapped it at line 7"));

    [Fact]
    public Task AcquirePointer_without_ReleasePointer_on_an_early_return_is_lost() => Verify.BuiltIn(
        """
        using System.IO.MemoryMappedFiles;

        unsafe class Index
        {
            int Read(MemoryMappedViewAccessor accessor)
            {
                var handle = accessor.SafeMemoryMappedViewHandle;
                byte* p = null;
                {|#0:handle.AcquirePointer(ref p)|};
                if (p[0] != 0x7F)
                {|#1:return -1;|}
                var value = p[1];
                handle.ReleasePointer();
                return value;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The pointer in 'handle' from AcquirePointer at line 9 is lost: it goes out of scope at line 11 without being released, returned, stored or passed on"));

    [Fact]
    public Task A_mapping_lost_when_a_header_check_fails_is_VMAP002() => Verify.BuiltIn(
        """
        unsafe class Index
        {
            int Open(int fd, nuint length)
            {
                var p = {|#0:Libc.mmap(null, length, Libc.PROT_READ, Libc.MAP_PRIVATE, fd, 0)|};
                if (p == Libc.MAP_FAILED) return -1;
                if (*(uint*)p != 0x46464952)
                {|#1:return -2;|}
                var version = ((int*)p)[1];
                Libc.munmap(p, length);
                return version;
            }
        }
        """ + Libc,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in 'p' from mmap at line 5 is lost: it goes out of scope at line 8 without being unmapped, returned, stored or passed on"));

    [Fact]
    public Task Munmap_twice_on_the_error_path_is_VMAP003() => Verify.BuiltIn(
        """
        unsafe class Index
        {
            int Open(int fd, nuint length)
            {
                var p = Libc.mmap(null, length, Libc.PROT_READ, Libc.MAP_PRIVATE, fd, 0);
                if (p == Libc.MAP_FAILED) return -1;
                if (*(uint*)p != 0x46464952)
                {
                    Libc.munmap({|#1:p|}, length);
                }

                Libc.munmap({|#0:p|}, length);
                return 0;
            }
        }
        """ + Libc,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped again here; it was already unmapped at line 9 on some path"));

    [Fact]
    public Task Munmap_of_an_AllocHGlobal_block_is_the_wrong_family() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        unsafe class Buffers
        {
            void Use()
            {
                var p = {|#1:Marshal.AllocHGlobal(4096)|};
                Libc.munmap({|#0:(void*)p|}, 4096);
            }
        }
        """ + Libc,
        Verify.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1)
            .WithMessage("'p' was allocated by AllocHGlobal (family 'hglobal') at line 7 but is released by munmap (family 'mmap'); release it with FreeHGlobal"));

    [Fact]
    public Task A_length_carried_through_a_helper_that_maps_is_checked() => Verify.BuiltIn(
        """
        unsafe class Arena
        {
            static void* MapAnonymous(nuint length)
            {
                var p = Libc.mmap(null, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
                if (p == Libc.MAP_FAILED) throw new System.OutOfMemoryException();
                return p;
            }

            void Use(nuint size)
            {
                var p = MapAnonymous({|#1:size|});
                *(long*)p = 0;
                Libc.munmap(p, {|#0:size * 2|});
            }
        }
        """ + Libc,
        Verify.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1).WithLocation(5, 17)
            .WithMessage("'p' is unmapped with a length of 'size * 2' but MapAnonymous mapped 'size' bytes at line 12 (mmap at line 5)"));

    // ---- Recognition ----

    [Fact]
    public Task LibraryImport_with_an_entry_point_of_another_name_is_recognised() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static partial class Native
        {
            [LibraryImport("libc.so.6", EntryPoint = "mmap64")]
            private static partial IntPtr MapPages(IntPtr addr, nuint length, int prot, int flags, int fd, long offset);

            [LibraryImport("libc", EntryPoint = "munmap")]
            private static partial int UnmapPages(IntPtr addr, nuint length);

            static void Use()
            {
                var p = {|#0:MapPages(IntPtr.Zero, 8192, 3, 0x22, -1, 0)|};
                if (p == new IntPtr(-1)) return;
                Marshal.WriteInt32(p, 1);
            {|#1:}|}

            private static partial IntPtr MapPages(IntPtr addr, nuint length, int prot, int flags, int fd, long offset) => addr;
            private static partial int UnmapPages(IntPtr addr, nuint length) => 0;
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in 'p' from MapPages at line 14 is lost: it goes out of scope at line 17 without being unmapped, returned, stored or passed on"));

    [Fact]
    public Task DllImport_renamed_by_EntryPoint_pairs_with_its_own_unmap() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static class Native
        {
            [DllImport("c", EntryPoint = "mmap")]
            static extern IntPtr SysMap(IntPtr addr, UIntPtr length, int prot, int flags, int fd, IntPtr offset);

            [DllImport("c", EntryPoint = "munmap")]
            static extern int SysUnmap(IntPtr addr, UIntPtr length);

            static void Use()
            {
                var p = SysMap(IntPtr.Zero, (UIntPtr)4096, 3, 0x22, -1, IntPtr.Zero);
                if (p == (IntPtr)(-1)) return;
                SysUnmap(p, {|#0:(UIntPtr)8192|});
                SysUnmap({|#2:p|}, (UIntPtr)4096);
                Marshal.WriteInt32({|#4:p|}, 1);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(14, 37)
            .WithMessage("'p' is unmapped with a length of '(UIntPtr)8192' but SysMap mapped '4096' bytes at line 14"),
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(2).WithLocation(16, 18)
            .WithMessage("'p' is unmapped again here; it was already unmapped at line 16"),
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(4).WithLocation(16, 18)
            .WithMessage("'p' is passed to 'WriteInt32' after it was unmapped at line 16"));

    [Fact]
    public Task Wrappers_are_recognised_by_metadata_name() => Verify.BuiltIn(
        """
        using System;

        class Use
        {
            unsafe void Posix(ulong length)
            {
                var p = {|#0:Mono.Unix.Native.Syscall.mmap(IntPtr.Zero, length, 3, 0x22, -1, 0)|};
                if (p == new IntPtr(-1)) return;
                *(byte*)p = 1;
            {|#1:}|}

            unsafe void Win32()
            {
                var v = {|#2:Windows.Win32.PInvoke.VirtualAlloc(null, 4096, 0x3000, 4)|};
                if (v == null) return;
                *(byte*)v = 1;
            {|#3:}|}

            unsafe void Linux()
            {
                var t = Tmds.Linux.LibC.mmap(null, 4096, 3, 0x22, -1, 0);
                if (t == (void*)-1) return;
                Tmds.Linux.LibC.munmap(t, {|#4:8192|});
            }
        }

        namespace Mono.Unix.Native
        {
            public static class Syscall
            {
                public static IntPtr mmap(IntPtr start, ulong length, int prot, int flags, int fd, long offset) => start;
                public static int munmap(IntPtr start, ulong length) => 0;
            }
        }

        namespace Windows.Win32
        {
            static unsafe partial class PInvoke
            {
                internal static void* VirtualAlloc(void* address, nuint size, uint type, uint protect) => address;
                internal static bool VirtualFree(void* address, nuint size, uint type) => true;
            }
        }

        namespace Tmds.Linux
        {
            public static unsafe class LibC
            {
                public static void* mmap(void* addr, nuint length, int prot, int flags, int fd, long offset) => addr;
                public static int munmap(void* addr, nuint length) => 0;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in 'p' from mmap at line 7 is lost: it goes out of scope at line 10 without being unmapped, returned, stored or passed on"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(2).WithLocation(3)
            .WithMessage("The region in 'v' from VirtualAlloc at line 14 is lost: it goes out of scope at line 17 without being released, returned, stored or passed on"),
        Verify.Diagnostic(RuleIds.VMAP005).WithLocation(4).WithLocation(21, 44)
            .WithMessage("'t' is unmapped with a length of '8192' but mmap mapped '4096' bytes at line 21"));

    [Fact]
    public Task Methods_that_only_share_a_name_are_not_OS_calls() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static unsafe class Tiles
        {
            // A managed helper called mmap, another library's export, a libc call of another name.
            static IntPtr mmap(IntPtr addr, nuint length) => addr + (nint)length;

            [DllImport("libtiles", EntryPoint = "mmap")]
            static extern IntPtr map_tile(IntPtr addr, nuint length, int prot, int flags, int fd, long offset);

            [DllImport("libfoo")]
            static extern int munmap(IntPtr addr, nuint length);

            [DllImport("libc")]
            static extern IntPtr malloc(nuint size);

            // Declared to return a SafeHandle: the handle unmaps the view when it is released.
            [DllImport("kernel32")]
            static extern Microsoft.Win32.SafeHandles.SafeMemoryMappedViewHandle MapViewOfFile(IntPtr mapping, uint access, uint high, uint low, UIntPtr bytes);

            static void Use()
            {
                var a = mmap(IntPtr.Zero, 64);
                var b = map_tile(IntPtr.Zero, 4096, 3, 0x22, -1, 0);
                munmap(b, 1);
                var c = malloc(64);
                var view = MapViewOfFile(IntPtr.Zero, 4, 0, 0, UIntPtr.Zero);
                view.Dispose();
                Marshal.WriteByte(a, 1);
                Marshal.WriteByte(c, 1);
            }
        }
        """);

    // ---- The families' own rules ----

    [Fact]
    public Task MEM_DECOMMIT_is_not_a_release_and_reserve_then_commit_is_one_region() => Verify.BuiltIn(
        """
        using System;

        class Heap
        {
            void Grow()
            {
                var region = {|#0:Kernel32.VirtualAlloc(IntPtr.Zero, (UIntPtr)0x100000, Kernel32.MEM_RESERVE, 1)|};
                if (region == IntPtr.Zero) return;
                Kernel32.VirtualAlloc(region, (UIntPtr)0x1000, Kernel32.MEM_COMMIT, Kernel32.PAGE_READWRITE);
                Kernel32.VirtualAlloc(region + 0x1000, (UIntPtr)0x1000, Kernel32.MEM_COMMIT, Kernel32.PAGE_READWRITE);
                Kernel32.VirtualFree(region, (UIntPtr)0x2000, Kernel32.MEM_DECOMMIT);
            {|#1:}|}

            void Whole()
            {
                var region = Kernel32.VirtualAlloc(IntPtr.Zero, (UIntPtr)0x100000, Kernel32.MEM_RESERVE, 1);
                if (region == IntPtr.Zero) return;
                Kernel32.VirtualAlloc(region, (UIntPtr)0x1000, Kernel32.MEM_COMMIT, Kernel32.PAGE_READWRITE);
                Kernel32.VirtualFree(region, (UIntPtr)0x1000, Kernel32.MEM_DECOMMIT);
                Kernel32.VirtualFree(region, UIntPtr.Zero, Kernel32.MEM_RELEASE);
            }

            void CommitGiven(IntPtr reserved, uint type)
            {
                // A commit inside a region reserved elsewhere, and a free whose type is not known here.
                Kernel32.VirtualAlloc(reserved, (UIntPtr)0x1000, Kernel32.MEM_COMMIT, Kernel32.PAGE_READWRITE);
                var p = Kernel32.VirtualAlloc(IntPtr.Zero, (UIntPtr)0x1000, Kernel32.MEM_COMMIT | Kernel32.MEM_RESERVE, Kernel32.PAGE_READWRITE);
                Kernel32.VirtualFree(p, UIntPtr.Zero, type);
            }
        }
        """ + Kernel32,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The region in 'region' from VirtualAlloc at line 7 is lost: it goes out of scope at line 12 without being released, returned, stored or passed on"));

    [Fact]
    public Task A_commit_at_a_reservation_taken_by_either_of_two_calls_is_no_new_region() => Verify.BuiltIn(
        """
        using System;

        unsafe class Loader
        {
            struct Record { public byte* Start; public byte* Header; }

            IntPtr Load(IntPtr wanted, bool anywhere, nuint size)
            {
                // A reservation at the wanted address, else anywhere: both paths reach the commits
                // with a reservation, never with zero (the zero path returns).
                IntPtr range = IntPtr.Zero;
                if (!anywhere)
                    range = Kernel32.VirtualAlloc(wanted, size, Kernel32.MEM_RESERVE, Kernel32.PAGE_READWRITE);
                if (range == IntPtr.Zero)
                    range = Kernel32.VirtualAlloc(IntPtr.Zero, size, Kernel32.MEM_RESERVE, Kernel32.PAGE_READWRITE);
                if (range == IntPtr.Zero)
                    return IntPtr.Zero;

                var record = (Record*)System.Runtime.InteropServices.Marshal.AllocHGlobal(sizeof(Record));
                record->Start = (byte*)range;
                Kernel32.VirtualAlloc(range, size, Kernel32.MEM_COMMIT, Kernel32.PAGE_READWRITE);
                IntPtr first = Kernel32.VirtualAlloc(range, (UIntPtr)0x1000, Kernel32.MEM_COMMIT, Kernel32.PAGE_READWRITE);
                record->Header = &((byte*)first)[64];
                return (IntPtr)record;
            }

            IntPtr Table(Record* record)
            {
                // A region of its own, kept through the address of one of its elements.
                IntPtr table = Kernel32.VirtualAlloc(IntPtr.Zero, (UIntPtr)0x1000, Kernel32.MEM_COMMIT | Kernel32.MEM_RESERVE, Kernel32.PAGE_READWRITE);
                if (table == IntPtr.Zero) return IntPtr.Zero;
                record->Header = &((byte*)table)[8];
                return (IntPtr)record;
            }

            byte Peek()
            {
                // The same region only read through an element: nothing keeps it.
                IntPtr table = {|#0:Kernel32.VirtualAlloc(IntPtr.Zero, (UIntPtr)0x1000, Kernel32.MEM_COMMIT | Kernel32.MEM_RESERVE, Kernel32.PAGE_READWRITE)|};
                if (table == IntPtr.Zero) return 0;
                {|#1:return ((byte*)table)[8];|}
            }
        }
        """ + Kernel32,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The region in 'table' from VirtualAlloc at line 39 is lost: it goes out of scope at line 41 without being released, returned, stored or passed on"));

    [Fact]
    public Task Mremap_releases_its_first_argument_and_returns_a_new_mapping() => Verify.BuiltIn(
        """
        unsafe class Grow
        {
            void Use()
            {
                var p = Libc.mmap(null, 4096, Libc.PROT_READ, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
                if (p == Libc.MAP_FAILED) return;
                var q = Libc.Remap({|#1:p|}, 4096, {|#3:8192|}, 1);
                if (q == Libc.MAP_FAILED) return;
                {|#0:*(byte*)p|} = 1;
                Libc.munmap(q, {|#2:4096|});
            }
        }
        """ + Libc,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'*(byte*)p' is dereferenced after it was unmapped at line 7"),
        Verify.Diagnostic(RuleIds.VMAP005).WithLocation(2).WithLocation(3)
            .WithMessage("'q' is unmapped with a length of '4096' but Remap mapped '8192' bytes at line 7"));

    [Fact]
    public Task FreeHGlobal_of_an_mmap_block_is_the_wrong_family() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        unsafe class Buffers
        {
            void Use()
            {
                var p = {|#1:Libc.mmap(null, 4096, Libc.PROT_READ, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0)|};
                if (p == Libc.MAP_FAILED) return;
                Marshal.FreeHGlobal({|#0:(IntPtr)p|});
            }
        }
        """ + Libc,
        Verify.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1)
            .WithMessage("'p' was mapped by mmap (family 'mmap') at line 8 but is released by FreeHGlobal (family 'hglobal'); release it with munmap"));

    [Fact]
    public Task Correct_OS_pairs_are_silent() => Verify.BuiltIn(
        """
        using System;

        unsafe class Good
        {
            void* _ring;
            nuint _length;

            void Ring(nuint length)
            {
                var p = Libc.mmap(null, length, Libc.PROT_READ, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
                if (p == Libc.MAP_FAILED) throw new OutOfMemoryException();
                try
                {
                    ((byte*)p)[length - 1] = 1;
                }
                finally
                {
                    Libc.munmap(p, length);
                }
            }

            bool Keep(nuint length)
            {
                void* p;
                if ((p = Libc.mmap(null, length, Libc.PROT_READ, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0)) == Libc.MAP_FAILED) return false;
                _ring = p;
                _length = length;
                return true;
            }

            void Jit(byte[] code)
            {
                var p = Kernel32.VirtualAlloc(IntPtr.Zero, (UIntPtr)code.Length, Kernel32.MEM_COMMIT | Kernel32.MEM_RESERVE, Kernel32.PAGE_READWRITE);
                if (p == IntPtr.Zero) return;
                System.Runtime.InteropServices.Marshal.Copy(code, 0, p, code.Length);
                Kernel32.VirtualFree(p, UIntPtr.Zero, Kernel32.MEM_RELEASE);
            }

            int View(IntPtr mapping)
            {
                var view = Kernel32.MapViewOfFile(mapping, 4, 0, 0, UIntPtr.Zero);
                if (view == IntPtr.Zero) return -1;
                try
                {
                    return System.Runtime.InteropServices.Marshal.ReadInt32(view, 16);
                }
                finally
                {
                    Kernel32.UnmapViewOfFile(view);
                }
            }

            void BothTests()
            {
                // A NULL test beside the MAP_FAILED test is redundant, not wrong.
                var p = (IntPtr)Libc.mmap(null, 4096, Libc.PROT_READ, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
                if (p == IntPtr.Zero || p.ToInt64() == -1) return;
                Libc.munmap((void*)p, 4096);
            }
        }
        """ + Libc + Kernel32);

    [Fact]
    public Task UnmapViewOfFile_of_a_VirtualAlloc_region_is_the_wrong_family() => Verify.BuiltIn(
        """
        using System;

        class Mixed
        {
            void Use()
            {
                var p = {|#1:Kernel32.VirtualAlloc(IntPtr.Zero, (UIntPtr)4096, Kernel32.MEM_COMMIT | Kernel32.MEM_RESERVE, Kernel32.PAGE_READWRITE)|};
                if (p == IntPtr.Zero) return;
                Kernel32.UnmapViewOfFile({|#0:p|});
            }
        }
        """ + Kernel32,
        Verify.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1)
            .WithMessage("'p' was allocated by VirtualAlloc (family 'virtual-alloc') at line 7 but is released by UnmapViewOfFile (family 'map-view'); release it with VirtualFree"));

    [Fact]
    public Task Placeholder_splits_and_views_placed_in_a_held_region_are_not_pairs_of_their_own() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static unsafe class Ring
        {
            [DllImport("kernelbase")]
            static extern byte* VirtualAlloc2(IntPtr process, byte* address, nuint size, uint type, uint protect, void* parameters, uint count);

            [DllImport("kernel32")]
            static extern int VirtualFree(byte* address, nuint size, uint type);

            [DllImport("kernelbase")]
            static extern byte* MapViewOfFile3(IntPtr mapping, IntPtr process, byte* address, ulong offset, nuint size, uint type, uint protect, void* parameters, uint count);

            [DllImport("kernel32")]
            static extern int UnmapViewOfFile(byte* address);

            // Two views of one section side by side, each replacing half of a split placeholder:
            // the views are freed by address arithmetic from the first (Free below).
            public static byte* Alloc(IntPtr section, nuint half)
            {
                var placeholder = VirtualAlloc2(IntPtr.Zero, null, half * 2, 0x2000 | 0x40000, 1, null, 0);
                if (placeholder == null) throw new OutOfMemoryException();
                if (VirtualFree(placeholder, half, 0x8000 | 0x2) == 0)
                {
                    // The split failed: the placeholder is still whole and still ours.
                    VirtualFree(placeholder, 0, 0x8000);
                    throw new OutOfMemoryException();
                }
                var first = MapViewOfFile3(section, IntPtr.Zero, placeholder, 0, half, 0x4000, 4, null, 0);
                var second = MapViewOfFile3(section, IntPtr.Zero, placeholder + half, 0, half, 0x4000, 4, null, 0);
                if (first == null || second == null) throw new OutOfMemoryException();
                return first;
            }

            public static void Free(byte* first, nuint half)
            {
                UnmapViewOfFile(first + half);
                UnmapViewOfFile(first);
            }
        }
        """);
}
