package dev.weft.testsuite.bench;

import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.ir.Module;
import dev.weft.passes.PassContext;
import dev.weft.passes.PassManager;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Import + the default pipeline ({@link PassManager#DEFAULT_PIPELINE}) on {@link PipelineGraph}
 * models of 100k and 200k nodes, with the verifier at the pipeline's ends (as {@code weft
 * optimize} runs it) and after every pass (as tests run it). Target (issue 5): at least 50k
 * nodes/s, and time(200k) <= 2.2 time(100k). Single shot per iteration: one import + pipeline
 * is the unit of work.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xmx6g", "-Xss8m"})
public class PipelineBenchmark {
  @Param({"100000", "200000"})
  public int nodes;

  /** {@link PassContext.Verify} as the CLI spells it: ends (production), each (tests). */
  @Param({"ends", "each"})
  public String verify;

  byte[] model;

  @Setup(Level.Trial)
  public void setup() { model = PipelineGraph.bytes(nodes); }

  @Benchmark
  public Module importAndOptimize() { return run(model, PassContext.Verify.parse(verify)); }

  static Module run(byte[] bytes, PassContext.Verify verify) {
    Module m = OnnxImporter.importModel(OnnxModelReader.read(bytes, "pipeline.onnx"));
    PassManager.parse(PassManager.DEFAULT_PIPELINE).run(m, new PassContext().verify(verify));
    return m;
  }

  /**
   * Quick timing without JMH: {@code PipelineBenchmark [nodes...]} prints per-phase times;
   * {@code -Dverify=each|ends|off} (default ends), {@code -Dreps=N} runs per size (default 4).
   * Beside wall time it prints this thread's CPU time, which on a shared machine says more
   * about the code than the wall clock does (other processes' load stretches the latter).
   */
  public static void main(String[] args) {
    int[] sizes = args.length == 0 ? new int[] {100_000, 200_000} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    int reps = Integer.getInteger("reps", 4);
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    for (int n : sizes) {
      byte[] bytes = PipelineGraph.bytes(n);
      for (int rep = 0; rep < reps; rep++) {
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        Module m = OnnxImporter.importModel(OnnxModelReader.read(bytes, "pipeline.onnx"));
        long t1 = System.nanoTime();
        long c1 = threads.getCurrentThreadCpuTime();
        dev.weft.passes.instrument.Timing timing = new dev.weft.passes.instrument.Timing();
        PassContext ctx = new PassContext().instrument(timing).verify(PassContext.Verify.parse(System.getProperty("verify", "ends")));
        PassManager.parse(PassManager.DEFAULT_PIPELINE).run(m, ctx);
        long t2 = System.nanoTime();
        long c2 = threads.getCurrentThreadCpuTime();
        System.out.printf("%,d nodes: import %.0f ms, pipeline %.0f ms, total %.0f ms = %,.0f nodes/s"
                + " | thread CPU: import %.0f ms, pipeline %.0f ms, total %.0f ms = %,.0f nodes/s (after: %,d nodes)%n",
            n, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t2 - t0) / 1e6, n / ((t2 - t0) / 1e9),
            (c1 - c0) / 1e6, (c2 - c1) / 1e6, (c2 - c0) / 1e6, n / ((c2 - c0) / 1e9), PassManager.nodeCount(m));
        if (rep == reps - 1) System.out.print(timing.table(ctx.statistics()));
      }
    }
  }
}
