// The rule ids, in one file compiled into every assembly that names a rule: the analyzers, the
// code fixes, the runtime (VmapMisuseException.Rule) and the tests. Each assembly gets its own
// copy in its own namespace (VMAP_RULEIDS_NAMESPACE_* below), so an assembly that sees another's
// internals never finds two RuleIds types. Find every part of a rule by searching its constant.
#if VMAP_RULEIDS_RUNTIME
namespace Vmap;
#elif VMAP_RULEIDS_CODEFIXES
namespace Vmap.CodeFixes;
#elif VMAP_RULEIDS_TESTS
namespace Vmap.Analyzers.Tests;
#elif VMAP_RULEIDS_BENCH
namespace Vmap.Benchmarks;
#elif VMAP_RULEIDS_EDITOR_TESTS
namespace Vmap.Editor.Tests;
#elif VMAP_RULEIDS_SAMPLES_TESTS
namespace Vmap.Samples.Tests;
#elif VMAP_RULEIDS_PACKAGE_TESTS
namespace Vmap.Package.Tests;
#else
namespace Vmap.Analyzers;
#endif

/// <summary>The id of each rule, as diagnostics, docs/rules/&lt;id&gt;.md and runtime errors carry it.</summary>
internal static class RuleIds
{
    /// <summary>Unmapping memory that was never mapped (a re-pointed or offset pointer).</summary>
    public const string VMAP001 = "VMAP001";

    /// <summary>A live mapping is lost (overwritten, out of scope).</summary>
    public const string VMAP002 = "VMAP002";

    /// <summary>A mapping unmapped twice.</summary>
    public const string VMAP003 = "VMAP003";

    /// <summary>A mapping used after its unmap.</summary>
    public const string VMAP004 = "VMAP004";

    /// <summary>An unmap count that differs from the mapped count.</summary>
    public const string VMAP005 = "VMAP005";

    /// <summary>A mapping released through another family's release method.</summary>
    public const string VMAP006 = "VMAP006";

    /// <summary>An invalid <c>vmap_pair</c> entry in .editorconfig.</summary>
    public const string VMAP007 = "VMAP007";

    /// <summary>A member released in Dispose without being cleared or guarded: a second Dispose releases it again.</summary>
    public const string VMAP008 = "VMAP008";

    /// <summary>A member holding a block its own type acquired that no method of the type releases.</summary>
    public const string VMAP009 = "VMAP009";

    /// <summary>An OS acquire's failure tested against the wrong value (mmap against null, VirtualAlloc against -1).</summary>
    public const string VMAP010 = "VMAP010";

    /// <summary>A baseline entry that matches no finding (fixed, moved or deleted code), or a baseline line that is no entry.</summary>
    public const string VMAP900 = "VMAP900";

    /// <summary>A finding as a baseline entry, reported only while the baseline is rewritten (<c>-p:VmapUpdateBaseline=true</c>).</summary>
    public const string VMAP901 = "VMAP901";
}
