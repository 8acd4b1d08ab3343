namespace Vmap.TestSources;

/// <summary>
/// The annotation attributes declared in source, as a library that keeps its own internal copy
/// does (the analyzers match them by metadata name). Shared by the analyzer tests' fake API and
/// the analyzer benchmarks' generated compilation.
/// </summary>
internal static class FakeAnnotations
{
    public const string Source = """
        namespace Vmap.Annotations
        {
            [System.AttributeUsage(System.AttributeTargets.ReturnValue | System.AttributeTargets.Parameter)]
            internal sealed class MapsMemoryAttribute : System.Attribute
            {
                public MapsMemoryAttribute(string family) { Family = family; }
                public string Family { get; }
                public string CountParameter { get; set; }
            }

            [System.AttributeUsage(System.AttributeTargets.Parameter)]
            internal sealed class UnmapsMemoryAttribute : System.Attribute
            {
                public UnmapsMemoryAttribute(string family) { Family = family; }
                public string Family { get; }
                public string CountParameter { get; set; }
            }

            [System.AttributeUsage(System.AttributeTargets.Parameter)]
            internal sealed class TakesOwnershipAttribute : System.Attribute
            {
            }
        }


        """;
}
