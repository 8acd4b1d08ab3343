using System.Collections.Concurrent;

namespace Vmap.Blocks;

/// <summary>
/// The per-CPU free lists of vmap blocks (vmap_block_queue) and the index of all blocks by
/// address (the kernel's vmap_blocks xarray): a block is aligned to its own size, so its number is
/// its start divided by the block size and an unmap finds its block in O(1).
/// </summary>
/// <remarks>
/// Both are read without a lock, as the kernel reads them under RCU: the index is a concurrent
/// dictionary, and each queue is an array that is replaced, never changed, under the queue's own
/// lock (blocks join and leave a queue once per block, while every map reads it). Lock order:
/// the space's area lock, then a block's lock, then a queue's lock; nothing waits for a block's lock
/// while holding a queue's.
/// </remarks>
internal sealed class BlockQueues
{
    private readonly Queue[] _queues;
    private readonly ConcurrentDictionary<long, VmapBlock> _byIndex = new();
    private readonly int _blockPages;

    public BlockQueues(int cpus, int blockPages)
    {
        _queues = new Queue[cpus];
        for (int i = 0; i < cpus; i++)
        {
            _queues[i] = new Queue();
        }

        _blockPages = blockPages;
    }

    public int CpuCount => _queues.Length;

    public int Count => _byIndex.Count;

    /// <summary>Every block, in address order (the order in which several of their locks may be taken).</summary>
    public IEnumerable<VmapBlock> All => _byIndex.Values.OrderBy(b => b.Start);

    /// <summary>
    /// The first block on <paramref name="cpu"/>'s queue with <paramref name="count"/> untouched
    /// pages, returned with its lock held; null when none has room.
    /// </summary>
    public VmapBlock? LockWithFree(int cpu, int count)
    {
        foreach (var block in Volatile.Read(ref _queues[cpu].Items))
        {
            // An unlocked look first: a full block is passed over without touching its lock.
            if (block.FreeHint < count)
            {
                continue;
            }

            Monitor.Enter(block);
            if (!block.Dead && block.Free >= count)
            {
                return block;
            }

            Monitor.Exit(block);
        }

        return null;
    }

    /// <summary>Like <see cref="LockWithFree"/> on every other CPU's queue, starting with the next CPU.</summary>
    public VmapBlock? LockWithFreeElsewhere(int cpu, int count)
    {
        for (int i = 1; i < _queues.Length; i++)
        {
            var block = LockWithFree((cpu + i) % _queues.Length, count);
            if (block is not null)
            {
                return block;
            }
        }

        return null;
    }

    /// <summary>Indexes a new block (under the area lock), and queues it when it has room.</summary>
    public void Add(VmapBlock block)
    {
        _byIndex[block.Start / _blockPages] = block;
        if (block.Free > 0)
        {
            Enqueue(block);
        }
    }

    public void Enqueue(VmapBlock block)
    {
        var queue = _queues[block.Cpu];
        lock (queue)
        {
            if (!block.Queued)
            {
                // The new array first: out of memory leaves the block unqueued, and marked so.
                queue.Items = [.. queue.Items, block];
                block.Queued = true;
            }
        }
    }

    /// <summary>Takes a full block off its queue: nothing more can be carved from it.</summary>
    public void Dequeue(VmapBlock block)
    {
        var queue = _queues[block.Cpu];
        lock (queue)
        {
            if (block.Queued)
            {
                block.Queued = false;
                queue.Items = Array.FindAll(queue.Items, b => b != block);
            }
        }
    }

    /// <summary>Takes the block out of its queue and the index; under the area lock.</summary>
    public void Remove(VmapBlock block)
    {
        Dequeue(block);
        _byIndex.TryRemove(new KeyValuePair<long, VmapBlock>(block.Start / _blockPages, block));
    }

    /// <summary>The block whose range holds <paramref name="page"/>, if any. Safe without any lock.</summary>
    public VmapBlock? ByPage(long page) =>
        _byIndex.TryGetValue(page / _blockPages, out var block) && page >= block.Start && page < block.Start + block.Pages ? block : null;

    private sealed class Queue
    {
        public VmapBlock[] Items = [];
    }
}
