using Microsoft.CodeAnalysis.Testing;
using VerifyFix = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP009_ReleaseInDisposeFix>;

namespace Vmap.Analyzers.Tests.Fixes;

public class VMAP009_ReleaseInDisposeFixTests
{
    private static DiagnosticResult Expected(params int[] at)
    {
        var result = VerifyFix.Diagnostic(RuleIds.VMAP009);
        foreach (var location in at.Length == 0 ? new[] { 0, 1, 2 } : at)
        {
            result = result.WithLocation(location);
        }

        return result;
    }

    [Fact]
    public Task Frees_and_clears_the_forgotten_block_at_the_end_of_Dispose()
        => VerifyFix.VerifyAsync("""
            using System;
            using System.Runtime.InteropServices;

            sealed class Codec : IDisposable
            {
                private IntPtr _input;
                private IntPtr {|#1:_output|};

                public Codec(int size)
                {
                    _input = Marshal.AllocHGlobal(size);
                    _output = {|#0:Marshal.AllocHGlobal(size * 2)|};
                }

                public void {|#2:Dispose|}()
                {
                    Marshal.FreeHGlobal(_input);
                    _input = IntPtr.Zero;
                }
            }
            """, """
            using System;
            using System.Runtime.InteropServices;

            sealed class Codec : IDisposable
            {
                private IntPtr _input;
                private IntPtr _output;

                public Codec(int size)
                {
                    _input = Marshal.AllocHGlobal(size);
                    _output = Marshal.AllocHGlobal(size * 2);
                }

                public void Dispose()
                {
                    Marshal.FreeHGlobal(_input);
                    _input = IntPtr.Zero;
                    Marshal.FreeHGlobal(_output);
                    _output = IntPtr.Zero;
                }
            }
            """, Expected());

    [Fact]
    public Task Frees_a_pinned_handle_through_its_receiver_and_a_block_of_a_this_member_api()
        => VerifyFix.VerifyAsync("""
            using System;
            using System.Runtime.InteropServices;
            using Vmap;

            sealed class Pinner : IDisposable
            {
                private readonly VmapSpace _space;
                private GCHandle {|#1:_pin|};
                private nint {|#4:_scratch|};

                public Pinner(VmapSpace space) => _space = space;

                public void Pin(byte[] data)
                {
                    _pin = {|#0:GCHandle.Alloc(data, GCHandleType.Pinned)|};
                    _scratch = {|#3:_space.Vmalloc(64)|};
                }

                public void {|#2:Dispose|}()
                {
                    if (_space is null)
                    {
                        return;
                    }
                }
            }
            """, """
            using System;
            using System.Runtime.InteropServices;
            using Vmap;

            sealed class Pinner : IDisposable
            {
                private readonly VmapSpace _space;
                private GCHandle _pin;
                private nint _scratch;

                public Pinner(VmapSpace space) => _space = space;

                public void Pin(byte[] data)
                {
                    _pin = GCHandle.Alloc(data, GCHandleType.Pinned);
                    _scratch = _space.Vmalloc(64);
                }

                public void Dispose()
                {
                    if (_space is null)
                    {
                        return;
                    }
                    _pin.Free();
                    _pin = default;
                    _space.Vfree(_scratch);
                    _scratch = 0;
                }
            }
            """, Expected(), Expected(3, 4, 2));

    [Fact]
    public Task Offers_nothing_without_a_Dispose_for_a_readonly_member_or_when_the_release_needs_the_mapped_count()
        => VerifyFix.VerifyNoFixAsync("""
            using System;
            using System.Runtime.InteropServices;
            using Vmap;

            sealed class Hasher
            {
                private IntPtr {|#1:_scratch|} = {|#0:Marshal.AllocHGlobal(256)|};

                public bool Ready => _scratch != IntPtr.Zero;
            }

            sealed class Table : IDisposable
            {
                private readonly IntPtr {|#3:_rows|} = {|#2:Marshal.AllocHGlobal(64)|};

                public bool Ready => _rows != IntPtr.Zero;

                public void {|#4:Dispose|}()
                {
                }
            }

            sealed class Ring : IDisposable
            {
                private readonly VmapSpace _space;
                private nint {|#6:_data|};

                public Ring(VmapSpace space, Page[] pages)
                {
                    _space = space;
                    _data = {|#5:_space.MapRam(pages)|};
                }

                public void {|#7:Dispose|}()
                {
                }
            }
            """, Expected(0, 1), Expected(2, 3, 4), Expected(5, 6, 7));
}
