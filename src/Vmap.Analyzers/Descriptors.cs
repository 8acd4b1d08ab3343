using Microsoft.CodeAnalysis;

namespace Vmap.Analyzers;

/// <summary>
/// The six pairing rules, the configuration check, the Dispose rule, the failure-value rule and the baseline's two. Find a rule by its id: <c>Descriptors.VMAPnnn_*</c>.
/// A rule whose messages differ in kind has one descriptor per message shape (same id, title and
/// description), as roslyn-analyzers' CA2000 does.
/// </summary>
internal static class Descriptors
{
    private const string Category = "Reliability";

    private const string VMAP001Title = "Unmapping memory that was never mapped";

    private const string VMAP001Description = "The value passed to an unmap must be the start of a live mapping of the same family. A pointer that was re-pointed after mapping (at another pointer, an offset of the mapping, a constant or memory from elsewhere) releases memory no map call returned, and the original mapping leaks.";

    private const string VMAP002Title = "A live mapping is lost";

    private const string VMAP002Description = "A mapping must be unmapped, returned, stored or passed on before the variable or member that holds it is overwritten or goes out of scope; otherwise its address range is never released.";

    /// <summary>VMAP001, local shape: the local or parameter was re-pointed after mapping and is unmapped.</summary>
    internal static readonly DiagnosticDescriptor VMAP001_UnmapOfReassignedPointer = Rule(
        RuleIds.VMAP001,
        VMAP001Title,
        "'{0}' is {5} here but holds memory that was never {6}: it became {1} at line {2} after {3} {6} it at line {4}",
        VMAP001Description);

    /// <summary>
    /// VMAP001, local shape after a join: the local is the start on some paths and an offset on the
    /// others (advanced in a loop that may run zero times), and is unmapped.
    /// </summary>
    internal static readonly DiagnosticDescriptor VMAP001_UnmapOfOffsetOnSomePath = Rule(
        RuleIds.VMAP001,
        VMAP001Title,
        "'{0}' is {5} here but on some path holds memory that was never {6}: on every path through line {2} it became {1}, not the start {3} {6} at line {4}",
        VMAP001Description);

    /// <summary>VMAP001, member (XFS) shape: a member that holds mappings is re-pointed while another method unmaps it.</summary>
    internal static readonly DiagnosticDescriptor VMAP001_MemberRepointed = Rule(
        RuleIds.VMAP001,
        VMAP001Title,
        "'{0}' is {6} holding memory that was never {7}: it is re-pointed at {1} at line {2} while it is {6} by {3} at line {4}{5}",
        VMAP001Description);

    /// <summary>VMAP001, a new array given to a pool that never rented it.</summary>
    internal static readonly DiagnosticDescriptor VMAP001_NewArrayReleased = Rule(
        RuleIds.VMAP001,
        VMAP001Title,
        "'{0}' is {2} here but holds memory that was never {3}: it is a new array, which '{1}' gives to a pool that never rented it",
        VMAP001Description);

    /// <summary>VMAP001, the grown-array shape: a pooled member re-pointed at a new rental is returned.</summary>
    internal static readonly DiagnosticDescriptor VMAP001_GrownMemberReleased = Rule(
        RuleIds.VMAP001,
        VMAP001Title,
        "'{0}' is {4} here while it is still in use: '{1}' was re-pointed at the new {5} from {2} at line {3}, so this gives back the {5} still in use and loses the one it held before",
        VMAP001Description);

    /// <summary>VMAP002, out of scope: the method (or a loop body) ends with the mapping live.</summary>
    internal static readonly DiagnosticDescriptor VMAP002_MappingLost = Rule(
        RuleIds.VMAP002,
        VMAP002Title,
        "The {4} in '{0}' from {1} at line {2} is lost: it goes out of scope at line {3} without being {5}, stored or passed on",
        VMAP002Description);

