package dev.weft.testsuite;

import dev.weft.bundle.Tensor;
import dev.weft.bundle.manifest.TensorSpec;
import dev.weft.runtime.Bundle;
import dev.weft.runtime.Session;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Measures runtime start to first result: a fresh JVM that loads a compiled bundle with the
 * runtime only, runs it once on zero inputs, and prints the milliseconds since the JVM started
 * (as the JVM reports its own start) and since main began. Used for BENCHMARKS.md; not a test.
 *
 * <p>Usage: java -cp TEST_CLASSPATH dev.weft.testsuite.FirstResultMain BUNDLE_DIR
 */
public final class FirstResultMain {
  private FirstResultMain() {}

  public static void main(String[] args) {
    long mainStart = System.nanoTime();
    try (Bundle bundle = Bundle.load(Path.of(args[0]))) {
      long loaded = System.nanoTime();
      try (Session session = bundle.session("cpu")) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (TensorSpec spec : bundle.manifest().inputs()) inputs.put(spec.name(), Tensor.zeros(spec.dtype(), dims(spec)));
        long ready = System.nanoTime();
        Map<String, Tensor> out = session.run(inputs);
        long done = System.nanoTime();
        long sinceJvm = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.printf("first result: %d ms since JVM start; main: load %.0f ms, session %.0f ms, run %.0f ms; outputs %s%n",
            sinceJvm, (loaded - mainStart) / 1e6, (ready - loaded) / 1e6, (done - ready) / 1e6, out.keySet());
      }
    }
  }

  private static long[] dims(TensorSpec spec) {
    return spec.shape().stream().mapToLong(d -> d.evaluate(Map.of())).toArray();
  }
}
