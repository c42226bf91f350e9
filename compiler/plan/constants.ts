// The planner's global constants. One set for every recipe; each says where it comes from.
// docs/plan.md explains the model they feed and compares it with every row of the paper's Tables 3-4.

/** Memory is reported in GiB (2^30 bytes): torch.cuda.max_memory_allocated()/1024**3 is what training
 *  scripts print as "GB", and an "80 GB" H100 holds 80 GiB of HBM. Device sizes in recipes are read alike. */
export const GIB = 2 ** 30;

/** Bytes per element. bf16 halves fp32; Adam keeps two moments (m and v). torch.optim.Adam allocates
 *  exp_avg (m) even when beta1 = 0, so m is counted although it stays zero (our runtime could skip it). */
export const BYTES = { fp32: 4, bf16: 2 } as const;
export const ADAM_MOMENTS = 2;

/** Allocator fragmentation: reserved / allocated. The paper reports both for all 15 runs of Tables 3-4;
 *  their ratio ranges 1.06-1.25 with mean 1.15. Used for the "tight" warning, not for the prediction. */
export const FRAGMENTATION = 1.15;

/** CUDA context + cuBLAS/NCCL workspaces: outside the caching allocator (not in "allocated"), but it
 *  occupies the device. ~0.5-1 GiB on H100 with NCCL; 0 on the CPU (tfjs) runtime. */
export const CUDA_CONTEXT_GIB = 0.75;

/** FSDP holds a unit unsharded while it runs: the current block, the prefetched next one, and during
 *  backward one block's unsharded gradient before its reduce-scatter. */
export const FSDP_UNSHARDED_BLOCKS = 3;

/** k is drawn uniformly from {1, ..., steps} (docs/algorithm.md §3): on average (steps + 1) / 2 calls of G. */
export const meanSteps = (steps: number): number => (steps + 1) / 2;

/** Model FLOPs utilisation: the fraction of the device's dense bf16 peak that the matmul FLOPs reach.
 *  0.4 is typical of FSDP training of multi-billion-parameter transformers at a few thousand tokens per
 *  sample (and is what the SD3 rows of Table 4 imply); small SANA passes reach less (see docs/plan.md). */
export const MFU = 0.4;

/** Host-side cost per accumulation round (kernel launches of ~14 network passes, FSDP hooks, data
 *  loading of precomputed text features), seconds. Matters only for small, fast passes (SANA). */
export const ROUND_OVERHEAD_S = 0.5;

/** Effective all-gather / reduce-scatter bandwidth per GPU over NVLink (NCCL bus bandwidth of H100
 *  NVLink 4 is ~350-450 GB/s; FSDP at batch 1-4 overlaps little of it with compute). GB/s. */
export const LINK_GBPS = 250;

/** PCIe host<->device bandwidth for CPU offload, GB/s (PCIe 5 x16 in practice). */
export const PCIE_GBPS = 25;

/** Host CPU throughput available to one device's process for text encoders run on the CPU, TFLOPS
 *  (a dual-socket server shared by 8 processes: ~1 TFLOPS each with AVX-512 bf16). */
export const HOST_TFLOPS = 1;

/** Dense bf16 throughput in TFLOPS of GPUs a recipe may name, and a guess by memory size. */
export const KNOWN_GPUS: Readonly<Record<string, { tflops: number; memory_gb: number }>> = {
  a100: { tflops: 312, memory_gb: 80 },
  h100: { tflops: 989, memory_gb: 80 },
  h200: { tflops: 989, memory_gb: 141 },
  b200: { tflops: 2250, memory_gb: 192 },
  rtx4090: { tflops: 165, memory_gb: 24 },
};
export const GPU_BY_MEMORY: ReadonlyArray<{ maxGb: number; name: string }> = [
  { maxGb: 24, name: 'rtx4090' },
  { maxGb: 40, name: 'a100' },
  { maxGb: 96, name: 'h100' },
  { maxGb: 150, name: 'h200' },
  { maxGb: Infinity, name: 'b200' },
];

/** The CPU runtime (tfjs wasm) is fast only on plain 2-D matmuls (docs/design.md); training steps
 *  with transposed products average far less. */
export const CPU_TFLOPS = 0.01;
/** tfjs-wasm's heap cannot grow past 4 GiB; overflowing it aborts the backend (docs/design.md). */
export const WASM_HEAP_GIB = 4;
