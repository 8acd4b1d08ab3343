using Vmap.Analyzers.Tests.BuiltIn;

namespace Vmap.Analyzers.Tests.Configuration;

/// <summary>
/// <c>vmap_exception_paths</c>: by default only explicit throws and calls of source methods that
/// throw are ways out between an acquire and its release; <c>any_call</c> adds every call not
/// known not to throw, as CA2000 does.
/// </summary>
public class ExceptionPathsTests
{
    private const string Source = """
        using System;
        using System.Diagnostics;
        using System.Runtime.InteropServices;

        class C
        {
            static int Twice(int n) => n * 2;

            static void Trace(int n) => Console.WriteLine(n);

            void Logged(int n)
            {
                IntPtr block = Marshal.AllocHGlobal(n);
                Console.WriteLine(n);
                Marshal.FreeHGlobal(block);
            }

            void Helper(int n)
            {
                IntPtr block = Marshal.AllocHGlobal(n);
                Trace(n);
                Marshal.FreeHGlobal(block);
            }

            void Exempt(int n)
            {
                IntPtr block = Marshal.AllocHGlobal(n);
                int size = Math.Max(n, Twice(n));
                IntPtr end = IntPtr.Add(block, size);
                Debug.Assert(end != IntPtr.Zero);
                Marshal.FreeHGlobal(block);
            }

            void Released(int n)
            {
                IntPtr block = Marshal.AllocHGlobal(n);
                try
                {
                    Console.WriteLine(n);
                }
                finally
                {
                    Marshal.FreeHGlobal(block);
                }
            }
        }
        """;

    [Theory]
    [InlineData(null)]
    [InlineData("explicit")]
    public async Task By_default_a_call_that_merely_might_throw_is_not_an_exit(string? value)
    {
        var diagnostics = await ConfiguredPairTests.Analyze(Source, global: value is null ? new() : new() { ["vmap_exception_paths"] = value });

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task Any_call_reports_each_call_not_known_not_to_throw()
    {
        var diagnostics = await ConfiguredPairTests.Analyze(Source, global: new() { ["vmap_exception_paths"] = "any_call" });

        Assert.Equal(
            [
                "VMAP002 (12,23) The block in 'block' from AllocHGlobal at line 13 is lost if WriteLine at line 14 throws: it is not freed on that path",
                "VMAP002 (19,23) The block in 'block' from AllocHGlobal at line 20 is lost if Trace at line 21 throws: it is not freed on that path",
            ],
            diagnostics);
    }

    [Fact]
    public async Task Any_call_read_from_a_tree_s_section_applies_too()
    {
        var diagnostics = await ConfiguredPairTests.Analyze(Source, tree: new() { ["vmap_exception_paths"] = "ANY_CALL" });

        Assert.Equal(2, diagnostics.Length);
    }

    [Fact]
    public async Task A_value_that_is_neither_choice_is_reported_and_the_default_applies()
    {
        var diagnostics = await ConfiguredPairTests.Analyze(Source, global: new() { ["vmap_exception_paths"] = "all" });

        Assert.Equal(["VMAP007 None The .editorconfig entry 'vmap_exception_paths' is ignored: 'all' is not 'explicit' or 'any_call'"], diagnostics);
    }
}
