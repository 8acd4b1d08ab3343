namespace Vmap.CostHarness;

internal static class Shapes
{
    public static int Run(string[] argv) => throw new HarnessException("shapes: not yet");
}