    /// <summary>
    /// VMAP002, a local container: the mapping is kept only in a local list or array that never
    /// leaves the method. {0} is the container, {3} the line where it goes out of scope, {6} what
    /// it is ("list", "array"), {7} the family's noun in the plural.
    /// </summary>
    internal static readonly DiagnosticDescriptor VMAP002_MappingLostInLocalContainer = Rule(
        RuleIds.VMAP002,
        VMAP002Title,
        "The {4} from {1} at line {2} is lost: it is kept only in the local {6} '{0}', which goes out of scope at line {3} without any of its {7} being {5}",
        VMAP002Description);

    /// <summary>
    /// VMAP002, exception path: a call between the acquire and the release may throw, and nothing
    /// on the way out releases the mapping. {3} is the callee, {4} the call's line, {5} where the
    /// callee throws (" (throw at line 7 of Checks.cs)") or empty, {6} the family's release verb, {7} its noun.
    /// </summary>
    internal static readonly DiagnosticDescriptor VMAP002_MappingLostOnThrow = Rule(
        RuleIds.VMAP002,
        VMAP002Title,
        "The {7} in '{0}' from {1} at line {2} is lost if {3} at line {4} throws{5}: it is not {6} on that path",
        VMAP002Description);

    /// <summary>
    /// VMAP002, a constructor's throw: the mapping is held only by a field of the object being built,
    /// and the constructor throws, so no object is handed out and its Dispose never runs.
    /// </summary>
    internal static readonly DiagnosticDescriptor VMAP002_MappingLostByConstructor = Rule(
        RuleIds.VMAP002,
        VMAP002Title,
        "The {4} in '{0}' from {1} at line {2} is lost: the constructor throws at line {3}, so the object that holds it is never handed out and the {4} is never {5}",
        VMAP002Description);

    /// <summary>VMAP002, overwrite: the storage is assigned again while it holds the mapping.</summary>
    internal static readonly DiagnosticDescriptor VMAP002_MappingOverwritten = Rule(
        RuleIds.VMAP002,
        VMAP002Title,
        "The {4} in '{0}' from {1} at line {2} is lost: '{0}' is overwritten at line {3} without being {5}",
        VMAP002Description);

    /// <summary>VMAP002, re-pointed member: what a member mapped elsewhere held is never unmapped (beside VMAP001's member shape).</summary>
    internal static readonly DiagnosticDescriptor VMAP002_MemberRepointed = Rule(
        RuleIds.VMAP002,
        VMAP002Title,
        "The {4} in '{0}' from {1} at line {2} is lost: it is re-pointed at line {3} without being {5} first",
        VMAP002Description);

    private const string VMAP003Title = "Mapping unmapped twice";

    private const string VMAP003Description = "Unmapping a range twice releases it twice; the second release may hit a range that was mapped again in between. A mapping handed to a parameter that takes it over ([TakesOwnership], a 'vmap_takes_ownership' entry) is released by its new owner: the caller releasing it too, or handing it to a second owner, is the same double release.";

    internal static readonly DiagnosticDescriptor VMAP003_UnmappedTwice = Rule(
        RuleIds.VMAP003,
        VMAP003Title,
        "'{0}' is {4} again here{1}; it was already {4} at line {2}{3}",
        VMAP003Description);

    /// <summary>
    /// VMAP003, moved state: the caller releases a mapping it handed to a parameter that takes it
    /// over. {1} is the family's release verb.
    /// </summary>
    internal static readonly DiagnosticDescriptor VMAP003_ReleasedAfterHandOff = Rule(
        RuleIds.VMAP003,
        VMAP003Title,
        "'{0}' is {1} here{2}; it was handed to {3} at line {4}, which takes it over{5}",
        VMAP003Description);

    /// <summary>VMAP003, moved state: a mapping already handed to a parameter that takes it over is handed to another one.</summary>
    internal static readonly DiagnosticDescriptor VMAP003_HandedOffTwice = Rule(
        RuleIds.VMAP003,
        VMAP003Title,
        "'{0}' is handed to {1} here; it was already handed to {2} at line {3}, which takes it over{4}",
        VMAP003Description);

