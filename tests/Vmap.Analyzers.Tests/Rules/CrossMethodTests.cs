namespace Vmap.Analyzers.Tests.Rules;

/// <summary>
/// Ownership followed across calls (issue 11, section 1): a helper whose body is in the
/// compilation is summarised; one we cannot see may adopt the mapping, which silences the leak
/// claim only.
/// </summary>
public class CrossMethodTests
{
    [Fact]
    public Task A_count_mismatch_after_a_borrowing_helper_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            static int Parse(nint p) => (int)p & 0xFF;

            void M(VmapSpace space)
            {
                var p = space.MapRam({|#1:new Page[4]|});
                Parse(p);
                space.UnmapRam(p, {|#0:1|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped with a count of '1' but MapRam mapped '4' pages at line 9"));

    [Fact]
    public Task A_wrong_family_release_after_a_borrowing_helper_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        unsafe class C
        {
            static void Touch(nint p) => *(byte*)p = 1;

            void M(VmapSpace space, Page[] pages)
            {
                var p = {|#1:space.Vmap(pages)|};
                Touch(p);
                space.Vfree({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1)
            .WithMessage("'p' was mapped by Vmap (family 'vmap') at line 9 but is released by Vfree (family 'vmalloc'); release it with Vunmap"));

    [Fact]
    public Task A_double_unmap_after_a_borrowing_helper_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            static void Use(VmapSpace space, nint p) => space.GetSpan(p, 16).Clear();

            void M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                Use(space, p);
                space.UnmapRam({|#1:p|}, pages.Length);
                space.UnmapRam({|#0:p|}, pages.Length);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped again here; it was already unmapped at line 11"));

    [Fact]
    public Task A_leak_on_the_early_return_after_a_checking_helper_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        unsafe class C
        {
            static bool HeaderOk(nint p) => *(uint*)p == 0x564D4150;

            bool Load(VmapSpace space, Page[] pages)
            {
                var p = {|#0:space.MapRam(pages)|};
                if (!HeaderOk(p))
                {
                    {|#1:return false;|}
                }

                space.UnmapRam(p, pages.Length);
                return true;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in 'p' from MapRam at line 9 is lost: it goes out of scope at line 12 without being unmapped, returned, stored or passed on"));

    [Fact]
    public Task An_unmap_after_a_releasing_helper_in_another_file_names_the_path() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                Io.Release(space, {|#1:p|}, pages.Length);
                space.UnmapRam({|#0:p|}, pages.Length);
            }
        }
        """,
        "Io.cs",
        """
        using Vmap;

        static class Io
        {
            public static void Release(VmapSpace space, nint address, int count)
            {
                space.UnmapRam({|#2:address|}, count);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("'p' is unmapped again here; it was already unmapped at line 8 by Release (UnmapRam at line 7 of Io.cs)"));

    [Fact]
    public Task A_use_after_a_releasing_helper_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        unsafe class C
        {
            static void Release(VmapSpace space, nint address) => space.Vfree({|#2:address|});

            byte M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                Release(space, {|#1:p|});
                return {|#0:*(byte*)p|};
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("'*(byte*)p' is dereferenced after it was unmapped at line 10 by Release (Vfree at line 5)"));

    [Fact]
    public Task A_releasing_helper_carries_the_count_through_its_parameter() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            static void Release(VmapSpace space, nint address, int count) => space.UnmapRam(address, count);

            void M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam({|#1:pages|});
                Release(space, p, {|#0:pages.Length - 1|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped with a count of 'pages.Length - 1' but MapRam mapped 'pages.Length' pages at line 9"));

    [Fact]
    public Task A_releasing_helper_of_another_family_is_reported() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            static void Free(VmapSpace space, nint address) => space.Vfree({|#2:address|});

            void M(VmapSpace space, Page[] pages)
            {
                var p = {|#1:space.MapRam(pages)|};
                Free(space, {|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP006).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("'p' was mapped by MapRam (family 'vmap-ram') at line 9 but is released by Free (Vfree at line 5) (family 'vmalloc'); release it with UnmapRam"));

    [Fact]
    public Task After_a_callee_we_cannot_see_only_the_leak_claim_is_dropped() => Verify.Analyzer(
        """
        using Vmap;

        interface ISink { void Take(nint address); }

        class C
        {
            void M(VmapSpace space, ISink sink)
            {
                var p = space.MapRam({|#1:new Page[4]|});
                sink.Take(p);
                space.UnmapRam({|#3:p|}, {|#0:2|});
                space.UnmapRam({|#2:p|}, 4);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped with a count of '2' but MapRam mapped '4' pages at line 9"),
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(2).WithLocation(3)
            .WithMessage("'p' is unmapped again here; it was already unmapped at line 11"));

    [Fact]
    public Task A_use_after_the_callers_own_release_is_reported_after_a_delegate_call() => Verify.Analyzer(
        """
        using System;
        using Vmap;

        unsafe class C
        {
            void M(VmapSpace space, Action<nint> observe)
            {
                var p = space.Vmalloc(64);
                observe(p);
                space.Vfree({|#1:p|});
                {|#0:*(byte*)p|} = 0;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP004).WithLocation(0).WithLocation(1)
            .WithMessage("'*(byte*)p' is dereferenced after it was unmapped at line 10"));

    [Fact]
    public Task A_P_Invoke_parameter_borrows_so_the_leak_is_reported() => Verify.BuiltIn(
        """
        using System;
        using System.Runtime.InteropServices;

        static class Native
        {
            [DllImport("libc")]
            public static extern int puts(IntPtr text);

            public static void Say(string text)
            {
                var p = {|#0:Marshal.StringToHGlobalAuto(text)|};
                puts(p);
            {|#1:}|}
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The block in 'p' from StringToHGlobalAuto at line 11 is lost: it goes out of scope at line 13 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_local_function_that_returns_what_it_acquired_is_an_acquirer() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class Reader
        {
            int Peek()
            {
                nint Make() => {|#2:Marshal.AllocHGlobal(8)|};
                var p = {|#0:Make()|};
                {|#1:return Marshal.ReadByte(p);|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("The block in 'p' from Make at line 8 (AllocHGlobal at line 7) is lost: it goes out of scope at line 9 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_local_function_that_hands_out_through_out_is_an_acquirer_and_one_that_keeps_a_copy_is_not() => Verify.BuiltIn(
        """
        using System.Runtime.InteropServices;

        class Reader
        {
            nint _kept;

            int Peek()
            {
                void Make(out nint q) => q = {|#2:Marshal.AllocHGlobal(8)|};
                {|#0:Make(out var p)|};
                {|#1:return Marshal.ReadByte(p);|}
            }

            int Kept()
            {
                nint Keep() { var q = Marshal.AllocHGlobal(8); _kept = q; return q; }
                var p = Keep();
                return Marshal.ReadByte(p);
            }

            nint KeepToo() { var q = Marshal.AllocHGlobal(8); _kept = q; return q; }

            void KeepOut(out nint q) { q = Marshal.AllocHGlobal(8); _kept = q; }

            int KeptByMethods()
            {
                var p = KeepToo();
                KeepOut(out var r);
                return Marshal.ReadByte(p) + Marshal.ReadByte(r);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("The block in 'p' from Make at line 10 (AllocHGlobal at line 9) is lost: it goes out of scope at line 11 without being freed, returned, stored or passed on"));

    [Fact]
    public Task A_parameter_marked_TakesOwnership_adopts_the_mapping() => Verify.Analyzer(
        """
        using Vmap;
        using Vmap.Annotations;

        interface IQueue { }

        class C
        {
            [System.Runtime.InteropServices.DllImport("libvmapq")]
            static extern void vmapq_push([TakesOwnership] nint buffer);

            static void Keep([TakesOwnership] nint buffer) { }

            void M(VmapSpace space)
            {
                vmapq_push(space.Vmalloc(4096));
                var q = space.Vmalloc(4096);
                Keep(q);
            }
        }
        """);

    [Fact]
    public Task An_inferred_acquirer_makes_the_caller_own_the_mapping() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            int M(VmapSpace space)
            {
                var p = {|#0:Io.Open(space, new Page[4])|};
                {|#1:return 0;|}
            }
        }
        """,
        "Io.cs",
        """
        using Vmap;

        static class Io
        {
            public static nint Open(VmapSpace space, Page[] pages)
            {
                var address = {|#2:space.MapRam(pages)|};
                space.GetSpan(address, 8).Clear();
                return address;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("The mapping in 'p' from Open at line 7 (MapRam at line 7 of Io.cs) is lost: it goes out of scope at line 8 without being unmapped, returned, stored or passed on"));

    [Fact]
    public Task An_inferred_acquirer_carries_the_count_through_its_parameter() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            static nint Open(VmapSpace space, Page[] pages) => {|#2:space.MapRam(pages)|};

            void M(VmapSpace space)
            {
                var p = Open(space, {|#1:new Page[4]|});
                space.UnmapRam(p, {|#0:3|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP005).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("'p' is unmapped with a count of '3' but Open mapped '4' pages at line 9 (MapRam at line 5)"));

    [Fact]
    public Task An_inferred_acquirer_through_an_out_parameter_makes_the_caller_own_the_mapping() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            static void Open(VmapSpace space, out nint address) => address = {|#2:space.Vmalloc(4096)|};

            int M(VmapSpace space)
            {
                {|#0:Open(space, out var p)|};
                {|#1:return 0;|}
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("The mapping in 'p' from Open at line 9 (Vmalloc at line 5) is lost: it goes out of scope at line 10 without being unmapped, returned, stored or passed on"));

    [Fact]
    public Task An_inferred_Try_acquirer_is_followed_through_the_callers_test() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            static bool TryOpen(VmapSpace space, Page[] pages, out nint address)
            {
                if (pages.Length == 0)
                {
                    address = 0;
                    return false;
                }

                address = {|#2:space.MapRam(pages)|};
                return true;
            }

            bool M(VmapSpace space, Page[] pages, bool quick)
            {
                if (!{|#0:TryOpen(space, pages, out var p)|})
                {
                    return false;
                }

                if (quick)
                {
                    {|#1:return true;|}
                }

                space.UnmapRam(p, pages.Length);
                return true;
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("The mapping in 'p' from TryOpen at line 19 (MapRam at line 13) is lost: it goes out of scope at line 26 without being unmapped, returned, stored or passed on"));

    [Fact]
    public Task A_release_on_failure_helper_whose_result_is_ignored_is_a_double_release_on_some_path() => Verify.Analyzer(
        """
        using Vmap;

        unsafe class C
        {
            static bool Check(VmapSpace space, nint p)
            {
                if (*(byte*)p != 0)
                {
                    space.Vfree(p);
                    return false;
                }

                return true;
            }

            void M(VmapSpace space)
            {
                var p = space.Vmalloc(64);
                Check(space, {|#1:p|});
                space.Vfree({|#0:p|});
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1).WithSpan(9, 25, 9, 26)
            .WithMessage("'p' is unmapped again here; it was already unmapped at line 19 by Check (Vfree at line 9) on some path"));

    [Fact]
    public Task A_mapping_made_and_lost_inside_a_lambda_is_reported_there() => Verify.Analyzer(
        """
        using System;
        using Vmap;

        class C
        {
            Func<int> M(VmapSpace space) => () =>
            {
                var p = {|#0:space.Vmalloc(64)|};
                {|#1:return 0;|}
            };
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in 'p' from Vmalloc at line 8 is lost: it goes out of scope at line 9 without being unmapped, returned, stored or passed on"));

    [Fact]
    public Task A_double_unmap_inside_a_local_function_is_reported_there() => Verify.Analyzer(
        """
        using Vmap;

        class C
        {
            void M(VmapSpace space, Page[] pages)
            {
                Cycle();

                void Cycle()
                {
                    var p = space.Vmap(pages);
                    space.Vunmap({|#1:p|});
                    space.Vunmap({|#0:p|});
                }
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped again here; it was already unmapped at line 12"));

    [Fact]
    public Task An_async_method_is_followed_like_any_other() => Verify.Analyzer(
        """
        using System.Threading.Tasks;
        using Vmap;

        class C
        {
            async Task M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                await Task.Yield();
                space.UnmapRam({|#1:p|}, pages.Length);
                await Task.Yield();
                space.UnmapRam({|#0:p|}, pages.Length);
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
            .WithMessage("'p' is unmapped again here; it was already unmapped at line 10"));

    [Fact]
    public Task An_iterator_is_followed_like_any_other() => Verify.Analyzer(
        """
        using System.Collections.Generic;
        using Vmap;

        class C
        {
            IEnumerable<int> M(VmapSpace space, Page[] pages)
            {
                var p = {|#0:space.MapRam(pages)|};
                yield return 1;
            {|#1:}|}
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithLocation(1)
            .WithMessage("The mapping in 'p' from MapRam at line 8 is lost: it goes out of scope at line 10 without being unmapped, returned, stored or passed on"));

    [Fact]
    public Task The_member_shape_works_through_a_property() => Verify.Analyzer(
        """
        using Vmap;

        class Buf
        {
            public nint Addr { get; set; }
            public Page[] Pages { get; } = new Page[2];
        }

        class Cache
        {
            public void Map(VmapSpace space, Buf bp) => bp.Addr = space.MapRam(bp.Pages);

            public void Free(VmapSpace space, Buf bp) => space.UnmapRam({|#1:bp.Addr|}, bp.Pages.Length);
        }

        class Log
        {
            public void SetPtr(Buf bp, nint ptr) => {|#0:bp.Addr = ptr|};
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'bp.Addr' is unmapped holding memory that was never mapped: it is re-pointed at 'ptr' at line 18 while it is unmapped by Free at line 13"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithSpan(11, 59, 11, 81)
            .WithMessage("The mapping in 'bp.Addr' from MapRam at line 11 is lost: it is re-pointed at line 18 without being unmapped first"));

    /// <summary>Shapes across calls that are correct: each must produce no diagnostic at all.</summary>
    public static TheoryData<string, string> Clean => new()
    {
        {
            "a callee that stores the mapping",
            """
            private nint _kept;

            void Keep(nint address) => _kept = address;

            void M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                Keep(p);
            }
            """
        },
        {
            "a callee that stores the mapping in a collection",
            """
            private readonly System.Collections.Generic.List<nint> _live = new();

            void Track(nint address) { _live.Add(address); }

            void M(VmapSpace space)
            {
                Track(space.Vmalloc(4096));
            }
            """
        },
        {
            "a callee that releases it, the caller not releasing",
            """
            static void Release(VmapSpace space, nint address, int count) => space.UnmapRam(address, count);

            void M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                space.GetSpan(p, 8).Clear();
                Release(space, p, pages.Length);
            }
            """
        },
        {
            "an abstract sink",
            """
            abstract class Sink { public abstract void Take(nint address); }

            void M(VmapSpace space, Sink sink)
            {
                var p = space.Vmalloc(4096);
                sink.Take(p);
            }
            """
        },
        {
            "a virtual sink",
            """
            class Sink { public virtual void Take(nint address) { } }

            void M(VmapSpace space, Sink sink)
            {
                var p = space.Vmalloc(4096);
                sink.Take(p);
            }
            """
        },
        {
            "mutually recursive helpers",
            """
            static void Even(VmapSpace space, nint p, int n) { if (n == 0) space.Vfree(p); else Odd(space, p, n - 1); }

            static void Odd(VmapSpace space, nint p, int n) { if (n == 0) return; Even(space, p, n - 1); }

            void M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                Even(space, p, 3);
            }
            """
        },
        {
            "a release-on-failure helper whose result the caller checks",
            """
            static unsafe bool Validate(VmapSpace space, nint p)
            {
                if (*(uint*)p != 0x56)
                {
                    space.Vfree(p);
                    return false;
                }

                return true;
            }

            bool M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                if (!Validate(space, p))
                {
                    return false;
                }

                space.Vfree(p);
                return true;
            }
            """
        },
        {
            "a helper that releases on some paths only",
            """
            static void MaybeFree(VmapSpace space, nint p, bool now) { if (now) space.Vfree(p); }

            void M(VmapSpace space, bool now)
            {
                var p = space.Vmalloc(4096);
                MaybeFree(space, p, now);
            }
            """
        },
        {
            "a release after a helper that releases on some paths only",
            """
            static void MaybeFree(VmapSpace space, nint p, bool now) { if (now) space.Vfree(p); }

            unsafe void M(VmapSpace space, bool now)
            {
                var p = space.Vmalloc(4096);
                MaybeFree(space, p, now);
                *(byte*)p = 1;
                space.Vfree(p);
            }
            """
        },
        {
            "a helper that hands the mapping back",
            """
            static nint Checked(nint p) => p == 0 ? throw new System.InvalidOperationException() : p;

            void M(VmapSpace space, Page[] pages)
            {
                var p = Checked(space.MapRam(pages));
                space.UnmapRam(p, pages.Length);
            }
            """
        },
        {
            "an acquirer whose result is released",
            """
            static nint Open(VmapSpace space, Page[] pages) => space.MapRam(pages);

            void M(VmapSpace space, Page[] pages)
            {
                var p = Open(space, pages);
                space.UnmapRam(p, pages.Length);
            }
            """
        },
        {
            "an acquirer that may return zero, tested by the caller",
            """
            static nint TryOpen(VmapSpace space, Page[] pages) => pages.Length == 0 ? 0 : space.MapRam(pages);

            void M(VmapSpace space, Page[] pages)
            {
                var p = TryOpen(space, pages);
                if (p == 0)
                {
                    return;
                }

                space.UnmapRam(p, pages.Length);
            }
            """
        },
        {
            "a Try wrapper passing on the Try-map's result",
            """
            static bool TryOpen(VmapSpace space, Page[] pages, out nint address) => space.TryMapRam(pages, out address);

            void M(VmapSpace space, Page[] pages)
            {
                if (TryOpen(space, pages, out var p))
                {
                    space.UnmapRam(p, pages.Length);
                }
            }
            """
        },
        {
            "a local function that releases a captured mapping",
            """
            void M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                Done();

                void Done() => space.UnmapRam(p, pages.Length);
            }
            """
        },
        {
            "a lambda that maps and releases inside itself",
            """
            System.Action M(VmapSpace space) => () =>
            {
                var p = space.Vmalloc(64);
                space.Vfree(p);
            };
            """
        },
        {
            "a lambda that stores its mapping in a captured variable",
            """
            nint M(VmapSpace space)
            {
                nint kept = 0;
                System.Action open = () => kept = space.Vmalloc(64);
                open();
                return kept;
            }
            """
        },
    };

    [Theory]
    [MemberData(nameof(Clean))]
    public Task Is_not_reported(string shape, string member)
    {
        Assert.NotEmpty(shape);
        return Verify.Analyzer($$"""
            using Vmap;

            class C
            {
            {{member}}
            }
            """);
    }
}
