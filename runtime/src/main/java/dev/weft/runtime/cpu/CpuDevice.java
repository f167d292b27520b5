package dev.weft.runtime.cpu;

import dev.weft.bundle.BundleException;
import dev.weft.bundle.manifest.KernelImage;
import dev.weft.bundle.manifest.Target;
import dev.weft.bundle.manifest.Toolchain;
import dev.weft.runtime.spi.Device;
import dev.weft.runtime.spi.DeviceBuffer;
import dev.weft.runtime.spi.KernelModule;
import dev.weft.runtime.spi.Queue;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host as a device: memory is native host memory, kernels come from the rank's
 * {@code kernels.so} (opened with {@code dlopen} through FFM, each symbol looked up once), and
 * a launch splits {@code [0, extent)} into chunks over a fixed thread pool
 * (docs/KERNELS.md: {@code void f(void **buffers, const int64_t *dims, int64_t begin, int64_t end)}).
 */
public final class CpuDevice implements Device {
  /** The kernel ABI version this runtime speaks. */
  public static final int KERNEL_ABI = 1;
  static final FunctionDescriptor KERNEL_SIGNATURE = FunctionDescriptor.ofVoid(
      ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);

  private final ParallelFor parallel;

  CpuDevice(int threads) { this.parallel = new ParallelFor(threads); }

  @Override public String kind() { return "cpu"; }

  @Override public int ordinal() { return 0; }

  @Override public int count() { return 1; }

  @Override public String arch() { return HostArch.arch(); }

  public int threads() { return parallel.threads(); }

  @Override
  public String description() { return "cpu:0 (" + arch() + ", " + HostArch.os() + ", " + threads() + " threads)"; }

  @Override
  public List<String> misfits(Target target, Toolchain toolchain, List<KernelImage> images) {
    List<String> out = new ArrayList<>();
    if (!target.arch().equals(arch())) out.add("target arch " + target.arch() + ", this host is " + arch());
    String os = target.options().get("os");
    if (os != null && !os.equals(HostArch.os())) out.add("target os " + os + ", this host runs " + HostArch.os());
    if (images.stream().noneMatch(this::loadable)) {
      out.add("no host kernel library for " + arch() + " among " + images.stream().map(k -> k.format() + " " + k.arch()).toList());
    }
    return out;
  }

  private boolean loadable(KernelImage k) { return k.format().equals("so") && k.arch().equals(arch()); }

  @Override
  public KernelModule loadKernels(List<KernelFile> images, List<String> kernelNames) {
    KernelFile file = images.stream().filter(f -> loadable(f.image())).findFirst()
        .orElseThrow(() -> new BundleException("no host kernel library for " + arch()));
    String rel = file.image().path();
    Arena arena = Arena.ofShared();
    try {
      SymbolLookup lib;
      try {
        lib = SymbolLookup.libraryLookup(file.path(), arena);
      } catch (IllegalArgumentException e) {
        throw new BundleException(rel + ": cannot be loaded as a shared library: " + e.getMessage(), e);
      }
      Optional<MemorySegment> abi = lib.find("weft_abi_version");
      if (abi.isEmpty()) throw new BundleException(rel + ": no weft_abi_version symbol (not a Weft kernel library)");
      int version = abi.get().reinterpret(4).get(ValueLayout.JAVA_INT, 0);
      if (version != KERNEL_ABI) {
        throw new BundleException(rel + ": kernel ABI version " + version + ", this runtime speaks " + KERNEL_ABI);
      }
      Map<String, CpuKernel> kernels = new HashMap<>();
      for (String name : kernelNames) {
        if (kernels.containsKey(name)) continue;
        MemorySegment sym = lib.find(name)
            .orElseThrow(() -> new BundleException(rel + ": no kernel symbol " + name));
        MethodHandle mh = Linker.nativeLinker().downcallHandle(sym, KERNEL_SIGNATURE);
        kernels.put(name, new CpuKernel(name, mh));
      }
      return new KernelModule() {
        @Override
        public Kernel kernel(String name) {
          CpuKernel k = kernels.get(name);
          if (k == null) throw new IllegalArgumentException("kernel " + name + " was not loaded");
          return k;
        }

        @Override
        public void close() { arena.close(); }
      };
    } catch (RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  /** A resolved kernel symbol. */
  record CpuKernel(String name, MethodHandle handle) implements KernelModule.Kernel {}

  @Override
  public DeviceBuffer allocate(long bytes) {
    Arena arena = Arena.ofShared();
    // 64-byte alignment: a cache line, and enough for any vector load the kernels emit.
    MemorySegment seg = arena.allocate(Math.max(1, bytes), 64);
    return new HostBuffer(seg.address(), bytes, arena);
  }

  @Override
  public DeviceBuffer constant(MemorySegment host) {
    if (host.isNative()) return new HostBuffer(host.address(), host.byteSize(), null);
    DeviceBuffer b = allocate(host.byteSize());
    MemorySegment.copy(host, 0, CpuQueue.at(b.address(), host.byteSize()), 0, host.byteSize());
    return b;
  }

  /** Host memory; {@code owner} is null when it belongs to someone else (a mapped weights file). */
  private record HostBuffer(long address, long byteSize, Arena owner) implements DeviceBuffer {
    @Override
    public void close() {
      if (owner != null) owner.close();
    }
  }

  @Override
  public Queue newQueue() { return new CpuQueue(parallel); }

  @Override
  public boolean supportsRecording() { return false; }

  /** Library matmuls run as the host reference GEMM, so a cpu program may carry them too. */
  @Override
  public String matmulUnsupported() { return null; }

  @Override
  public void close() { parallel.close(); }
}
