namespace ValidCode.BuiltIn;

using System.Runtime.InteropServices;

/// <summary>An unmanaged struct on the native heap, zeroed, used through a typed pointer.</summary>
public static unsafe class NativeStruct
{
    public struct Counters
    {
        public long Hits;
        public long Misses;
    }

    public static double HitRatio(int hits, int misses)
    {
        var counters = (Counters*)NativeMemory.AllocZeroed((nuint)sizeof(Counters));
        counters->Hits += hits;
        counters->Misses += misses;
        var total = counters->Hits + counters->Misses;
        var ratio = total == 0 ? 0 : (double)counters->Hits / total;
        NativeMemory.Free(counters);
        return ratio;
    }
}
