package dev.weft.runtime.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/** Controls and counters of the fake driver built from {@code fakegpu.c}. */
public final class FakeGpu {
  private final SymbolLookup lib;

  public FakeGpu(Path library) { this.lib = SymbolLookup.libraryLookup(library, Arena.global()); }

  private MethodHandle fn(String name, FunctionDescriptor fd) {
    return Linker.nativeLinker().downcallHandle(lib.find(name).orElseThrow(), fd);
  }

  private int intCall(String name) {
    try {
      return (int) fn(name, FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  public void reset() {
    try {
      fn("fake_reset", FunctionDescriptor.ofVoid()).invokeExact();
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  public void setComputeCapability(int major, int minor) {
    try {
      fn("fake_set_cc", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)).invokeExact(major, minor);
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  public void setAllocLimit(long bytes) {
    try {
      fn("fake_set_alloc_limit", FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG)).invokeExact(bytes);
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  public int kernelLaunches() { return intCall("fake_kernel_launches"); }

  public int graphLaunches() { return intCall("fake_graph_launches"); }

  public int captures() { return intCall("fake_captures"); }

  public int liveAllocs() { return intCall("fake_live_allocs"); }

  public long lastGridX() {
    try {
      return (long) fn("fake_last_grid_x", FunctionDescriptor.of(ValueLayout.JAVA_LONG)).invokeExact();
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  public String lastModule() {
    try {
      MemorySegment s = (MemorySegment) fn("fake_last_module", FunctionDescriptor.of(ValueLayout.ADDRESS)).invokeExact();
      return s.reinterpret(64).getString(0);
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }
}
