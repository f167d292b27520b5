package dev.weft.runtime.spi;

/** Loaded kernels; handles stay valid until {@link #close}. */
public interface KernelModule extends AutoCloseable {
  /** The kernel resolved at load time. */
  Kernel kernel(String name);

  @Override
  void close();

  /** An opaque, thread-safe kernel handle. */
  interface Kernel {
    String name();
  }
}
