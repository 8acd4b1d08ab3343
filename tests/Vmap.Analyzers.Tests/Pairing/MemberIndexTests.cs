namespace Vmap.Analyzers.Tests.Pairing;

/// <summary>The cross-method member case: which members hold mappings and which guards protect their unmaps.</summary>
public class MemberIndexTests
{
    private const string Buffer = """
        using Vmap;

        class Buf
        {
            public nint Addr { get; set; }
            public bool Mapped { get; set; }
            public Page[] Pages = new Page[0];
        }

        static class Cache
        {
            public static void Map(VmapSpace space, Buf bp)
            {
                bp.Addr = space.Vmap(bp.Pages);
                bp.Mapped = true;
            }

            public static void Free(VmapSpace space, Buf bp)
            {
                if (!bp.Mapped)
                {
                    return;
                }

                space.Vunmap({|#1:bp.Addr|});
            }
        }

        """;

    [Fact]
    public Task Early_return_guard_and_auto_properties_are_understood() => Verify.Analyzer(
        Buffer + """
        static class Log
        {
            public static void Borrow(Buf bp, nint linear)
            {
                {|#0:bp.Addr = linear|};
            }

            public static void BorrowUnmapped(Buf bp, nint linear)
            {
                if (!bp.Mapped)
                {
                    bp.Addr = linear;
                }
            }
        }
        """,
        Verify.Diagnostic(RuleIds.VMAP001).WithLocation(0).WithLocation(1)
            .WithMessage("'bp.Addr' is unmapped holding memory that was never mapped: it is re-pointed at 'linear' at line 32 while it is unmapped by Free at line 25 when 'Mapped' is set"),
        Verify.Diagnostic(RuleIds.VMAP002).WithLocation(0).WithSpan(14, 19, 14, 39)
            .WithMessage("The mapping in 'bp.Addr' from Vmap at line 14 is lost: it is re-pointed at line 32 without being unmapped first"));

    [Fact]
    public Task Flag_cleared_before_repointing_is_not_reported() => Verify.Analyzer(
        Buffer.Replace("{|#1:bp.Addr|}", "bp.Addr") + """
        static class Log
        {
            public static void Borrow(Buf bp, nint linear)
            {
                bp.Mapped = false;
                bp.Addr = linear;
            }
        }
        """);

    [Fact]
    public Task Transfer_between_holders_constructors_and_clearing_are_not_reported() => Verify.Analyzer(
        Buffer.Replace("{|#1:bp.Addr|}", "bp.Addr") + """
        static class Log
        {
            public static void Move(Buf from, Buf to)
            {
                to.Addr = from.Addr;
                from.Addr = 0;
            }

            public static Buf Linear(nint address) => new Buf { Addr = address };
        }

        class Derived : Buf
        {
            public Derived(nint linear) { Addr = linear; }
        }
        """);

    [Fact]
    public Task A_member_that_is_never_unmapped_is_not_indexed() => Verify.Analyzer(
        """
        using Vmap;

        class Window
        {
            public nint Base;
        }

        static class Uses
        {
            public static void Map(VmapSpace space, Window w, Page[] pages) => w.Base = space.Vmap(pages);

            public static void Point(Window w, nint other) => w.Base = other;
        }
        """);

    [Fact]
    public Task The_mapping_method_may_choose_linear_memory_on_another_path() => Verify.Analyzer(
        Buffer.Replace("{|#1:bp.Addr|}", "bp.Addr") + """
        static class Mapper
        {
            public static void MapOrLinear(VmapSpace space, Buf bp, nint linear)
            {
                if (bp.Pages.Length > 1)
                {
                    bp.Addr = space.Vmap(bp.Pages);
                    bp.Mapped = true;
                }
                else
                {
                    bp.Addr = linear;
                }
            }
        }
        """);
}
