using System.Text;

namespace Vmap.Analyzers.Tests.Pairing;

/// <summary>
/// Widening may only make the engine quieter. The walker keeps at most a few path states per
/// block apart; past that it joins them and forgets the branch conditions that told them apart.
/// A pin taken under <c>if (a != null)</c> and freed under the same test is then "live on some
/// path" only because the join forgot which path it was on: such a mapping must become unknown,
/// never a leak, whatever the number of unrelated tests around it.
/// </summary>
public class WideningTests
{
    private static readonly int[] Sizes = Enumerable.Range(1, 40).ToArray();

    [Fact]
    public async Task Guarded_pins_freed_under_the_same_tests_stay_clean_however_many_tests_surround_them()
    {
        var source = new StringBuilder(Header);
        foreach (var size in Sizes)
        {
            source.Append(Method(size, leakFirst: false));
        }

        source.Append('}');

        var diagnostics = await Verify.Diagnostics(null, source.ToString());

        Assert.Equal(string.Empty, string.Join(Environment.NewLine, diagnostics));
    }

    public static TheoryData<int> LeakSizes() => new() { 1, 3, 7, 8, 9, 16, 40 };

    [Theory]
    [MemberData(nameof(LeakSizes))]
    public Task A_real_leak_before_the_tests_is_still_reported_at_its_exit(int size) => Verify.BuiltIn(
        Header + Method(size, leakFirst: true) + "}",
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'scratch' from AllocHGlobal at line 9 is lost: it goes out of scope at line 12 without being freed, returned, stored or passed on"));

    private const string Header = """
        using System;
        using System.Runtime.InteropServices;

        class Widened
        {
            [DllImport("native")] static extern int Sum(IntPtr a, IntPtr b, IntPtr scratch, int n);

        """;

    /// <summary>
    /// Half of the <paramref name="size"/> independent tests come before the pins, half inside the
    /// try; one of them returns from inside the try (through the finally). With
    /// <paramref name="leakFirst"/> a scratch block leaks on an early return before any of it.
    /// </summary>
    private static string Method(int size, bool leakFirst)
    {
        var body = new StringBuilder();
        body.Append($"    public int M{size}(byte[]? a, byte[]? b, int mode, int limit)\n    {{\n");
        body.Append(leakFirst
            ? "        IntPtr scratch = {|#0:Marshal.AllocHGlobal(64)|};\n        if (limit < 0)\n        {\n            {|#1:return -1;|}\n        }\n\n"
            : "        IntPtr scratch = Marshal.AllocHGlobal(64);\n        if (limit < 0)\n        {\n            Marshal.FreeHGlobal(scratch);\n            return -1;\n        }\n\n");
        body.Append("        int n = 0;\n");
        var before = size / 2;
        for (var i = 0; i < before; i++)
        {
            body.Append($"        if ((mode & (1 << {i})) != 0) n += {i + 1};\n");
        }

        body.Append("        GCHandle ha = default, hb = default;\n");
        body.Append("        if (a != null) ha = GCHandle.Alloc(a, GCHandleType.Pinned);\n");
        body.Append("        if (b != null) hb = GCHandle.Alloc(b, GCHandleType.Pinned);\n");
        body.Append("        try\n        {\n");
        for (var i = before; i < size; i++)
        {
            body.Append($"            if ((mode & (1 << {i})) != 0) n += {i + 1};\n");
        }

        body.Append("            if (n > limit) return n;\n");
        body.Append("            return Sum(a != null ? ha.AddrOfPinnedObject() : IntPtr.Zero, b != null ? hb.AddrOfPinnedObject() : IntPtr.Zero, scratch, n);\n");
        body.Append("        }\n        finally\n        {\n");
        body.Append("            if (a != null) ha.Free();\n            if (b != null) hb.Free();\n            Marshal.FreeHGlobal(scratch);\n");
        body.Append("        }\n    }\n\n");
        return body.ToString();
    }
}
