package dev.weft.passes.patterns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.passes.PassManager;
import dev.weft.passes.Rewrite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The composites the default pipeline leaves in the corpus's transformers (the numbers are the
 * models' architecture: GPT 4 blocks, BERT 4 layers, MiniLM-L6 6 layers). That results do not
 * change is SemanticPreservationTest's business; this checks the recognizers find the forms.
 */
class RecognizeCorpusTest {
  static Map<String, Integer> composites(String model) {
    String c = System.getProperty("weft.corpus");
    Path f = c == null ? null : Path.of(c, "models", model);
    assumeTrue(f != null && Files.isRegularFile(f), "corpus model not found: " + f);
    Module m = OnnxImporter.importModel(OnnxModelReader.read(f));
    PassManager.parse(PassManager.DEFAULT_PIPELINE).run(m);
    Map<String, Integer> n = new TreeMap<>();
    for (var g : Rewrite.allGraphs(m.main())) {
      for (Node node : g.nodes()) {
        String key = switch (node.opName()) {
          case "gelu" -> "gelu/" + node.attrs().getString("approximate");
          case "attention" -> "attention" + (node.attrs().getBool("is_causal") ? "/causal" : "") + (node.inputCount() > 3 ? "/mask" : "");
          case "layer_norm", "rms_norm", "softmax" -> node.opName();
          default -> null;
        };
        if (key != null) n.merge(key, 1, Integer::sum);
      }
    }
    System.out.println(model + ": " + n);
    return n;
  }

  @Test
  void gpt() {
    // layer_norm and softmax arrive as ONNX ops (opset 17); gelu (tanh) and causal attention are raised.
    assertEquals(Map.of("layer_norm", 9, "gelu/tanh", 4, "attention/causal", 4), composites("gpt/gpt_opset17.onnx"));
  }

  @Test
  void bert() {
    assertEquals(Map.of("layer_norm", 9, "gelu/none", 4, "attention/mask", 4), composites("bert/bert_opset13.onnx"));
  }

  @Test
  void minilmQuantized() {
    // Quantization touches only the weight matmuls: norms, gelu and attention are raised. The
    // head-split reshapes take their shape from shape_of chains; fold-shapes turns those targets
    // into copy codes, so q, k and v keep the input's batch and sequence symbols and the batch
    // equality the composite needs is proven.
    assertEquals(Map.of("layer_norm", 13, "gelu/none", 6, "attention/mask", 6), composites("minilm-l6-v2-q/model.onnx"));
  }
}
