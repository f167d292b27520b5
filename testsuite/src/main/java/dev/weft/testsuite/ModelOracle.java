package dev.weft.testsuite;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.OnnxBackendRunner;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import dev.weft.ir.Module;
import dev.weft.ir.Verifier;
import dev.weft.ir.interp.Interpreter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs a whole corpus model on the reference interpreter against its oracle outputs
 * ({@code test_data_set_0}): elementwise within tolerance, or by cosine similarity for models
 * whose correct implementations legitimately differ (dynamic quantization).
 */
public final class ModelOracle {
  private ModelOracle() {}

  /** Outcome: null {@code failure} means the model matched. */
  public record Outcome(String failure, double worstCosine, long millis) {}

  public static Outcome check(Path modelFile, double rtol, double atol, double minCosine) {
    long t0 = System.nanoTime();
    OnnxModel model = OnnxModelReader.read(modelFile);
    Module m = OnnxImporter.importModel(model);
    new Verifier().verify(m);
    Path set = modelFile.resolveSibling("test_data_set_0");
    Set<String> inits = new HashSet<>();
    for (TensorProto t : model.proto().getGraph().getInitializerList()) inits.add(t.getName());
    List<Object> inputs = new ArrayList<>();
    int k = 0;
    for (ValueInfoProto vi : model.proto().getGraph().getInputList()) {
      if (inits.contains(vi.getName())) continue;
      inputs.add(OnnxTestData.read(set.resolve("input_" + k++ + ".pb"), vi.getType()));
    }
    List<Object> actual = new Interpreter().run(m.main(), inputs);
    double worst = 1.0;
    for (int i = 0; i < actual.size(); i++) {
      Path expectedFile = set.resolve("output_" + i + ".pb");
      if (!Files.exists(expectedFile)) return new Outcome("missing " + expectedFile, worst, ms(t0));
      Object expected = OnnxTestData.read(expectedFile, model.proto().getGraph().getOutput(i).getType());
      if (minCosine > 0 && expected instanceof Tensor e && actual.get(i) instanceof Tensor a) {
        double c = cosine(e, a);
        worst = Math.min(worst, c);
        if (!(c >= minCosine)) return new Outcome("output " + i + ": cosine " + c + " < " + minCosine, worst, ms(t0));
      } else {
        String diff = OnnxBackendRunner.compare(expected, actual.get(i), rtol, atol);
        if (diff != null) return new Outcome("output " + i + ": " + diff, worst, ms(t0));
      }
    }
    return new Outcome(null, worst, ms(t0));
  }

  private static long ms(long t0) { return (System.nanoTime() - t0) / 1_000_000; }

  /** Cosine similarity of two tensors of equal size (shape mismatch gives NaN, which fails). */
  public static double cosine(Tensor a, Tensor b) {
    if (a.size() != b.size()) return Double.NaN;
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (long i = 0; i < a.size(); i++) {
      double x = a.getDouble(i);
      double y = b.getDouble(i);
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    return dot / Math.sqrt(na * nb);
  }
}
