package dev.weft.runtime.spi;

import dev.weft.bundle.manifest.KernelImage;
import dev.weft.bundle.manifest.Target;
import dev.weft.bundle.manifest.Toolchain;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * One device: memory, kernels and queues. Addresses are plain {@code long}s in the device's
 * address space (host addresses for {@code cpu}). Implementations are thread-safe: sessions run
 * on many threads at once, each with its own {@link Queue}.
 */
public interface Device extends AutoCloseable {
  String kind();

  int ordinal();

  /** How many devices of this kind the machine has. */
  int count();

  /** The architecture in the bundle's spelling ({@code x86_64}, {@code sm_90}, {@code gfx942}), or "unknown". */
  String arch();

  /** For messages: {@code cuda:0 (NVIDIA H200, sm_90, driver 12040)}. */
  String description();

  /**
   * What differs between what a bundle needs and this device (architecture, driver version, a
   * kernel image this device can load); empty when it fits. Touches no device memory.
   */
  List<String> misfits(Target target, Toolchain toolchain, List<KernelImage> images);

  /**
   * Loads the kernel image that fits this device (one of {@code images}, already hash-checked)
   * and resolves every kernel name once.
   */
  KernelModule loadKernels(List<KernelFile> images, List<String> kernelNames);

  /** Device memory of {@code bytes} bytes (contents undefined). */
  DeviceBuffer allocate(long bytes);

  /**
   * Device memory holding a copy of read-only host bytes (weights). A host device may return
   * the host bytes themselves; they outlive the buffer.
   */
  DeviceBuffer constant(MemorySegment host);

  /** A queue for one run at a time. */
  Queue newQueue();

  /**
   * Why this device cannot run library matmul steps (its GEMM library is missing, or it has
   * none), or null when it can. Opens the library if needed but touches no device memory.
   */
  default String matmulUnsupported() { return kind() + " devices have no GEMM library binding"; }

  /** Whether {@link Queue#record} is supported (CUDA/HIP graphs). */
  boolean supportsRecording();

  @Override
  void close();

  /** A kernel file of the bundle and where it lies on disk. */
  record KernelFile(KernelImage image, Path path) {}
}
