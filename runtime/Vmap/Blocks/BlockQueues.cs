namespace Vmap.Blocks;

/// <summary>
/// The per-CPU free lists of vmap blocks (vmap_block_queue) and the index of all blocks by
/// address (the kernel's vmap_blocks xarray): a block is aligned to its own size, so its number is
/// its start divided by the block size and an unmap finds its block in O(1).
/// </summary>
internal sealed class BlockQueues
{
    private readonly LinkedList<VmapBlock>[] _queues;
    private readonly Dictionary<long, VmapBlock> _byIndex = new();
    private readonly int _blockPages;

    public BlockQueues(int cpus, int blockPages)
    {
        _queues = new LinkedList<VmapBlock>[cpus];
        for (int i = 0; i < cpus; i++)
        {
            _queues[i] = new LinkedList<VmapBlock>();
        }

        _blockPages = blockPages;
    }

    public int Count => _byIndex.Count;

    public IEnumerable<VmapBlock> All => _byIndex.Values;

    /// <summary>The first block on <paramref name="cpu"/>'s queue with <paramref name="count"/> untouched pages.</summary>
    public VmapBlock? FindWithFree(int cpu, int count)
    {
        for (var n = _queues[cpu].First; n is not null; n = n.Next)
        {
            if (n.Value.Free >= count)
            {
                return n.Value;
            }
        }

        return null;
    }

    /// <summary>The first block with room on any other CPU's queue, starting with the next CPU.</summary>
    public VmapBlock? StealWithFree(int cpu, int count)
    {
        for (int i = 1; i < _queues.Length; i++)
        {
            var block = FindWithFree((cpu + i) % _queues.Length, count);
            if (block is not null)
            {
                return block;
            }
        }

        return null;
    }

    public void Add(VmapBlock block)
    {
        _byIndex.Add(block.Start / _blockPages, block);
        Enqueue(block);
    }

    public void Enqueue(VmapBlock block)
    {
        if (block.QueueNode is null)
        {
            block.QueueNode = _queues[block.Cpu].AddLast(block);
        }
    }

    /// <summary>Takes a full block off its queue: nothing more can be carved from it.</summary>
    public void Dequeue(VmapBlock block)
    {
        if (block.QueueNode is not null)
        {
            _queues[block.Cpu].Remove(block.QueueNode);
            block.QueueNode = null;
        }
    }

    public void Remove(VmapBlock block)
    {
        Dequeue(block);
        _byIndex.Remove(block.Start / _blockPages);
    }

    /// <summary>The block whose range holds <paramref name="page"/>, if any.</summary>
    public VmapBlock? ByPage(long page) =>
        _byIndex.TryGetValue(page / _blockPages, out var block) && page >= block.Start && page < block.Start + block.Pages ? block : null;

    /// <summary>Queued blocks with no live mapping (purge_fragmented_blocks).</summary>
    public List<VmapBlock> Fragmented()
    {
        var list = new List<VmapBlock>();
        foreach (var queue in _queues)
        {
            foreach (var block in queue)
            {
                if (block.IsFragmented)
                {
                    list.Add(block);
                }
            }
        }

        return list;
    }
}
