namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// A call of a source method that throws on some path (an explicit throw it does not catch,
/// followed to the summary depth) is a way out of the caller: a block acquired before it and
/// released only after it leaks when it throws, unless a finally or a catch on the way out releases it.
/// </summary>
public class VMAP002ThrowingCalleeTests
{
    private const string Checks = """
        using System;
        using System.Runtime.InteropServices;

        static class Checks
        {
            public static void NotEmpty(string? key)
            {
                if (string.IsNullOrEmpty(key))
                {
                    {|#2:throw new ArgumentException("empty key", nameof(key));|}
                }
            }

            public static void Key(string? key) => {|#3:NotEmpty(key)|};

            public static void Positive(int size)
            {
                if (size <= 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(size));
                }
            }

            public static void Log(string? key) => Console.WriteLine(key);

            public static int Recurse(string? key, int depth)
            {
                if (depth > 0)
                {
                    return Recurse(key, depth - 1);
                }

                NotEmpty(key);
                return 0;
            }

            public static void Guarded(string? key)
            {
                try
                {
                    NotEmpty(key);
                }
                catch (ArgumentException)
                {
                }
            }

            public static void Never(string? key)
            {
                const bool Strict = false;
                if (Strict)
                {
                    throw new InvalidOperationException(key);
                }
            }

            public static void Inspect(IntPtr block)
            {
                if (block == IntPtr.Zero)
                {
                    throw new OutOfMemoryException();
                }
            }

            [DllImport("kv")] public static extern int Put(IntPtr value, string? key);
        }

        """;

