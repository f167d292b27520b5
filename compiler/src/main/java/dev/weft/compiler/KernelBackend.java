package dev.weft.compiler;

import dev.weft.codegen.kir.Kernel;
import dev.weft.bundle.manifest.KernelStats;
import java.util.List;

/** Compiles a rank's kernels for one target into the files its runtime device loads. */
public interface KernelBackend {
  /** The target name as `weft compile --target` spells it (cpu, cuda:sm_90, rocm:gfx942). */
  String target();

  /** The manifest's target kind (cpu, cuda, rocm) and architecture. */
  String kind();

  String arch();

  boolean gpu();

  int blockSize();

  /**
   * Work items one block of {@link #blockSize()} threads runs at a time: the block size when
   * each thread runs its own items, fewer for kernels whose items a warp or block shares
   * (docs/KERNELS.md, "Cooperative launches"); the launch's {@code items_per_block}.
   */
  default int itemsPerBlock(Kernel k) { return blockSize(); }

  /** Output columns one matmul work item computes (the target's vector lanes; 1 keeps one element per item). */
  default int matmulTileColumns() { return 1; }

  /** {@code k} tiled as this target prefers for its kind (KernelTiling); unchanged by default. */
  default Kernel tile(Kernel k) { return k; }

  /** One compiled file: its name in the rank folder, format (so, ptx, cubin, hsaco), arch, bytes. */
  record Image(String file, String format, String arch, byte[] bytes) { }

  /**
   * What a build made: the files, per-kernel notes for reports (cache status, ptxas usage) by
   * kernel name, toolchain components, and the assembler's per-kernel resource usage (empty
   * where no assembler reports it), which the bundle records in {@code kernels.json}.
   */
  record Built(List<Image> images, java.util.Map<String, String> kernelNotes, java.util.Map<String, String> toolchain,
               List<KernelStats> kernelStats) {
    public Built {
      kernelStats = List.copyOf(kernelStats);
    }

    public Built(List<Image> images, java.util.Map<String, String> kernelNotes, java.util.Map<String, String> toolchain) {
      this(images, kernelNotes, toolchain, List.of());
    }
  }

  Built build(List<Kernel> kernels);

  /** As {@link #build(List)}, counting finished kernels on {@code progress} (this default: all at the end). */
  default Built build(List<Kernel> kernels, CompileProgress progress) {
    Built b = build(kernels);
    progress.kernels(kernels.size(), kernels.size(), 0);
    return b;
  }
}
