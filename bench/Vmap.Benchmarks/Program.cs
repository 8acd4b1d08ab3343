using BenchmarkDotNet.Running;
using Vmap.Benchmarks.Figures;

// Two figure programs that BenchmarkDotNet cannot express (state after a million calls, threads
// against each other in one run); everything else goes to BenchmarkDotNet.
switch (args.FirstOrDefault())
{
    case "reclaim":
        BlockReclaim.Run(args[1..]);
        break;
    case "gaps":
        FragmentedSmallMaps.Run(args[1..]);
        break;
    case "scaling" when OperatingSystem.IsLinux():
        ThreadScaling.Run(args[1..]);
        break;
    case "scaling":
        Console.Error.WriteLine("scaling measures the native Linux space beside the simulated one: run it on Linux.");
        return 2;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        break;
}

return 0;