    [Fact]
    public Task A_validation_helper_that_throws_before_the_try_loses_the_pin() => Verify.BuiltIn(
        Checks + """
        class Store
        {
            public int Write(byte[] value, string? key)
            {
                var pin = {|#0:GCHandle.Alloc(value, GCHandleType.Pinned)|};
                {|#1:Checks.NotEmpty(key)|};
                try
                {
                    return Checks.Put(pin.AddrOfPinnedObject(), key);
                }
                finally
                {
                    pin.Free();
                }
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("The handle in 'pin' from Alloc at line 71 is lost if NotEmpty at line 72 throws (throw at line 10): it is not freed on that path"));

    [Fact]
    public Task A_helper_that_throws_through_another_names_the_inner_call() => Verify.BuiltIn(
        Checks + """
        class Store
        {
            public int Write(int size, string? key)
            {
                IntPtr block = {|#0:Marshal.AllocHGlobal(size)|};
                {|#1:Checks.Key(key)|};
                int result = Checks.Put(block, key);
                Marshal.FreeHGlobal(block);
                return result;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1).WithLocation(3)
            .WithMessage("The block in 'block' from AllocHGlobal at line 71 is lost if Key at line 72 throws (NotEmpty at line 14): it is not freed on that path"));

    [Theory]
    [InlineData("Checks.NotEmpty(key);\n        IntPtr block = Marshal.AllocHGlobal(size);\n        int result = Checks.Put(block, key);\n        Marshal.FreeHGlobal(block);")]
    [InlineData("IntPtr block = Marshal.AllocHGlobal(size);\n        int result = Checks.Put(block, key);\n        Marshal.FreeHGlobal(block);\n        Checks.NotEmpty(key);")]
    [InlineData("IntPtr block = Marshal.AllocHGlobal(size);\n        int result;\n        try\n        {\n            Checks.NotEmpty(key);\n            result = Checks.Put(block, key);\n        }\n        finally\n        {\n            Marshal.FreeHGlobal(block);\n        }")]
    [InlineData("IntPtr block = Marshal.AllocHGlobal(size);\n        int result;\n        try\n        {\n            Checks.NotEmpty(key);\n            result = Checks.Put(block, key);\n        }\n        catch\n        {\n            Marshal.FreeHGlobal(block);\n            throw;\n        }\n\n        Marshal.FreeHGlobal(block);")]
    [InlineData("IntPtr block = Marshal.AllocHGlobal(size);\n        Checks.Guarded(key);\n        int result = Checks.Put(block, key);\n        Marshal.FreeHGlobal(block);")]
    [InlineData("IntPtr block = Marshal.AllocHGlobal(size);\n        Checks.Never(key);\n        int result = Checks.Put(block, key);\n        Marshal.FreeHGlobal(block);")]
    [InlineData("IntPtr block = Marshal.AllocHGlobal(size);\n        Checks.Positive(4096);\n        int result = Checks.Put(block, key);\n        Marshal.FreeHGlobal(block);")]
    [InlineData("IntPtr block = Marshal.AllocHGlobal(size);\n        int result = Checks.Recurse(key, size) + Checks.Put(block, key);\n        Marshal.FreeHGlobal(block);")]
    [InlineData("IntPtr block = Marshal.AllocHGlobal(size);\n        Checks.Log(key);\n        int result = Checks.Put(block, key);\n        Marshal.FreeHGlobal(block);")]
    [InlineData("IntPtr block = Marshal.AllocHGlobal(size);\n        Checks.Inspect(block);\n        int result = Checks.Put(block, key);\n        Marshal.FreeHGlobal(block);")]
    public Task Look_alikes_stay_silent(string body) => Verify.BuiltIn(
        Checks + $$"""
        class Store
        {
            public int Write(int size, string? key)
            {
                {{body}}
                return result;
            }
        }
        """);

    /// <summary>
    /// A switch expression whose discard arm matches everything cannot throw, although its graph
    /// keeps the compiler's SwitchExpressionException branch: only a throw the code writes makes a
    /// callee one that throws (fourth set, part A, shape A2). An arm that throws still does.
    /// </summary>
    [Theory]
    [InlineData("_ => \"other\",", false)]
    [InlineData("_ => {|#2:throw new ArgumentOutOfRangeException(nameof(code))|},", true)]
    public Task A_switch_expression_throws_only_where_an_arm_writes_a_throw(string lastArm, bool reported) => Verify.BuiltIn(
        $$"""
        using System;
        using System.Runtime.InteropServices;

        static class Text
        {
            public static string Describe(int code) => code switch
            {
                1 => "one",
                {{lastArm}}
            };
        }

        class Reader
        {
            public int Read(int size, int code, Action<string> log)
            {
                IntPtr block = {|#0:Marshal.AllocHGlobal(size)|};
                log({|#1:Text.Describe(code)|});
                Marshal.FreeHGlobal(block);
                return size;
            }
        }
        """,
        reported
            ? new[]
            {
                Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1).WithLocation(2)
                    .WithMessage("The block in 'block' from AllocHGlobal at line 17 is lost if Describe at line 18 throws (throw at line 9): it is not freed on that path"),
            }
            : System.Array.Empty<Microsoft.CodeAnalysis.Testing.DiagnosticResult>());

    /// <summary>
    /// A callee that declares a value and throws on every path is a placeholder whose body is
    /// replaced after the build (a COM slot call woven in): the caller uses its value, so it is not
    /// taken to throw (fifth held-out set, part A, shape F1). A void callee that always throws (a
    /// throw helper) still is.
    /// </summary>
    [Theory]
    [InlineData("int", "int hr = {|#1:Slots.Invoke(text)|};", false)]
    [InlineData("void", "{|#1:Slots.Invoke(text)|};\n        int hr = 0;", true)]
    public Task A_callee_that_returns_a_value_on_no_path_is_a_placeholder(string returns, string call, bool reported) => Verify.BuiltIn(
        $$"""
        using System;
        using System.Runtime.InteropServices;

        static class Slots
        {
            public static {{returns}} Invoke(IntPtr text)
            {
                {|#2:throw new NotImplementedException();|}
            }
        }

        class Namer
        {
            public int SetName(string name)
            {
                IntPtr text = {|#0:Marshal.StringToHGlobalUni(name)|};
                {{call}}
                Marshal.FreeHGlobal(text);
                return hr;
            }
        }
        """,
        reported
            ? new[]
            {
                Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1).WithLocation(2)
                    .WithMessage("The block in 'text' from StringToHGlobalUni at line 16 is lost if Invoke at line 17 throws (throw at line 8): it is not freed on that path"),
            }
            : System.Array.Empty<Microsoft.CodeAnalysis.Testing.DiagnosticResult>());

    // ---- a callee given the block, which throws before it keeps or frees it (val3b H3, local form)

    private const string Writers = """
        using System;
        using System.Runtime.InteropServices;

        static class Writers
        {
            private static IntPtr s_last;

            public static void Header(IntPtr block, int value)
            {
                if (value < 0)
                {
                    {|#2:throw new ArgumentOutOfRangeException(nameof(value));|}
                }

                Marshal.WriteInt32(block, value);
            }

            public static void Remember(IntPtr block, int value)
            {
                s_last = block;
                if (value < 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(value));
                }
            }

            public static void FreeOnError(IntPtr block, int value)
            {
                if (value < 0)
                {
                    Marshal.FreeHGlobal(block);
                    throw new ArgumentOutOfRangeException(nameof(value));
                }

                Marshal.WriteInt32(block, value);
            }
        }

        """;

    /// <summary>
    /// The callee borrows the block and throws on a check of another argument before it touches
    /// it: on that throw the block is still the caller's, which returns it only after the call.
    /// </summary>
    [Fact]
    public Task A_callee_given_the_block_that_throws_before_using_it_loses_the_block() => Verify.BuiltIn(
        Writers + """
        static class Mapper
        {
            public static IntPtr Map(int header)
            {
                IntPtr entry = {|#0:Marshal.AllocHGlobal(64)|};
                {|#1:Writers.Header(entry, header)|};
                return entry;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("The block in 'entry' from AllocHGlobal at line 42 is lost if Header at line 43 throws (throw at line 12): it is not freed on that path"));

    /// <summary>
    /// Silent: a callee that keeps the block (a static field) or frees it before its throw, and a
    /// caller that frees the block in a finally around the call.
    /// </summary>
    [Theory]
    [InlineData("IntPtr entry = Marshal.AllocHGlobal(64);\n        Writers.Remember(entry, header);\n        return entry;")]
    [InlineData("IntPtr entry = Marshal.AllocHGlobal(64);\n        Writers.FreeOnError(entry, header);\n        return entry;")]
    [InlineData("IntPtr entry = Marshal.AllocHGlobal(64);\n        try\n        {\n            Writers.Header(entry, header);\n        }\n        finally\n        {\n            Marshal.FreeHGlobal(entry);\n        }\n\n        return IntPtr.Zero;")]
    public Task A_callee_that_keeps_or_frees_the_block_before_its_throw_is_silent(string body) => Verify.BuiltIn(
        Writers.Replace("{|#2:", string.Empty, StringComparison.Ordinal).Replace(";|}", ";", StringComparison.Ordinal) + $$"""
        static class Mapper
        {
            public static IntPtr Map(int header)
            {
                {{body}}
            }
        }
        """);

    /// <summary>
    /// A callee that frees the block on its normal path but checks another argument first: its
    /// release does not run when the check throws, so the block is lost on that path. The
    /// look-alike hands the block to code it cannot see before its throw: nothing is claimed.
    /// </summary>
    [Fact]
    public Task A_releasing_callee_that_throws_before_its_release_loses_the_block_and_one_that_hands_it_on_first_does_not() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        interface ISink
        {
            void Put(IntPtr block);
        }

        static class Consumer
        {
            private static ISink? s_sink;

            private static void Consume(IntPtr block, int count)
            {
                if (count < 0)
                {
                    {|#2:throw new ArgumentOutOfRangeException(nameof(count));|}
                }

                Marshal.FreeHGlobal(block);
            }

            private static void Forward(IntPtr block, int count)
            {
                s_sink!.Put(block);
                if (count < 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(count));
                }
            }

            public static void Run(int count)
            {
                IntPtr block = {|#0:Marshal.AllocHGlobal(64)|};
                {|#1:Consume(block, count)|};
            }

            public static void Pass(int count)
            {
                IntPtr block = Marshal.AllocHGlobal(64);
                Forward(block, count);
                Marshal.FreeHGlobal(block);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("The block in 'block' from AllocHGlobal at line 34 is lost if Consume at line 35 throws (throw at line 17): it is not freed on that path"));

    // ---- precondition checks: a callee's throw reached only through tests of its own inputs

    private const string Refs = """
        using System;
        using System.Runtime.InteropServices;

        readonly struct Ref
        {
            private readonly IntPtr _target;

            public Ref(IntPtr target) => _target = target == IntPtr.Zero ? throw new ArgumentNullException(nameof(target)) : target;

            public bool IsNull => _target == IntPtr.Zero;

            public IntPtr Get() => IsNull ? {|#2:throw new NullReferenceException()|} : _target;
        }

        static class Session
        {
            [DllImport("rt")] private static extern int rt_flush(IntPtr session);

            public static void Flush(IntPtr session)
            {
                int status = rt_flush(session);
                if (status != 0)
                {
                    {|#5:throw new InvalidOperationException("flush failed");|}
                }
            }
        }

        """;

    /// <summary>
    /// Silent (fourth set, part A, A3 and A4): the receiver was just built by a constructor that
    /// rejects what the check tests, or the same unchanged parameter passed the same check before.
    /// Reported: a parameter the caller never checked, for which the check may fail; and a callee
    /// whose throw depends on a native status, not on what it was given, whatever the caller knows.
    /// </summary>
    [Fact]
    public Task A_precondition_check_throws_only_where_the_caller_has_not_established_it() => Verify.BuiltIn(
        Refs + """
        static class Users
        {
            private static IntPtr s_kept;

            public static IntPtr Fresh(IntPtr target, byte[] data)
            {
                var pin = GCHandle.Alloc(data, GCHandleType.Pinned);
                s_kept = new Ref(target).Get();
                pin.Free();
                return s_kept;
            }

            public static IntPtr Again(Ref owner, byte[] data)
            {
                IntPtr first = owner.Get();
                var pin = GCHandle.Alloc(data, GCHandleType.Pinned);
                IntPtr second = owner.Get();
                pin.Free();
                return first == second ? first : IntPtr.Zero;
            }

            public static IntPtr Once(Ref owner, byte[] data)
            {
                var pin = {|#0:GCHandle.Alloc(data, GCHandleType.Pinned)|};
                IntPtr only = {|#1:owner.Get()|};
                pin.Free();
                return only;
            }

            public static void Sync(IntPtr session, byte[] data)
            {
                Session.Flush(session);
                var pin = {|#3:GCHandle.Alloc(data, GCHandleType.Pinned)|};
                {|#4:Session.Flush(session)|};
                pin.Free();
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("The handle in 'pin' from Alloc at line 51 is lost if Get at line 52 throws (throw at line 12): it is not freed on that path"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(3).WithLocation(4).WithLocation(5)
            .WithMessage("The handle in 'pin' from Alloc at line 60 is lost if Flush at line 61 throws (throw at line 24): it is not freed on that path"));
}
