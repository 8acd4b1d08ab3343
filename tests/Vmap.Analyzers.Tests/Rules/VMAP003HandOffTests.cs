namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// The moved state: a mapping passed to a parameter that takes it over ([TakesOwnership], a
/// vmap_takes_ownership entry) belongs to the callee. The caller's own release afterwards, or a
/// second hand-off, releases it twice; reading it afterwards is allowed.
/// </summary>
public class VMAP003HandOffTests
{
    private const string Queue = """
        using Vmap;
        using Vmap.Annotations;

        class Queue
        {
            public static void Enqueue([TakesOwnership] nint block) { }

            public static void Park([TakesOwnership] nint block) { }

            public static int Peek(nint block) => 0;
        }

        """;

    [Fact]
    public Task A_release_after_the_hand_off_is_reported() => Verify.Analyzer(
        Queue + """
        class C
        {
            void M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                Queue.Enqueue({|#1:p|});
                space.Vfree({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped here; it was handed to Enqueue at line 17, which takes it over"));

    [Fact]
    public Task A_second_hand_off_is_reported() => Verify.Analyzer(
        Queue + """
        class C
        {
            void M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                Queue.Enqueue({|#1:p|});
                Queue.Park({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is handed to Park here; it was already handed to Enqueue at line 17, which takes it over"));

    [Fact]
    public Task A_release_through_a_helper_after_the_hand_off_names_the_helper() => Verify.Analyzer(
        Queue + """
        class C
        {
            static void Drop(VmapSpace space, nint block) => space.Vfree({|#2:block|});

            void M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                Queue.Enqueue({|#1:p|});
                Drop(space, {|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("'p' is unmapped here by Drop (Vfree at line 14); it was handed to Enqueue at line 19, which takes it over"));

    [Fact]
    public Task A_hand_off_on_one_branch_then_a_release_is_reported_on_some_path() => Verify.Analyzer(
        Queue + """
        class C
        {
            void M(VmapSpace space, bool share)
            {
                var p = space.Vmalloc(4096);
                if (share)
                {
                    Queue.Enqueue({|#1:p|});
                }

                space.Vfree({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped here; it was handed to Enqueue at line 19, which takes it over on some path"));

    [Fact]
    public Task A_release_on_the_other_branch_is_clean() => Verify.Analyzer(
        Queue + """
        class C
        {
            void M(VmapSpace space, bool share)
            {
                var p = space.Vmalloc(4096);
                if (share)
                {
                    Queue.Enqueue(p);
                }
                else
                {
                    space.Vfree(p);
                }
            }
        }
        """);

    [Fact]
    public Task Reading_it_after_the_hand_off_is_not_reported() => Verify.Analyzer(
        Queue + """
        class C
        {
            int M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                Queue.Enqueue(p);
                space.GetSpan(p, 8).Clear();
                return Queue.Peek(p);
            }
        }
        """);

    [Fact]
    public Task A_hand_off_to_a_borrower_then_a_release_is_clean() => Verify.Analyzer(
        Queue + """
        class C
        {
            void M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                Queue.Peek(p);
                space.Vfree(p);
            }
        }
        """);

    [Fact]
    public Task A_release_of_a_new_mapping_in_the_same_local_is_clean() => Verify.Analyzer(
        Queue + """
        class C
        {
            void M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                Queue.Enqueue(p);
                p = space.Vmalloc(4096);
                space.Vfree(p);
            }
        }
        """);

    [Fact]
    public Task A_hand_off_each_loop_iteration_is_clean() => Verify.Analyzer(
        Queue + """
        class C
        {
            void M(VmapSpace space, int n)
            {
                for (var i = 0; i < n; i++)
                {
                    var p = space.Vmalloc(4096);
                    Queue.Enqueue(p);
                }
            }
        }
        """);

    [Fact]
    public Task A_release_after_a_hand_off_to_a_P_Invoke_is_reported() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        class C
        {
            [DllImport("msgq")] static extern void msgq_push([Vmap.Annotations.TakesOwnership] IntPtr message);

            void M(int size)
            {
                IntPtr message = Marshal.AllocHGlobal(size);
                msgq_push({|#1:message|});
                Marshal.FreeHGlobal({|#0:message|});
            }
        }

        namespace Vmap.Annotations
        {
            [AttributeUsage(AttributeTargets.Parameter)]
            sealed class TakesOwnershipAttribute : Attribute { }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'message' is freed here; it was handed to msgq_push at line 11, which takes it over"));

    [Fact]
    public async Task A_release_after_a_hand_off_to_a_configured_adopter_is_reported()
    {
        var diagnostics = await BuiltIn.ConfiguredPairTests.Analyze(
            "class C { void Hand() { var a = Native.Shm.Map(64); Native.Queue.Push(a); Native.Shm.Unmap(a, 64); } }",
            global: new() { ["vmap_pair.shm"] = BuiltIn.ConfiguredPairTests.ShmPair, ["vmap_takes_ownership.queue"] = "Native.Queue.Push(buffer)" });

        Assert.Equal(["VMAP003 (0,91) 'a' is released here; it was handed to Push at line 1, which takes it over"], diagnostics);
    }

    /// <summary>
    /// A hand-off under a test and a release under the opposite test never meet on one path. Past
    /// the walker's disjunct limit the join forgets the tests, and must then forget the hand-off's
    /// claim too rather than report a release that no path makes after the hand-off.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    public Task A_hand_off_and_a_release_under_opposite_tests_stay_clean_past_the_disjunct_limit(int tests)
    {
        var between = string.Concat(Enumerable.Range(0, tests).Select(i => $"        if ((mode & {1 << (i % 30)}) != 0 && limit > {i}) {{ limit--; }}\n"));
        return Verify.Analyzer(
            Queue + $$"""
            class C
            {
                void M(VmapSpace space, bool share, int mode, int limit)
                {
                    var p = space.Vmalloc(4096);
                    if (share)
                    {
                        Queue.Enqueue(p);
                    }

            {{between}}
                    if (!share)
                    {
                        space.Vfree(p);
                    }
                }
            }
            """);
    }
}
