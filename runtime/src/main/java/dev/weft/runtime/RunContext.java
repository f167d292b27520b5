package dev.weft.runtime;

import dev.weft.bundle.program.Buffer;
import dev.weft.runtime.spi.Device;
import dev.weft.runtime.spi.DeviceBuffer;
import dev.weft.runtime.spi.Queue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run owns: a queue, the arena, memory for the program's inputs and outputs, and the
 * resolved address of every buffer. Addresses do not change between runs, which is what lets a
 * GPU queue replay a recorded step list. Sessions pool these, one per concurrent run.
 */
final class RunContext implements AutoCloseable {
  /** Recordings kept per context: one per distinct dim binding, oldest evicted. */
  private static final int MAX_RECORDINGS = 8;

  final Queue queue;
  final long[] addresses;
  private final List<DeviceBuffer> owned = new ArrayList<>();
  private final Map<List<Long>, Queue.Recording> recordings = new LinkedHashMap<>(16, 0.75f, true);

  RunContext(Device device, PreparedProgram p, Map<String, DeviceBuffer> weights) {
    List<Buffer> buffers = p.buffers;
    addresses = new long[buffers.size()];
    Queue q = device.newQueue();
    try {
      DeviceBuffer arena = own(device.allocate(p.program.arenaBytes()));
      for (int i = 0; i < buffers.size(); i++) {
        Buffer b = buffers.get(i);
        addresses[i] = switch (b.kind()) {
          case INPUT, OUTPUT -> own(device.allocate(b.bytes())).address();
          case ARENA -> arena.address() + b.offset();
          case WEIGHT -> weights.get(b.name()).address();
          case VIEW -> -1; // resolved below, once its source is
        };
      }
      for (int i = 0; i < buffers.size(); i++) addresses[i] = resolve(p, i);
    } catch (RuntimeException e) {
      q.close();
      owned.forEach(DeviceBuffer::close);
      throw e;
    }
    this.queue = q;
  }

  private long resolve(PreparedProgram p, int i) {
    Buffer b = p.buffers.get(i);
    if (b.kind() != dev.weft.bundle.program.BufferKind.VIEW) return addresses[i];
    // Program validation rules out cycles, so the chain ends.
    return resolve(p, p.index.get(b.of())) + b.offset();
  }

  private DeviceBuffer own(DeviceBuffer b) {
    owned.add(b);
    return b;
  }

  /** Host bytes for reading back control-flow conditions and writing loop counters; one run uses a context at a time. */
  private final java.lang.foreign.MemorySegment scratch = java.lang.foreign.Arena.ofAuto().allocate(8, 8);

  /**
   * The one element at device address {@code address} as a long (bool and integers), read with
   * a synchronous device-to-host copy: the work queued before it must finish first.
   */
  long readScalar(long address, dev.weft.bundle.DType dtype) {
    int n = dtype.byteSize();
    queue.copyOut(address, scratch, n);
    queue.synchronize();
    return switch (n) {
      case 1 -> dtype.isSigned() ? scratch.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) : scratch.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) & 0xff;
      case 2 -> scratch.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 0);
      case 4 -> scratch.get(java.lang.foreign.ValueLayout.JAVA_INT, 0);
      case 8 -> scratch.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0);
      default -> throw new IllegalStateException("no scalar read for " + dtype);
    };
  }

  /** Writes an int64 to device address {@code address}; synchronous, so the scratch bytes can be reused at once. */
  void writeLong(long address, long value) {
    scratch.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, value);
    queue.copyIn(scratch, address, 8);
    queue.synchronize();
  }

  /** The recording for a binding, made by {@code record} the first time. */
  Queue.Recording recording(List<Long> key, java.util.function.Supplier<Queue.Recording> record) {
    Queue.Recording r = recordings.get(key);
    if (r == null) {
      r = record.get();
      recordings.put(key, r);
      if (recordings.size() > MAX_RECORDINGS) {
        var eldest = recordings.entrySet().iterator().next();
        eldest.getValue().close();
        recordings.remove(eldest.getKey());
      }
    }
    return r;
  }

  @Override
  public void close() {
    recordings.values().forEach(Queue.Recording::close);
    recordings.clear();
    queue.close();
    owned.forEach(DeviceBuffer::close);
  }
}
