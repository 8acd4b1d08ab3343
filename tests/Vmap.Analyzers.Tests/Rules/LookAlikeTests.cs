namespace Vmap.Analyzers.Tests.Rules;

/// <summary>Shapes that resemble the bugs but are correct: each must produce no diagnostic at all.</summary>
public class LookAlikeTests
{
    public static TheoryData<string, string> Cases => new()
    {
        {
            "unmap before reassign",
            """
            void M(VmapSpace space, Page[] pages, nint q)
            {
                var p = space.MapRam(pages);
                space.UnmapRam(p, pages.Length);
                p = q;
                Consume(p);
            }
            """
        },
        {
            "reassignment after unmap, then a fresh mapping",
            """
            void M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                space.UnmapRam(p, pages.Length);
                p = space.MapRam(pages);
                space.UnmapRam(p, pages.Length);
            }
            """
        },
        {
            "offset kept in another local while the original is unmapped",
            """
            unsafe void M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                var header = p + 64;
                *(byte*)header = 1;
                space.UnmapRam(p, pages.Length);
            }
            """
        },
        {
            "map and unmap per loop iteration",
            """
            void M(VmapSpace space, Page[] pages, int rounds)
            {
                for (var i = 0; i < rounds; i++)
                {
                    var p = space.MapRam(pages);
                    space.GetSpan(p, 16).Clear();
                    space.UnmapRam(p, pages.Length);
                }
            }
            """
        },
        {
            "one variable reused per iteration after unmap",
            """
            void M(VmapSpace space, Page[] pages, int rounds)
            {
                nint p = 0;
                while (rounds-- > 0)
                {
                    p = space.Vmap(pages);
                    space.Vunmap(p);
                }
            }
            """
        },
        {
            "both branches unmap once",
            """
            void M(VmapSpace space, Page[] pages, bool fast)
            {
                var p = space.MapRam(pages);
                if (fast)
                {
                    space.UnmapRam(p, pages.Length);
                }
                else
                {
                    space.GetSpan(p, 8).Fill(0);
                    space.UnmapRam(p, pages.Length);
                }
            }
            """
        },
        {
            "try/finally",
            """
            void M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                try
                {
                    space.GetSpan(p, 64).Fill(0xAA);
                    if (pages.Length > 8)
                    {
                        return;
                    }
                }
                finally
                {
                    space.UnmapRam(p, pages.Length);
                }
            }
            """
        },
        {
            "try/catch unmapping on failure and rethrowing",
            """
            nint M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                try
                {
                    space.GetSpan(p, 64).Fill(1);
                }
                catch
                {
                    space.UnmapRam(p, pages.Length);
                    throw;
                }

                return p;
            }
            """
        },
        {
            "ownership returned",
            """
            nint M(VmapSpace space) => space.Vmalloc(4096);
            """
        },
        {
            "ownership returned through a local",
            """
            nint M(VmapSpace space, Page[] pages)
            {
                var p = space.Vmap(pages);
                return p;
            }
            """
        },
        {
            "stored in a field",
            """
            private nint _buffer;

            void M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                _buffer = p;
            }
            """
        },
        {
            "stored in a collection",
            """
            private readonly System.Collections.Generic.List<nint> _live = new();

            void M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                _live.Add(p);
            }
            """
        },
        {
            "stored in an array element",
            """
            void M(VmapSpace space, nint[] slots)
            {
                slots[0] = space.Vmalloc(4096);
            }
            """
        },
        {
            "passed to a delegate, which may adopt it",
            """
            void M(VmapSpace space, Page[] pages, System.Action<nint> adopt)
            {
                var p = space.MapRam(pages);
                adopt(p);
            }
            """
        },
        {
            "wrapped by an owning object",
            """
            sealed class Owned { public Owned(nint address) { } }

            Owned M(VmapSpace space) => new Owned(space.Vmalloc(4096));
            """
        },
        {
            "count from the same local",
            """
            void M(VmapSpace space, Page[] pages)
            {
                var count = pages.Length;
                var p = space.MapRam(pages);
                space.UnmapRam(p, count);
            }
            """
        },
        {
            "count from the length of the mapped array",
            """
            void M(VmapSpace space)
            {
                var pages = new Page[4];
                var p = space.MapRam(pages);
                space.UnmapRam(p, pages.Length);
                space.TryMapRam(pages, out var q);
                space.UnmapRam(q, 4);
            }
            """
        },
        {
            "count from a field is not known",
            """
            private int _count = 3;

            void M(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                space.UnmapRam(p, _count);
            }
            """
        },
        {
            "correlated guard on a count",
            """
            void M(VmapSpace space, Page[] pages, int n)
            {
                nint p = 0;
                if (n > 1)
                {
                    p = space.MapRam(pages);
                }

                Consume(n);
                if (n > 1)
                {
                    space.UnmapRam(p, pages.Length);
                }
            }
            """
        },
        {
            "correlated guard written the other way round",
            """
            void M(VmapSpace space, Page[] pages)
            {
                nint p = 0;
                if (pages.Length > 1)
                {
                    p = space.MapRam(pages);
                }

                if (pages.Length <= 1)
                {
                    return;
                }

                space.UnmapRam(p, pages.Length);
            }
            """
        },
        {
            "correlated guard on a mapped flag",
            """
            void M(VmapSpace space, Page[] pages, bool wanted)
            {
                nint p = 0;
                var mapped = false;
                if (wanted && pages.Length > 1)
                {
                    p = space.MapRam(pages);
                    mapped = true;
                }

                if (mapped)
                {
                    space.UnmapRam(p, pages.Length);
                }
            }
            """
        },
        {
            "Try-map tested directly",
            """
            bool M(VmapSpace space, Page[] pages)
            {
                if (!space.TryMapRam(pages, out var p))
                {
                    return false;
                }

                space.UnmapRam(p, pages.Length);
                return true;
            }
            """
        },
        {
            "Try-map result kept in a local",
            """
            void M(VmapSpace space, Page[] pages)
            {
                var ok = space.TryMapRam(pages, out var p);
                if (ok)
                {
                    space.UnmapRam(p, pages.Length);
                }
            }
            """
        },
        {
            "zero test before the unmap",
            """
            void M(VmapSpace space, Page[] pages, bool skip)
            {
                nint p = 0;
                if (Decide(skip))
                {
                    p = space.MapRam(pages);
                }

                if (p != 0)
                {
                    space.UnmapRam(p, pages.Length);
                }
            }
            """
        },
        {
            "switch with an unmap in every case",
            """
            void M(VmapSpace space, Page[] pages, int mode)
            {
                var p = space.Vmap(pages);
                switch (mode)
                {
                    case 0:
                        space.Vunmap(p);
                        break;
                    case 1:
                        space.GetSpan(p, 4).Clear();
                        space.Vunmap(p);
                        break;
                    default:
                        space.Vunmap(p);
                        break;
                }
            }
            """
        },
        {
            "captured by a lambda",
            """
            System.Action M(VmapSpace space)
            {
                var p = space.Vmalloc(4096);
                return () => space.Vfree(p);
            }
            """
        },
        {
            "using-style owner disposes",
            """
            sealed class Mapping : System.IDisposable
            {
                private readonly VmapSpace _space;
                private nint _address;

                public Mapping(VmapSpace space, Page[] pages)
                {
                    _space = space;
                    _address = space.Vmap(pages);
                }

                public void Dispose()
                {
                    if (_address != 0)
                    {
                        _space.Vunmap(_address);
                        _address = 0;
                    }
                }
            }

            void M(VmapSpace space, Page[] pages)
            {
                using var mapping = new Mapping(space, pages);
                Consume(pages.Length);
            }
            """
        },
        {
            "buffer maps and frees its own field under a flag",
            """
            sealed class Buf
            {
                private readonly VmapSpace _space;
                private readonly Page[] _pages;
                private nint _addr;
                private bool _mapped;

                public Buf(VmapSpace space, Page[] pages) { _space = space; _pages = pages; }

                public void Map()
                {
                    if (_pages.Length > 1)
                    {
                        _addr = _space.MapRam(_pages);
                        _mapped = true;
                    }
                }

                public void Free()
                {
                    if (_mapped)
                    {
                        _space.UnmapRam(_addr, _pages.Length);
                        _mapped = false;
                    }

                    _addr = 0;
                }
            }
            """
        },
        {
            "value parked in a field and the field unmapped",
            """
            private nint _addr;

            void Open(VmapSpace space, Page[] pages)
            {
                var p = space.MapRam(pages);
                _addr = p;
                p = 0;
            }

            void Close(VmapSpace space, Page[] pages)
            {
                space.UnmapRam(_addr, pages.Length);
                _addr = 0;
            }
            """
        },
        {
            "nested finally and early return",
            """
            int M(VmapSpace space, Page[] pages, bool quick)
            {
                var outer = space.Vmalloc(8192);
                try
                {
                    var inner = space.MapRam(pages);
                    try
                    {
                        if (quick)
                        {
                            return 1;
                        }

                        space.GetSpan(inner, 4).Clear();
                    }
                    finally
                    {
                        space.UnmapRam(inner, pages.Length);
                    }
                }
                finally
                {
                    space.Vfree(outer);
                }

                return 0;
            }
            """
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Is_not_reported(string shape, string member)
    {
        Assert.NotEmpty(shape);
        return Verify.Analyzer($$"""
            using Vmap;

            class C
            {
                static void Consume(nint value) { }

                static bool Decide(bool value) => !value;

            {{member}}
            }
            """);
    }
}
