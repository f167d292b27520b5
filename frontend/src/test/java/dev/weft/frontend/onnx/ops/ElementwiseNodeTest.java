package dev.weft.frontend.onnx.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.frontend.onnx.OnnxBackendRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The ONNX backend node tests of the elementwise, cast, reduction and activation families:
 * every one must pass (tests that also need another family's op may be unsupported until
 * that family lands). Skipped when the shared corpus is absent.
 */
class ElementwiseNodeTest {
  private static final Pattern OURS = Pattern.compile("^test_(add|sub|mul|div|pow|abs|neg|reciprocal|floor|ceil|sqrt|exp"
      + "|log|relu|sigmoid|tanh|sin|cos|tan|asin|acos|atan|sinh|cosh|asinh|acosh|atanh|erf|sign|round|not|and|or|xor"
      + "|bitwise|bitshift|bitcast|equal|less|greater|where|isnan|isinf|mod|sum|mean|max|min|cast|castlike|clip|reduce"
      + "|argmax|argmin|leakyrelu|elu|selu|celu|hardsigmoid|hardswish|softplus|softsign|gelu|mish|thresholdedrelu"
      + "|prelu|shrink|swish)");

  @Test
  void nodeTestsPass() throws IOException {
    Path corpus = Path.of(System.getProperty("weft.corpus", "../shared/corpus"), "onnx-backend", "node");
    assumeTrue(Files.isDirectory(corpus), "corpus not found at " + corpus);
    List<Path> dirs;
    try (Stream<Path> s = Files.list(corpus)) {
      dirs = s.filter(p -> OURS.matcher(p.getFileName().toString()).find()).sorted().toList();
    }
    List<String> failures = new ArrayList<>();
    int passed = 0;
    for (Path d : dirs) {
      for (OnnxBackendRunner.Result r : OnnxBackendRunner.runTestDir(d)) {
        if (r.status() == OnnxBackendRunner.Status.PASS) passed++;
        else if (r.status() == OnnxBackendRunner.Status.FAIL) failures.add(r.line());
      }
    }
    assertEquals(List.of(), failures);
    assertTrue(passed > 600, "only " + passed + " of " + dirs.size() + " node tests in " + corpus + " passed");
  }
}