    internal static readonly DiagnosticDescriptor VMAP004_UsedAfterUnmap = Rule(
        RuleIds.VMAP004,
        "Mapping used after unmap",
        "'{0}' is {1} after it was {4} at line {2}{3}",
        "After an unmap the address range may be handed to another mapping; dereferencing, wrapping, reading or passing on the old address touches memory the caller no longer owns.");

    private const string VMAP005Title = "Unmap count differs from the mapped count";

    private const string VMAP005Description = "An unmap that names a count must release exactly the pages that were mapped; a larger count reaches into a neighbour's range, a smaller one leaks the rest.";

    internal static readonly DiagnosticDescriptor VMAP005_UnmapCountMismatch = Rule(
        RuleIds.VMAP005,
        VMAP005Title,
        "'{0}' is {5} with a count of '{1}' but {2} {6} {3} pages at line {4}",
        VMAP005Description);

    /// <summary>VMAP005 for a family counted in bytes (<c>mmap</c>'s length): a shorter unmap leaves the tail mapped.</summary>
    internal static readonly DiagnosticDescriptor VMAP005_UnmapLengthMismatch = Rule(
        RuleIds.VMAP005,
        VMAP005Title,
        "'{0}' is {5} with a length of '{1}' but {2} {6} {3} bytes at line {4}",
        VMAP005Description);

    /// <summary>VMAP005, <c>VirtualFree(p, size, MEM_RELEASE)</c> with a size other than 0: the call fails and frees nothing.</summary>
    internal static readonly DiagnosticDescriptor VMAP005_ReleaseSizeNotZero = Rule(
        RuleIds.VMAP005,
        VMAP005Title,
        "'{0}' is released by {1} with MEM_RELEASE and a size of '{2}': the size must be 0, otherwise the call fails and the whole region {3} reserved at line {4} stays mapped",
        VMAP005Description);

    internal static readonly DiagnosticDescriptor VMAP006_WrongFamilyRelease = Rule(
        RuleIds.VMAP006,
        "Mapping released through the wrong family",
        "'{0}' was {7} by {1} (family '{2}') at line {3} but is released by {4} (family '{5}'){6}",
        "Each map family has its own release method; releasing through another family's method frees the wrong kind of area.");

