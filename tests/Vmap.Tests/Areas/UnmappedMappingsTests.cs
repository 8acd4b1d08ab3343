using Vmap.Areas;

namespace Vmap.Tests.Areas;

public class UnmappedMappingsTests
{
    [Fact]
    public void A_new_area_forgets_exactly_the_records_it_overlaps()
    {
        var records = new UnmappedMappings(blockPages: 16);
        foreach (var (start, pages) in new[] { (100L, 4), (104L, 2), (110L, 5), (120L, 1) })
        {
            records.Add(new VmapArea(AreaKind.Vmap, start, pages, 1, null));
        }

        records.ForgetOverlapping(105, 111);
        Assert.Equal([true, false, false, true], new[] { 100L, 104L, 110L, 120L }.Select(p => records.Find(p) is not null));
        Assert.Equal(new UnmappedMapping("vmap", 1, null), records.Find(120));
        Assert.Equal(2, records.Count);
    }
}
