namespace Vmap.Analyzers.Tests.BuiltIn;

/// <summary>
/// A GCHandle wrapped into a <c>GCHandle?</c>: the implicit nullable conversion, <c>.Value</c>,
/// <c>GetValueOrDefault()</c> and <c>?.</c> keep the handle's identity, so a hand-off or a release
/// through the nullable is the handle's own.
/// </summary>
public class NullableHandleTests
{
    // A callback context built with an object initializer, and a list that keeps handles.
    private const string InitializerPrelude = """
        using System;
        using System.Collections.Generic;
        using System.Runtime.InteropServices;

        public sealed class Ctx { public Action<int>? Callback { get; init; } public IntPtr UserData { get; init; } }

        public static class Pins
        {
            static readonly List<GCHandle> Kept = new();

        """;

    // The object initializer makes the control-flow graph spill the assignment target 'h' into a
    // flow capture before the initializer runs; the write then goes through the capture and must
    // land in 'h' itself (it used to land in the capture, and the mapping was reported lost).
    [Fact]
    public Task A_nullable_local_assigned_through_an_object_initializer_and_passed_on_is_clean() => Verify.BuiltIn(
        InitializerPrelude + """
            public static void NullableLocal(Action? a)
            {
                GCHandle? h = null;
                if (a is not null) { h = GCHandle.Alloc(new Ctx { Callback = _ => a(), UserData = IntPtr.Zero }); }
                Keep(h);
            }

            static void Keep(GCHandle? h) { if (h.HasValue) Kept.Add(h.Value); }
        }
        """);

    // The nullable is incidental: a plain GCHandle local assigned (not declared) from a call whose
    // argument has an object initializer is spilled the same way.
    [Fact]
    public Task A_plain_local_assigned_through_an_object_initializer_and_kept_is_clean() => Verify.BuiltIn(
        InitializerPrelude + """
            public static void PlainLocal(Action? a)
            {
                GCHandle h = default;
                if (a is not null) { h = GCHandle.Alloc(new Ctx { Callback = _ => a(), UserData = IntPtr.Zero }); }
                Kept.Add(h);
            }
        }
        """);

    [Fact]
    public Task A_nullable_local_passed_on_is_clean() => Verify.BuiltIn(
        """
        using System;
        using System.Collections.Generic;
        using System.Runtime.InteropServices;

        public static class Pins
        {
            static readonly List<GCHandle> Kept = new();

            public static void NullableLocalNoInitializer(Action? a)
            {
                GCHandle? h = null;
                if (a is not null) { h = GCHandle.Alloc(a); }
                Keep(h);
            }

            static void Keep(GCHandle? h) { if (h.HasValue) Kept.Add(h.Value); }
        }
        """);

    [Fact]
    public Task Releases_through_the_nullable_are_clean() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            void Conditional(object o)
            {
                GCHandle? h = GCHandle.Alloc(o);
                h?.Free();
            }

            void ThroughValue(object o)
            {
                GCHandle? h = GCHandle.Alloc(o);
                if (h.HasValue)
                {
                    h.Value.Free();
                }
            }

            void ThroughGetValueOrDefault(object o)
            {
                GCHandle? h = GCHandle.Alloc(o);
                h.GetValueOrDefault().Free();
            }
        }
        """);

    [Fact]
    public Task A_nullable_handle_never_freed_is_lost() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            void M(object o)
            {
                GCHandle? h = {|#0:GCHandle.Alloc(o)|};
            {|#1:}|}
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The handle in 'h' from Alloc at line 7 is lost: it goes out of scope at line 8 without being freed, returned, stored or passed on"));

    // h holds the handle on every path here, so the second h?.Free() really runs Free again.
    [Fact]
    public Task Freeing_a_nullable_handle_twice_with_conditional_access_is_reported() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            void M(object o)
            {
                GCHandle? h = GCHandle.Alloc(o);
                {|#1:h|}?.Free();
                {|#0:h|}?.Free();
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'h' is freed again here; it was already freed at line 8"));

    [Fact]
    public Task Freeing_through_Value_then_conditional_access_is_reported() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class C
        {
            void M(object o)
            {
                GCHandle? h = GCHandle.Alloc(o);
                if (h.HasValue)
                {
                    {|#1:h.Value|}.Free();
                }

                {|#0:h|}?.Free();
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'h' is freed again here; it was already freed at line 10"));
}