    internal static readonly DiagnosticDescriptor VMAP007_InvalidPairConfiguration = new(
        RuleIds.VMAP007,
        "Invalid vmap pair configuration",
        "The .editorconfig entry '{0}' is ignored: {1}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A 'vmap_pair.<name>' entry must read 'acquire: Namespace.Type.Method | release: Namespace.Type.Method(parameter)' with optional 'family:', 'count:', 'leaks:' and 'verb:' parts, and name methods and parameters that exist; a 'vmap_takes_ownership.<name>' entry must read 'Namespace.Type.Method(parameter)'; 'vmap_exception_paths' must be 'explicit' or 'any_call'. An entry that does not is ignored and reported once.",
        helpLinkUri: "https://github.com/vmapanalyzers/vmapanalyzers/blob/main/docs/rules/VMAP007.md",
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    internal static readonly DiagnosticDescriptor VMAP008_ReleasedInDisposeNotCleared = Rule(
        RuleIds.VMAP008,
        "Member released in Dispose is not cleared",
        "'{0}' is {4} by {1} in {2} but not cleared: it is {4} again by a second {2}{3}",
        "Dispose may be called more than once and must be harmless the second time. A field or property released in Dispose (or Dispose(bool), DisposeAsync) still holds the released address, array or handle unless it is cleared afterwards or the release is guarded by a disposed flag; a second call releases it again: a double free, the same array returned to the pool twice, a GCHandle slot freed twice.");

    /// <summary>
    /// VMAP009: {3} is what the family's release does ("frees", "unmaps", "releases") and {4} what it
    /// hands out ("block", "handle", "mapping"), so one descriptor fits every family.
    /// </summary>
    internal static readonly DiagnosticDescriptor VMAP009_MemberNeverReleased = Rule(
        RuleIds.VMAP009,
        "Member holds memory its owner never releases",
        "'{0}' holds the {4} from {1} here, and no method of '{2}' {3} it: each '{2}' leaks the {4} when it is dropped",
        "A class that acquires a block into one of its own fields or auto-properties (in a constructor, an initializer or any method) owns it, and must release it somewhere of its own: in Dispose, Dispose(bool), DisposeAsync, a finalizer, or a helper they call. When no method of the type releases the member, every instance leaks its block. Static members (they live for the process), struct owners, families whose blocks may be dropped (ArrayPool), members filled from parameters or other objects (borrowed), and members whose value is returned, handed to an adopter or passed to code the analyzer cannot see are not reported.");

    internal static readonly DiagnosticDescriptor VMAP010_WrongFailureValue = Rule(
        RuleIds.VMAP010,
        "Map failure tested against the wrong value",
        "'{0}' from {1} at line {2} is tested against {3}, but {1} returns {4} on failure: the test never sees the failure",
        "mmap returns MAP_FAILED ((void*)-1) on failure, never NULL; VirtualAlloc and MapViewOfFile return NULL, never -1 (INVALID_HANDLE_VALUE). A failure test against the other value never fires, and the failure value is later written through or unmapped.");

    private const string BaselineCategory = "Baseline";

    private const string VMAP900Title = "Baseline entry matches no finding";

    private const string VMAP900Description = "Each entry of the Vmap baseline file accepts one existing finding. An entry that no finding matches any more (the code was fixed, moved to another member or file, or its line was edited) accepts nothing; remove it, or rewrite the file with 'dotnet build -p:VmapUpdateBaseline=true', so the baseline shrinks as the code is fixed and cannot hide a future finding.";

    /// <summary>VMAP900, stale: a well-formed entry that no finding of this compilation matches.</summary>
    internal static readonly DiagnosticDescriptor VMAP900_BaselineEntryStale = Baseline(
        RuleIds.VMAP900,
        VMAP900Title,
        "Baseline entry '{0}' matches no finding any more; remove it or rewrite the baseline with 'dotnet build -p:VmapUpdateBaseline=true'",
        VMAP900Description,
        DiagnosticSeverity.Warning);

    /// <summary>VMAP900, malformed: a line of the baseline file that is neither a comment nor an entry.</summary>
    internal static readonly DiagnosticDescriptor VMAP900_BaselineLineMalformed = Baseline(
        RuleIds.VMAP900,
        VMAP900Title,
        "Baseline line '{0}' is not an entry and matches nothing: {1}",
        VMAP900Description,
        DiagnosticSeverity.Warning);

    /// <summary>VMAP901: a finding written out as its baseline entry, only while the baseline is rewritten.</summary>
    internal static readonly DiagnosticDescriptor VMAP901_BaselineEntry = Baseline(
        RuleIds.VMAP901,
        "Finding recorded for the baseline",
        "Baseline entry: {0}",
        "Reported for every finding, and only in a build with -p:VmapUpdateBaseline=true, where it is suppressed at once: the package's MSBuild target reads these entries from the build's SARIF log and writes them to the baseline file. An analyzer may not write files itself.",
        DiagnosticSeverity.Info);

    /// <summary>The baseline's rules are reported when the compilation ends, once every finding is known.</summary>
    private static DiagnosticDescriptor Baseline(string id, string title, string messageFormat, string description, DiagnosticSeverity severity) =>
        Create(id, title, messageFormat, description, BaselineCategory, severity, WellKnownDiagnosticTags.CompilationEnd);

    private static DiagnosticDescriptor Rule(string id, string title, string messageFormat, string description) =>
        Create(id, title, messageFormat, description, Category, DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Create(string id, string title, string messageFormat, string description, string category, DiagnosticSeverity severity, params string[] customTags) =>
        new(
            id,
            title,
            messageFormat,
            category,
            severity,
            isEnabledByDefault: true,
            description: description,
            helpLinkUri: $"https://github.com/vmapanalyzers/vmapanalyzers/blob/main/docs/rules/{id}.md",
            customTags: customTags);
}
