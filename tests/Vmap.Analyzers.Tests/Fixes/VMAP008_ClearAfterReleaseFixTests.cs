using Microsoft.CodeAnalysis.Testing;
using VerifyFix = Vmap.Analyzers.Tests.Fixes.FixVerifier<Vmap.CodeFixes.VMAP008_ClearAfterReleaseFix>;

namespace Vmap.Analyzers.Tests.Fixes;

public class VMAP008_ClearAfterReleaseFixTests
{
    private static DiagnosticResult Expected(int at = 0, int dispose = 1) => VerifyFix.Diagnostic(RuleIds.VMAP008).WithLocation(at).WithLocation(dispose);

    [Fact]
    public Task Clears_an_hglobal_field_with_IntPtr_Zero()
        => VerifyFix.VerifyAsync("""
            using System;
            using System.Runtime.InteropServices;

            sealed class NativeBuffer : IDisposable
            {
                private IntPtr _buffer = Marshal.AllocHGlobal(64);

                public void {|#1:Dispose|}()
                {
                    Marshal.FreeHGlobal({|#0:_buffer|});
                    GC.SuppressFinalize(this);
                }
            }
            """, """
            using System;
            using System.Runtime.InteropServices;

            sealed class NativeBuffer : IDisposable
            {
                private IntPtr _buffer = Marshal.AllocHGlobal(64);

                public void Dispose()
                {
                    Marshal.FreeHGlobal(_buffer);
                    _buffer = IntPtr.Zero;
                    GC.SuppressFinalize(this);
                }
            }
            """, Expected());

    [Fact]
    public Task Wraps_a_zero_tested_release_in_a_block_with_the_clear()
        => VerifyFix.VerifyAsync("""
            using System;
            using System.Runtime.InteropServices;

            sealed class NativeBuffer : IDisposable
            {
                private IntPtr _buffer = Marshal.AllocHGlobal(64);

                public void {|#1:Dispose|}()
                {
                    if (_buffer != IntPtr.Zero)
                        Marshal.FreeHGlobal({|#0:_buffer|});
                }
            }
            """, """
            using System;
            using System.Runtime.InteropServices;

            sealed class NativeBuffer : IDisposable
            {
                private IntPtr _buffer = Marshal.AllocHGlobal(64);

                public void Dispose()
                {
                    if (_buffer != IntPtr.Zero)
                    {
                        Marshal.FreeHGlobal(_buffer);
                        _buffer = IntPtr.Zero;
                    }
                }
            }
            """, Expected());

    [Fact]
    public Task Gives_an_expression_bodied_Dispose_a_block_body()
        => VerifyFix.VerifyAsync("""
            using System;
            using System.Runtime.InteropServices;

            sealed class NativeString : IDisposable
            {
                private IntPtr _text = Marshal.StringToCoTaskMemUni("x");

                public void {|#1:Dispose|}() => Marshal.FreeCoTaskMem({|#0:this._text|});
            }
            """, """
            using System;
            using System.Runtime.InteropServices;

            sealed class NativeString : IDisposable
            {
                private IntPtr _text = Marshal.StringToCoTaskMemUni("x");

                public void Dispose()
                {
                    Marshal.FreeCoTaskMem(this._text);
                    this._text = IntPtr.Zero;
                }
            }
            """, Expected());

    [Fact]
    public Task Clears_pointers_arrays_and_nullable_handles_with_null()
        => Unsafe("""
            using System;
            using System.Buffers;
            using System.Runtime.InteropServices;

            sealed unsafe class Owner : IDisposable
            {
                private byte* _data = (byte*)NativeMemory.Alloc(64);
                private char[] _chars = ArrayPool<char>.Shared.Rent(64);
                private GCHandle? _self;

                public Owner() => _self = GCHandle.Alloc(this);

                public void {|#1:Dispose|}()
                {
                    NativeMemory.Free({|#0:_data|});
                    ArrayPool<char>.Shared.Return({|#2:_chars|});
                    {|#3:_self|}?.Free();
                }
            }
            """, """
            using System;
            using System.Buffers;
            using System.Runtime.InteropServices;

            sealed unsafe class Owner : IDisposable
            {
                private byte* _data = (byte*)NativeMemory.Alloc(64);
                private char[] _chars = ArrayPool<char>.Shared.Rent(64);
                private GCHandle? _self;

                public Owner() => _self = GCHandle.Alloc(this);

                public void Dispose()
                {
                    NativeMemory.Free(_data);
                    _data = null;
                    ArrayPool<char>.Shared.Return(_chars);
                    _chars = null;
                    _self?.Free();
                    _self = null;
                }
            }
            """, Expected(), Expected(2), Expected(3));

