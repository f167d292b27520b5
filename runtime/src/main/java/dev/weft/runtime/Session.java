package dev.weft.runtime;

import dev.weft.bundle.BundleException;
import dev.weft.bundle.DTypeNames;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.manifest.RankEntry;
import dev.weft.bundle.manifest.TensorSpec;
import dev.weft.bundle.program.Buffer;
import dev.weft.bundle.program.BufferKind;
import dev.weft.bundle.program.Program;
import dev.weft.bundle.safetensors.SafetensorsFile;
import dev.weft.bundle.safetensors.TensorInfo;
import dev.weft.runtime.spi.Device;
import dev.weft.runtime.spi.DeviceBuffer;
import dev.weft.runtime.spi.KernelModule;
import dev.weft.runtime.spi.Queue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * One rank of a bundle loaded onto one device: kernels loaded, weights on the device. Made by
 * {@link Bundle#session}, which checks first that the bundle fits the device.
 *
 * <p>{@link #run} is thread-safe: each concurrent run takes its own {@link RunContext} (queue,
 * arena, input and output memory) from a pool, so many threads may run one session at once;
 * kernels and weights are shared read-only.
 */
public final class Session implements AutoCloseable {
  private final Bundle bundle;
  private final RankImage rank;
  private final Device device;
  private final boolean ownsDevice;
  private final InputBinder binder;
  private final KernelModule kernels;
  private final Map<String, DeviceBuffer> weights = new HashMap<>();
  private final PreparedProgram prepared;
  private final List<Integer> outputIndices = new ArrayList<>();
  private final List<Integer> inputIndices = new ArrayList<>();
  private final ConcurrentLinkedDeque<RunContext> idle = new ConcurrentLinkedDeque<>();
  private final boolean record;
  private int active;
  private boolean closed;

  Session(Bundle bundle, RankImage rank, Device device, boolean ownsDevice) {
    this.bundle = bundle;
    this.rank = rank;
    this.device = device;
    this.ownsDevice = ownsDevice;
    Manifest m = bundle.manifest();
    this.binder = new InputBinder(m);
    Program program = rank.program();
    checkAgainstManifest(m, rank);
    List<RankEntry> local = bundle.localRanks().stream().map(m::rank).toList();
    List<String> misfits = FitCheck.misfits(m, local, rank, device);
    if (!misfits.isEmpty()) {
      throw new BundleMismatchException("bundle " + bundle.root().getFileName() + " rank " + rank.entry().rank() + " on "
          + device.description(), misfits);
    }
    // From here on the device is touched.
    this.kernels = device.loadKernels(rank.kernels(), PreparedProgram.kernelNames(program));
    try {
      for (Buffer b : program.buffersOf(BufferKind.WEIGHT)) weights.put(b.name(), device.constant(weightBytes(b)));
      this.prepared = new PreparedProgram(program, kernels);
    } catch (RuntimeException e) {
      weights.values().forEach(DeviceBuffer::close);
      kernels.close();
      throw e;
    }
    for (int i = 0; i < prepared.buffers.size(); i++) {
      if (prepared.buffers.get(i).kind() == BufferKind.INPUT) inputIndices.add(i);
    }
    for (TensorSpec o : m.outputs()) {
      Integer i = prepared.index.get(o.name());
      if (i != null) outputIndices.add(i);
    }
    this.record = device.supportsRecording() && !"false".equals(System.getProperty("weft.record"));
  }

  /** Program inputs and outputs must be the manifest's, with the same dtypes. */
  private static void checkAgainstManifest(Manifest m, RankImage rank) {
    String file = rank.entry().program();
    Map<String, TensorSpec> inputs = new HashMap<>();
    m.inputs().forEach(s -> inputs.put(s.name(), s));
    Map<String, TensorSpec> outputs = new HashMap<>();
    m.outputs().forEach(s -> outputs.put(s.name(), s));
    for (Buffer b : rank.program().buffers()) {
      if (b.kind() == BufferKind.INPUT) {
        TensorSpec s = inputs.get(b.name());
        if (s == null) throw new BundleException(file + ": input buffer \"" + b.name() + "\" is not a model input in manifest.json");
        if (s.dtype() != b.dtype() || s.shape().size() != b.shape().size()) {
          throw new BundleException(file + ": input buffer \"" + b.name() + "\" is " + DTypeNames.of(b.dtype()) + b.shape()
              + ", manifest.json says " + DTypeNames.of(s.dtype()) + s.shape());
        }
      }
      if (b.kind() == BufferKind.OUTPUT && !outputs.containsKey(b.name())) {
        throw new BundleException(file + ": output buffer \"" + b.name() + "\" is not a model output in manifest.json");
      }
      TensorSpec o = outputs.get(b.name());
      if (o != null && o.dtype() != b.dtype()) {
        throw new BundleException(file + ": buffer \"" + b.name() + "\" is " + DTypeNames.of(b.dtype())
            + ", manifest.json says output " + b.name() + " is " + DTypeNames.of(o.dtype()));
      }
    }
  }

  /** A weight's bytes from the rank's safetensors, checked against its buffer. */
  private java.lang.foreign.MemorySegment weightBytes(Buffer b) {
    SafetensorsFile w = rank.weights();
    String file = rank.entry().weights();
    if (w == null) throw new BundleException(rank.entry().program() + ": weight \"" + b.name() + "\" but the rank has no weights file");
    TensorInfo t = w.info(b.name());
    if (t == null) throw new BundleException(file + ": no tensor \"" + b.name() + "\" for the program's weight buffer");
    long[] shape = b.shapeFor(Map.of());
    if (t.dtype() != b.dtype() || !Arrays.equals(t.shape(), shape)) {
      throw new BundleException(file + ": tensor \"" + b.name() + "\" is " + DTypeNames.of(t.dtype()) + Arrays.toString(t.shape())
          + ", the program's buffer is " + DTypeNames.of(b.dtype()) + Arrays.toString(shape));
    }
    return w.bytes(b.name());
  }

  public Device device() { return device; }

  public int rank() { return rank.entry().rank(); }

  /**
   * Runs the rank's program on {@code inputs} (by model input name) and returns its outputs
   * (by model output name, in manifest order; a rank of a partitioned bundle returns those it
   * holds).
   *
   * @throws InputMismatchException naming the input (and axis) that does not fit
   */
  public Map<String, Tensor> run(Map<String, Tensor> inputs) { return run(inputs, null); }

  /** Receives the wall time of each step of a timed run; {@code step} indexes the program's steps. */
  @FunctionalInterface
  public interface StepTimer {
    void step(int step, long nanos);
  }

  /**
   * {@link #run(Map)}, and with a non-null {@code timer} each step is timed on its own: the queue
   * is synchronized after every step and nothing is replayed from a recording, so a timed run is
   * slower than a plain one on devices that record (for profiling, not for latency).
   */
  public Map<String, Tensor> run(Map<String, Tensor> inputs, StepTimer timer) {
    Map<String, Long> manifestBinding = binder.bind(inputs);
    Map<String, long[]> shapes = new HashMap<>();
    inputs.forEach((k, t) -> shapes.put(k, t.shape()));
    long[] dimValues = prepared.dimValues(shapes, manifestBinding);
    Map<String, Long> binding = new HashMap<>(manifestBinding);
    binding.putAll(prepared.binding(dimValues));
    prepared.checkSizes(binding, rank.entry().program());
    for (int i : inputIndices) {
      Buffer b = prepared.buffers.get(i);
      long[] want = b.shapeFor(binding);
      if (!Arrays.equals(want, inputs.get(b.name()).shape())) {
        throw new BundleException(rank.entry().program() + ": input buffer \"" + b.name() + "\" has shape "
            + Arrays.toString(want) + " at " + binding + ", the input is " + Arrays.toString(inputs.get(b.name()).shape()));
      }
    }

    enter();
    RunContext ctx = null;
    boolean healthy = false;
    try {
      ctx = idle.pollFirst();
      if (ctx == null) ctx = new RunContext(device, prepared, weights);
      Map<String, Tensor> out = execute(ctx, inputs, binding, dimValues, timer);
      healthy = true;
      return out;
    } finally {
      if (ctx != null) {
        // A run that failed midway may leave the queue in any state: drop its context.
        if (healthy) idle.addFirst(ctx);
        else ctx.close();
      }
      leave();
    }
  }

  private Map<String, Tensor> execute(RunContext ctx, Map<String, Tensor> inputs, Map<String, Long> binding, long[] dimValues,
      StepTimer timer) {
    Queue q = ctx.queue;
    for (int i : inputIndices) {
      Tensor t = inputs.get(prepared.buffers.get(i).name());
      q.copyIn(t.data(), ctx.addresses[i], t.byteSize());
    }
    if (timer != null) {
      q.synchronize();
      enqueueSteps(ctx, binding, dimValues, timer);
    } else if (record && !prepared.hasControlFlow) {
      List<Long> key = Arrays.stream(dimValues).boxed().toList();
      ctx.recording(key, () -> q.record(() -> enqueueSteps(ctx, binding, dimValues, null))).replay();
    } else {
      enqueueSteps(ctx, binding, dimValues, null);
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (int i : outputIndices) {
      Buffer b = prepared.buffers.get(i);
      Tensor t = Tensor.zeros(b.dtype(), b.shapeFor(binding));
      q.copyOut(ctx.addresses[i], t.data(), t.byteSize());
      out.put(b.name(), t);
    }
    q.synchronize();
    return out;
  }

  private void enqueueSteps(RunContext ctx, Map<String, Long> binding, long[] dimValues, StepTimer timer) {
    List<PreparedProgram.Op> ops = prepared.ops;
    for (int k = 0; k < ops.size(); k++) {
      long t0 = timer == null ? 0 : System.nanoTime();
      enqueue(ctx, ops.get(k), binding, dimValues);
      if (timer != null) {
        ctx.queue.synchronize();
        timer.step(k, System.nanoTime() - t0);
      }
    }
  }

  private void enqueue(RunContext ctx, List<PreparedProgram.Op> ops, Map<String, Long> binding, long[] dimValues) {
    for (PreparedProgram.Op op : ops) enqueue(ctx, op, binding, dimValues);
  }

  private void enqueue(RunContext ctx, PreparedProgram.Op op, Map<String, Long> binding, long[] dimValues) {
    Queue q = ctx.queue;
    long[] addr = ctx.addresses;
    switch (op) {
      case PreparedProgram.Launch l -> {
        long extent = l.extent().evaluate(binding);
        if (extent == 0) return;
        long[] args = new long[l.args().length];
        for (int i = 0; i < args.length; i++) args[i] = addr[l.args()[i]];
        long[] dims = new long[l.dims().length];
        for (int i = 0; i < dims.length; i++) dims[i] = dimValues[l.dims()[i]];
        q.launch(l.kernel(), args, dims, extent, l.geometry());
      }
      case PreparedProgram.Copy c -> {
        long bytes = c.bytes().evaluate(binding);
        if (bytes > 0) q.copy(addr[c.src()], addr[c.dst()], bytes);
      }
      case PreparedProgram.Matmul m -> q.matmul(m.call(), addr[m.a()], addr[m.b()], addr[m.d()]);
      case PreparedProgram.If f -> {
        boolean taken = ctx.readScalar(addr[f.cond()], f.condType()) != 0;
        enqueue(ctx, taken ? f.then() : f.otherwise(), binding, dimValues);
      }
      case PreparedProgram.Loop l -> runLoop(ctx, l, binding, dimValues);
      case PreparedProgram.Fail f -> throw new dev.weft.bundle.program.UncompiledBranchException(rank.entry().program() + ": " + f.message());
    }
  }

  /** ONNX Loop over buffers (Step.Loop): the trip limit and condition are read back from the device each time. */
  private void runLoop(RunContext ctx, PreparedProgram.Loop l, Map<String, Long> binding, long[] dimValues) {
    long[] addr = ctx.addresses;
    long max = l.maxTrips() < 0 ? Long.MAX_VALUE : ctx.readScalar(addr[l.maxTrips()], dev.weft.bundle.DType.I64);
    long it = 0;
    while (it < max && (l.cond() < 0 || ctx.readScalar(addr[l.cond()], dev.weft.bundle.DType.BOOL) != 0)) {
      if (l.iter() >= 0) ctx.writeLong(addr[l.iter()], it);
      enqueue(ctx, l.body(), binding, dimValues);
      for (int i = 0; i < l.scanSrc().length; i++) {
        Buffer dst = prepared.buffers.get(l.scanDst()[i]);
        long bytes = l.scanBytes()[i];
        if ((it + 1) * bytes > dst.bytesFor(binding)) {
          throw new BundleException(rank.entry().program() + ": loop ran more than " + it + " iterations, its scan output \""
              + dst.name() + "\" holds only " + it);
        }
        if (bytes > 0) ctx.queue.copy(addr[l.scanSrc()[i]], addr[l.scanDst()[i]] + it * bytes, bytes);
      }
      it++;
    }
    for (int i = 0; i < l.scanSrc().length; i++) {
      Buffer dst = prepared.buffers.get(l.scanDst()[i]);
      long bytes = l.scanBytes()[i];
      if (bytes > 0 && it * bytes != dst.bytesFor(binding)) {
        throw new BundleException(rank.entry().program() + ": loop ran " + it + " iterations, its scan output \"" + dst.name()
            + "\" was compiled for " + dst.bytesFor(binding) / bytes);
      }
    }
  }

  private synchronized void enter() {
    if (closed) throw new IllegalStateException("session is closed");
    active++;
  }

  private synchronized void leave() {
    if (--active == 0) notifyAll();
  }

  /** Waits for runs in flight, then frees the device memory, kernels and (if it opened it) the device. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) return;
      closed = true;
      boolean interrupted = false;
      while (active > 0) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) Thread.currentThread().interrupt();
    }
    RunContext c;
    while ((c = idle.pollFirst()) != null) c.close();
    weights.values().forEach(DeviceBuffer::close);
    kernels.close();
    if (ownsDevice) device.close();
    bundle.forget(this);
  }
}
