package dev.weft.testsuite.bench;

import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.ir.Module;
import dev.weft.ir.Verifier;
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
 * Import speed on a generated transformer-shaped model ({@link SyntheticTransformer}): parsing the
 * serialized bytes plus importing into the IR ({@code readAndImport}), and the verifier on the
 * imported module alone ({@code verify}). One op = one whole model; nodes/s = nodes / time.
 * Memory is measured by {@link ImportFootprint}. How to run: testsuite/BENCHMARKS.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 2, jvmArgsAppend = {"-Xmx4g", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class ImportBenchmark {
  @Param({"100000", "200000"})
  public int nodes;

  private byte[] bytes;
  private Module imported;

  @Setup(Level.Trial)
  public void setUp() {
    var proto = SyntheticTransformer.build(nodes);
    bytes = proto.toByteArray();
    imported = OnnxImporter.importModel(OnnxModelReader.read(bytes, "bench.onnx"));
    System.out.printf("%n[%d nodes, %d bytes, residual via %s]%n", SyntheticTransformer.countNodes(proto.getGraph()),
        bytes.length, SyntheticTransformer.hasAdd() ? "Add" : "Slice+Slice+Concat");
  }

  @Benchmark
  public Module readAndImport() {
    return OnnxImporter.importModel(OnnxModelReader.read(bytes, "bench.onnx"));
  }

  @Benchmark
  public Module verify() {
    new Verifier().verify(imported);
    return imported;
  }
}
