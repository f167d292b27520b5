package dev.weft.runtime.gpu;

import dev.weft.bundle.BundleException;
import dev.weft.bundle.manifest.KernelImage;
import dev.weft.bundle.manifest.Target;
import dev.weft.bundle.manifest.Toolchain;
import dev.weft.runtime.spi.Device;
import dev.weft.runtime.spi.DeviceBuffer;
import dev.weft.runtime.spi.KernelModule;
import dev.weft.runtime.spi.Queue;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A CUDA or ROCm device over a {@link GpuApi}. Every operation first makes the device current
 * on the calling thread, since a driver context is per thread and runs come from many threads.
 */
public final class GpuDevice implements Device {
  private final GpuApi api;
  private final int ordinal;
  private final String minDriverKey;
  /** Opens the device's GEMM library (cuBLASLt) on first need; null where the device has none bound. */
  private final java.util.function.Supplier<GemmLibrary> gemmOpener;
  private volatile GemmLibrary gemm;
  private volatile String gemmError;
  /** The retained context; 0 until the device is first touched. */
  private volatile long context;

  /**
   * @param minDriverKey the toolchain component naming the least driver version
   *     ({@code cuda_driver_min}, {@code hip_runtime_min})
   */
  public GpuDevice(GpuApi api, int ordinal, String minDriverKey) {
    this(api, ordinal, minDriverKey, null);
  }

  /** @param gemmOpener opens the GEMM library for library matmul steps (null: the device runs none) */
  public GpuDevice(GpuApi api, int ordinal, String minDriverKey, java.util.function.Supplier<GemmLibrary> gemmOpener) {
    this.api = api;
    this.ordinal = ordinal;
    this.minDriverKey = minDriverKey;
    this.gemmOpener = gemmOpener;
  }

  @Override
  public String matmulUnsupported() {
    if (gemmOpener == null) return api.kind() + " has no GEMM library binding yet (compile with --gemm kernels)";
    gemm();
    return gemmError;
  }

  /** The GEMM library if something opened it already, else null. */
  GemmLibrary openedGemm() { return gemm; }

  /** The GEMM library, opened once; null (with {@link #gemmError} set) when it cannot be loaded. */
  GemmLibrary gemm() {
    if (gemm == null && gemmError == null && gemmOpener != null) {
      synchronized (this) {
        if (gemm == null && gemmError == null) {
          try {
            gemm = gemmOpener.get();
          } catch (dev.weft.runtime.DeviceUnavailableException e) {
            gemmError = e.getMessage();
          }
        }
      }
    }
    return gemm;
  }

  @Override public String kind() { return api.kind(); }

  @Override public int ordinal() { return ordinal; }

  @Override public int count() { return api.deviceCount(); }

  @Override public String arch() { return api.arch(ordinal); }

  @Override
  public String description() {
    return api.kind() + ":" + ordinal + " (" + api.deviceName(ordinal) + ", " + arch() + ", driver " + api.driverVersion() + ")";
  }

  private Optional<KernelImage> pick(List<KernelImage> images) {
    if (api.kind().equals("cuda")) return KernelImages.forCuda(arch(), images);
    if (arch().equals("unknown")) {
      // The architecture could not be read; the driver's own check at load time decides.
      return images.stream().filter(k -> k.format().equals("hsaco")).findFirst();
    }
    return KernelImages.forRocm(arch(), images);
  }

  @Override
  public List<String> misfits(Target target, Toolchain toolchain, List<KernelImage> images) {
    List<String> out = new ArrayList<>();
    if (pick(images).isEmpty()) {
      out.add("no kernel image loads on " + arch() + " (the bundle has " + KernelImages.describe(images) + ")");
    }
    String min = toolchain.component(minDriverKey);
    if (min != null) {
      try {
        int need = Integer.parseInt(min.strip());
        int have = api.driverVersion();
        if (have < need) out.add("kernels need driver version " + need + " or newer, this machine has " + have);
      } catch (NumberFormatException e) {
        out.add("toolchain component " + minDriverKey + " is not a number: \"" + min + "\"");
      }
    }
    return out;
  }

  /** Retains the context on first use (not at open: fit checks come first), then makes it current. */
  private void current() {
    long c = context;
    if (c == 0) {
      synchronized (this) {
        if (context == 0) context = api.retainContext(ordinal);
        c = context;
      }
    }
    api.makeCurrent(c);
  }

  @Override
  public KernelModule loadKernels(List<KernelFile> images, List<String> kernelNames) {
    KernelImage chosen = pick(images.stream().map(KernelFile::image).toList())
        .orElseThrow(() -> new BundleException("no kernel image loads on " + arch()));
    KernelFile file = images.stream().filter(f -> f.image().equals(chosen)).findFirst().orElseThrow();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file.path());
    } catch (IOException e) {
      throw new BundleException(chosen.path() + ": cannot be read: " + e.getMessage(), e);
    }
    current();
    long module;
    try (Arena arena = Arena.ofConfined()) {
      // PTX is text the driver reads up to a NUL; cubin and HSACO are ELF and carry their size.
      MemorySegment image = arena.allocate(bytes.length + 1L, 16);
      MemorySegment.copy(bytes, 0, image, ValueLayout.JAVA_BYTE, 0, bytes.length);
      image.set(ValueLayout.JAVA_BYTE, bytes.length, (byte) 0);
      module = api.moduleLoad(image);
    }
    Map<String, GpuKernel> kernels = new HashMap<>();
    try {
      for (String name : kernelNames) {
        if (!kernels.containsKey(name)) kernels.put(name, new GpuKernel(name, api.function(module, name)));
      }
    } catch (RuntimeException e) {
      api.moduleUnload(module);
      throw e;
    }
    return new KernelModule() {
      @Override
      public Kernel kernel(String name) {
        GpuKernel k = kernels.get(name);
        if (k == null) throw new IllegalArgumentException("kernel " + name + " was not loaded");
        return k;
      }

      @Override
      public void close() {
        current();
        api.moduleUnload(module);
      }
    };
  }

  /** A resolved kernel function. */
  record GpuKernel(String name, long function) implements KernelModule.Kernel {}

  @Override
  public DeviceBuffer allocate(long bytes) {
    current();
    long ptr = api.malloc(Math.max(1, bytes));
    return new DeviceBuffer() {
      private boolean freed;

      @Override public long address() { return ptr; }

      @Override public long byteSize() { return bytes; }

      @Override
      public synchronized void close() {
        if (freed) return;
        freed = true;
        current();
        api.free(ptr);
      }
    };
  }

  @Override
  public DeviceBuffer constant(MemorySegment host) {
    DeviceBuffer b = allocate(host.byteSize());
    try (GpuQueue q = new GpuQueue(this, api)) {
      q.copyIn(host, b.address(), host.byteSize());
      q.synchronize();
    } catch (RuntimeException e) {
      b.close();
      throw e;
    }
    return b;
  }

  @Override
  public Queue newQueue() {
    return new GpuQueue(this, api);
  }

  void makeCurrent() { current(); }

  @Override
  public boolean supportsRecording() { return true; }

  @Override
  public synchronized void close() {
    if (gemm != null) {
      current();
      gemm.close();
      gemm = null;
    }
    if (context != 0) {
      context = 0;
      api.releaseContext(ordinal);
    }
  }
}
