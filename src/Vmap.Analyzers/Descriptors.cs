using Microsoft.CodeAnalysis;

namespace Vmap.Analyzers;

/// <summary>The six pairing rules and the configuration check. Find a rule by its id: <c>Descriptors.VMAP00n_*</c>.</summary>
internal static class Descriptors
{
    private const string Category = "Reliability";

    internal static readonly DiagnosticDescriptor VMAP001_UnmapOfReassignedPointer = Rule(
        "VMAP001",
        "Unmapping memory that was never mapped",
        "Unmapping '{0}' releases memory that was never mapped: {1}",
        "The value passed to an unmap must be the start of a live mapping of the same family. A pointer that was re-pointed after mapping (at another pointer, an offset of the mapping, a constant or memory from elsewhere) releases memory no map call returned, and the original mapping leaks.");

    internal static readonly DiagnosticDescriptor VMAP002_MappingLost = Rule(
        "VMAP002",
        "A live mapping is lost",
        "The mapping in '{0}' from {1} at line {2} is lost: {3}",
        "A mapping must be unmapped, returned, stored or passed on before the variable or member that holds it is overwritten or goes out of scope; otherwise its address range is never released.");

    internal static readonly DiagnosticDescriptor VMAP003_UnmappedTwice = Rule(
        "VMAP003",
        "Mapping unmapped twice",
        "'{0}' is unmapped again here{1}; it was already unmapped at line {2}{3}",
        "Unmapping a range twice releases it twice; the second release may hit a range that was mapped again in between.");

    internal static readonly DiagnosticDescriptor VMAP004_UsedAfterUnmap = Rule(
        "VMAP004",
        "Mapping used after unmap",
        "'{0}' is {1} after it was unmapped at line {2}{3}",
        "After an unmap the address range may be handed to another mapping; dereferencing, wrapping, reading or passing on the old address touches memory the caller no longer owns.");

    internal static readonly DiagnosticDescriptor VMAP005_UnmapCountMismatch = Rule(
        "VMAP005",
        "Unmap count differs from the mapped count",
        "'{0}' is unmapped with a count of '{1}' but {2} mapped {3} pages at line {4}",
        "An unmap that names a count must release exactly the pages that were mapped; a larger count reaches into a neighbour's range, a smaller one leaks the rest.");

    internal static readonly DiagnosticDescriptor VMAP006_WrongFamilyRelease = Rule(
        "VMAP006",
        "Mapping released through the wrong family",
        "'{0}' was mapped by {1} (family '{2}') at line {3} but is released by {4} (family '{5}'){6}",
        "Each map family has its own release method; releasing through another family's method frees the wrong kind of area.");

    internal static readonly DiagnosticDescriptor VMAP007_InvalidPairConfiguration = new(
        "VMAP007",
        "Invalid vmap pair configuration",
        "The .editorconfig entry '{0}' is ignored: {1}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A 'vmap_pair.<name>' entry must read 'acquire: Namespace.Type.Method | release: Namespace.Type.Method(parameter)' with optional 'family:', 'count:' and 'leaks:' parts, and name methods and parameters that exist; a 'vmap_takes_ownership.<name>' entry must read 'Namespace.Type.Method(parameter)'. An entry that does not is ignored and reported once.",
        helpLinkUri: "https://github.com/vmapanalyzers/vmapanalyzers/blob/main/docs/rules/VMAP007.md",
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    private static DiagnosticDescriptor Rule(string id, string title, string messageFormat, string description) =>
        new(
            id,
            title,
            messageFormat,
            Category,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: description,
            helpLinkUri: $"https://github.com/vmapanalyzers/vmapanalyzers/blob/main/docs/rules/{id}.md");
}
