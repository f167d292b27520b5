package dev.weft.runtime.spi;

/** Device memory; {@link #close} frees it. */
public interface DeviceBuffer extends AutoCloseable {
  long address();

  long byteSize();

  @Override
  void close();
}