    private static Task Unsafe(string source, string fixedSource, params DiagnosticResult[] expected)
    {
        var test = VerifyFix.Create(source, fixedSource, expected);
        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var options = (Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions)solution.GetProject(projectId)!.CompilationOptions!;
            return solution.WithProjectCompilationOptions(projectId, options.WithAllowUnsafe(true));
        });
        return test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public Task Clears_a_GCHandle_property_and_an_nint_property_with_default_and_zero()
        => VerifyFix.VerifyAsync("""
            using System;
            using System.Runtime.InteropServices;
            using Vmap;

            class Window : IDisposable
            {
                private readonly VmapSpace _space;
                private readonly Page[] _pages;

                public Window(VmapSpace space, Page[] pages)
                {
                    _space = space;
                    _pages = pages;
                    Address = space.MapRam(pages);
                    Pin = GCHandle.Alloc(pages, GCHandleType.Pinned);
                }

                public nint Address { get; private set; }

                private GCHandle Pin { get; set; }

                protected virtual void {|#1:Dispose|}(bool disposing)
                {
                    if (disposing)
                    {
                        {|#2:Pin|}.Free();
                    }

                    _space.UnmapRam({|#0:Address|}, _pages.Length);
                }

                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }
            }
            """, """
            using System;
            using System.Runtime.InteropServices;
            using Vmap;

            class Window : IDisposable
            {
                private readonly VmapSpace _space;
                private readonly Page[] _pages;

                public Window(VmapSpace space, Page[] pages)
                {
                    _space = space;
                    _pages = pages;
                    Address = space.MapRam(pages);
                    Pin = GCHandle.Alloc(pages, GCHandleType.Pinned);
                }

                public nint Address { get; private set; }

                private GCHandle Pin { get; set; }

                protected virtual void Dispose(bool disposing)
                {
                    if (disposing)
                    {
                        Pin.Free();
                        Pin = default;
                    }

                    _space.UnmapRam(Address, _pages.Length);
                    Address = 0;
                }

                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }
            }
            """, Expected(), Expected(2));

    [Fact]
    public Task Offers_nothing_for_a_readonly_field_a_get_only_property_or_a_release_inside_an_expression()
        => VerifyFix.VerifyNoFixAsync("""
            using System;
            using System.Runtime.InteropServices;
            using Vmap;

            sealed class Fixed : IDisposable
            {
                private readonly IntPtr _buffer = Marshal.AllocHGlobal(64);
                private readonly VmapSpace _space = new();
                private readonly GCHandle _pin = GCHandle.Alloc(new byte[1], GCHandleType.Pinned);
                private nint _area;

                public Fixed() => _area = _space.Vmalloc(4096);

                public IntPtr Name { get; } = Marshal.StringToHGlobalUni("x");

                public void {|#1:Dispose|}()
                {
                    Marshal.FreeHGlobal({|#0:_buffer|});
                    Marshal.FreeHGlobal({|#2:Name|});
                    {|#3:_pin|}.Free();
                    Action unmap = () => _space.Vfree(_area);
                    for (_space.Vfree({|#4:_area|}); ;)
                    {
                        break;
                    }
                }
            }
            """, Expected(), Expected(2), Expected(3), Expected(4));

    [Fact]
    public Task Offers_nothing_when_the_member_is_read_after_the_release()
        => VerifyFix.VerifyNoFixAsync("""
            using System;
            using System.Runtime.InteropServices;

            sealed class Logged : IDisposable
            {
                private IntPtr _buffer = Marshal.AllocHGlobal(64);

                public void {|#1:Dispose|}()
                {
                    Marshal.FreeHGlobal({|#0:_buffer|});
                    Console.WriteLine("freed " + _buffer.ToString("x"));
                }
            }
            """, Expected());

    [Fact]
    public Task Fix_all_clears_every_member_in_the_solution()
    {
        const string First = """
            using System;
            using System.Runtime.InteropServices;

            sealed class First : IDisposable
            {
                private IntPtr _a = Marshal.AllocHGlobal(8);
                private IntPtr _b = Marshal.AllocCoTaskMem(8);

                public void {|#1:Dispose|}()
                {
                    Marshal.FreeHGlobal({|#0:_a|});
                    Marshal.FreeCoTaskMem({|#2:_b|});
                }
            }
            """;
        const string FirstFixed = """
            using System;
            using System.Runtime.InteropServices;

            sealed class First : IDisposable
            {
                private IntPtr _a = Marshal.AllocHGlobal(8);
                private IntPtr _b = Marshal.AllocCoTaskMem(8);

                public void Dispose()
                {
                    Marshal.FreeHGlobal(_a);
                    _a = IntPtr.Zero;
                    Marshal.FreeCoTaskMem(_b);
                    _b = IntPtr.Zero;
                }
            }
            """;
        const string Second = """
            using System;
            using System.Buffers;

            sealed class Second : IDisposable
            {
                private int[] _items = ArrayPool<int>.Shared.Rent(8);

                public void {|#4:Dispose|}() => ArrayPool<int>.Shared.Return({|#3:_items|});
            }
            """;
        const string SecondFixed = """
            using System;
            using System.Buffers;

            sealed class Second : IDisposable
            {
                private int[] _items = ArrayPool<int>.Shared.Rent(8);

                public void Dispose()
                {
                    ArrayPool<int>.Shared.Return(_items);
                    _items = null;
                }
            }
            """;
        var test = VerifyFix.Create(First, FirstFixed, Expected(), Expected(2), Expected(3, 4));
        test.TestState.Sources.Add(("/0/Test1.cs", Second));
        test.FixedState.Sources.Add(("/0/Test1.cs", SecondFixed));
        FixAll.AddSecondProject(test, """
            using System;
            using Vmap;

            sealed class Third : IDisposable
            {
                private readonly VmapSpace _space = new();
                private nint _area;

                public Third() => _area = _space.Vmalloc(4096);

                public void {|#6:Dispose|}()
                {
                    _space.Vfree({|#5:_area|});
                }
            }
            """, """
            using System;
            using Vmap;

            sealed class Third : IDisposable
            {
                private readonly VmapSpace _space = new();
                private nint _area;

                public Third() => _area = _space.Vmalloc(4096);

                public void Dispose()
                {
                    _space.Vfree(_area);
                    _area = 0;
                }
            }
            """, Expected(5, 6));
        FixAll.ExpectOnePassPerScope(test, documents: 3, projects: 2);
        return test.RunAsync(CancellationToken.None);
    }
}
