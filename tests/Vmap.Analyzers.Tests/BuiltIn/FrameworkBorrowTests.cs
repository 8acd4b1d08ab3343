using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;

namespace Vmap.Analyzers.Tests.BuiltIn;

/// <summary>
/// .NET's own methods lend a block passed as a pointer, address or span and never take it over,
/// so a leak after such a call is still a leak. Metadata from any other assembly stays unknown,
/// whatever its namespace; the framework's own stores (SetHandle, Interlocked.Exchange) adopt.
/// </summary>
public class FrameworkBorrowTests
{
    [Fact]
    public Task A_block_filled_by_Encoding_GetBytes_and_never_freed_is_lost() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;
        using System.Text;

        unsafe class Names
        {
            [DllImport("native")] static extern int Lookup(byte* name);

            public static int Find(string text)
            {
                int size = Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
                byte* block = (byte*){|#0:Marshal.AllocHGlobal(size)|};
                fixed (char* chars = text)
                {
                    int written = Encoding.UTF8.GetBytes(chars, text.Length, block, size);
                    block[written] = 0;
                }

                {|#1:return Lookup(block);|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'block' from AllocHGlobal at line 12 is lost: it goes out of scope at line 19 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_block_copied_into_with_Buffer_MemoryCopy_and_read_through_a_span_still_leaks() => Verify.BuiltIn(
        """
        using System;
        using System.IO;
        using System.Runtime.InteropServices;

        unsafe class Copier
        {
            public static int Copy(byte* source, int n, Stream output)
            {
                void* block = {|#0:NativeMemory.Alloc((nuint)n)|};
                Buffer.MemoryCopy(source, block, n, n);
                output.Write(new ReadOnlySpan<byte>(block, n));
                {|#1:return n;|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'block' from Alloc at line 9 is lost: it goes out of scope at line 12 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_framework_borrow_followed_by_the_free_is_clean() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;
        using System.Text;

        unsafe class Names
        {
            public static string RoundTrip(string text)
            {
                int size = Encoding.UTF8.GetMaxByteCount(text.Length);
                IntPtr block = Marshal.AllocHGlobal(size);
                try
                {
                    int written;
                    fixed (char* chars = text)
                    {
                        written = Encoding.UTF8.GetBytes(chars, text.Length, (byte*)block, size);
                    }

                    return Encoding.UTF8.GetString((byte*)block, written);
                }
                finally
                {
                    Marshal.FreeHGlobal(block);
                }
            }
        }
        """);

    [Fact]
    public Task SetHandle_hands_the_block_to_the_safe_handle() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        sealed class BlockHandle : SafeHandle
        {
            public BlockHandle(int size) : base(IntPtr.Zero, ownsHandle: true)
            {
                SetHandle(Marshal.AllocHGlobal(size));
            }

            public override bool IsInvalid => handle == IntPtr.Zero;

            protected override bool ReleaseHandle()
            {
                Marshal.FreeHGlobal(handle);
                return true;
            }
        }
        """);

    [Fact]
    public Task A_block_exchanged_into_a_field_with_Interlocked_is_stored() => Verify.BuiltIn(
        """
        using System;
        using System.Collections.Generic;
        using System.Runtime.InteropServices;
        using System.Threading;

        class Cache
        {
            private IntPtr _buffer;
            private readonly List<IntPtr> _all = new();

            public void Replace(int size)
            {
                IntPtr block = Marshal.AllocHGlobal(size);
                IntPtr old = Interlocked.Exchange(ref _buffer, block);
                if (old != IntPtr.Zero)
                {
                    Marshal.FreeHGlobal(old);
                }
            }

            public void Keep(int size)
            {
                IntPtr block = Marshal.AllocHGlobal(size);
                _all.Add(block);
            }
        }
        """);

    [Theory]
    [InlineData("Vendor.Interop")]
    [InlineData("System.Interop.Vendor")]
    public async Task A_method_of_a_third_party_assembly_may_adopt_the_block_whatever_its_name(string assemblyName)
    {
        var references = (await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None)).ToList();
        var library = CSharpCompilation.Create(
            assemblyName,
            new[] { CSharpSyntaxTree.ParseText("namespace System.Vendor { public static class Sink { public static void Consume(System.IntPtr block) { } } }") },
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var image = new MemoryStream();
        Assert.True(library.Emit(image).Success);
        references.Add(MetadataReference.CreateFromImage(image.ToArray()));

        var diagnostics = await Verify.Diagnostics(references, """
            using System;
            using System.Runtime.InteropServices;

            unsafe class User
            {
                public void Hand(int size)
                {
                    IntPtr block = Marshal.AllocHGlobal(size);
                    System.Vendor.Sink.Consume(block);
                }

                public void Lose(int size)
                {
                    IntPtr block = Marshal.AllocHGlobal(size);
                    System.Text.Encoding.UTF8.GetString((byte*)block, 1);
                }
            }
            """);

        // The third-party call may own the block now; the framework's GetString only reads it.
        var lost = Assert.Single(diagnostics);
        Assert.Equal(RuleIds.VMAP002, lost.Id);
        Assert.Equal(13, lost.Location.GetLineSpan().StartLinePosition.Line);
    }

    [Theory]
    [InlineData("System.Runtime", true)]
    [InlineData("System.Text.Encoding.Extensions", true)]
    [InlineData("System.Memory", true)]
    [InlineData("System.Interop.Vendor", false)]
    public async Task Framework_assemblies_are_known_by_name_and_key(string assemblyName, bool framework)
    {
        var references = await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
        var compilation = CSharpCompilation.Create("Probe", references: references);
        var assembly = compilation.References
            .Select(compilation.GetAssemblyOrModuleSymbol)
            .OfType<IAssemblySymbol>()
            .FirstOrDefault(a => a.Identity.Name == assemblyName);

        Assert.Equal(framework, Vmap.Analyzers.Pairing.FrameworkCalls.IsFramework(assembly));
    }
}
