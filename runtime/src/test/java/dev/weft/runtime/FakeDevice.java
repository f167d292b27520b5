package dev.weft.runtime;

import dev.weft.bundle.manifest.KernelImage;
import dev.weft.bundle.manifest.Target;
import dev.weft.bundle.manifest.Toolchain;
import dev.weft.runtime.spi.Device;
import dev.weft.runtime.spi.DeviceBuffer;
import dev.weft.runtime.spi.KernelModule;
import dev.weft.runtime.spi.Queue;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** A device that fails the test if anything touches it: fit checks must refuse first. */
final class FakeDevice implements Device {
  private final String kind;

  FakeDevice(String kind) { this.kind = kind; }

  @Override public String kind() { return kind; }

  @Override public int ordinal() { return 0; }

  @Override public int count() { return 1; }

  @Override public String arch() { return "unknown"; }

  @Override public String description() { return kind + ":0 (fake)"; }

  @Override public List<String> misfits(Target target, Toolchain toolchain, List<KernelImage> images) { return List.of(); }

  @Override public KernelModule loadKernels(List<KernelFile> images, List<String> names) { throw new AssertionError("touched"); }

  @Override public DeviceBuffer allocate(long bytes) { throw new AssertionError("touched"); }

  @Override public DeviceBuffer constant(MemorySegment host) { throw new AssertionError("touched"); }

  @Override public Queue newQueue() { throw new AssertionError("touched"); }

  @Override public boolean supportsRecording() { return false; }

  @Override public void close() {}
}
