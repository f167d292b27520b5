package dev.weft.testsuite.bench;

import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.ir.Module;
import dev.weft.ir.Verifier;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.lang.ref.Reference;

/**
 * Phase timings and retained heap of importing a {@link SyntheticTransformer} model: the second
 * half of the import benchmark (JMH measures time; this measures what the imported module keeps).
 * Retained heap = heap used after import (model bytes and protos dropped, full GC) minus heap
 * used before reading (model bytes already allocated), compared with the serialized size. Times
 * are the main thread's CPU time (the machine is shared; wall time there mostly measures the
 * neighbours), after three warm-up imports; GC work on other threads is not included.
 *
 * <p>{@code java -cp ... dev.weft.testsuite.bench.ImportFootprint [nodes[:hidden]...]} (default
 * {@code 100000 200000}; hidden defaults to {@link SyntheticTransformer#SMALL_HIDDEN}).
 */
public final class ImportFootprint {
  private ImportFootprint() {}

  public static void main(String[] args) {
    String[] runs = args.length == 0 ? new String[] {"100000", "200000"} : args;
    System.out.println("residual op: " + (SyntheticTransformer.hasAdd() ? "Add" : "Slice+Slice+Concat"));
    for (String r : runs) {
      String[] parts = r.split(":");
      run(Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : SyntheticTransformer.SMALL_HIDDEN);
    }
  }

  static void run(int target, int hidden) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    var proto = SyntheticTransformer.build(target, hidden);
    int nodes = SyntheticTransformer.countNodes(proto.getGraph());
    byte[] bytes = proto.toByteArray();
    proto = null;
    // Warm up: a few imports so the timings below are of compiled code.
    for (int i = 0; i < 3; i++) OnnxImporter.importModel(OnnxModelReader.read(bytes, "bench.onnx"));

    long before = usedAfterGc();
    long gc0 = gcMillis();
    long w0 = System.nanoTime();
    long t0 = cpu.getCurrentThreadCpuTime();
    OnnxModel model = OnnxModelReader.read(bytes, "bench.onnx");
    long t1 = cpu.getCurrentThreadCpuTime();
    Module m = OnnxImporter.importModel(model);
    long t2 = cpu.getCurrentThreadCpuTime();
    long wallMs = (System.nanoTime() - w0) / 1_000_000;
    long gcMs = gcMillis() - gc0;
    new Verifier().verify(m);
    long t3 = cpu.getCurrentThreadCpuTime();
    model = null;
    long after = usedAfterGc();
    Reference.reachabilityFence(m);
    Reference.reachabilityFence(bytes);
    long retained = after - before;
    double readMs = (t1 - t0) / 1e6, importMs = (t2 - t1) / 1e6, verifyMs = (t3 - t2) / 1e6;
    System.out.printf("nodes=%d hidden=%d model=%.2f MB; main-thread CPU time: read=%.0f ms import=%.0f ms (%.0f nodes/s read+import) verify=%.0f ms;"
            + " retained=%.2f MB ratio=%.2f (%.0f B/node); read+import wall=%d ms, GC=%d ms%n",
        nodes, hidden, bytes.length / 1e6, readMs, importMs, nodes / ((readMs + importMs) / 1e3), verifyMs,
        retained / 1e6, (double) retained / bytes.length, (double) retained / nodes, wallMs, gcMs);
  }

  static long gcMillis() {
    long t = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) t += Math.max(0, gc.getCollectionTime());
    return t;
  }

  static long usedAfterGc() {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
