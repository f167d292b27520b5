import dev.weft.bundle.Tensor;
import dev.weft.bundle.safetensors.Safetensors;
import dev.weft.runtime.Bundle;
import dev.weft.runtime.Session;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Device half of the GPU check: depends on weft-runtime and weft-bundle only. For each case
 * folder that GpuPack wrote, loads the bundle, opens a session on DEVICE (cuda), runs the test
 * inputs, compares every output with the oracle (|got - want| <= atol + rtol * |want|, rtol
 * 1e-3, atol 1e-5; NaN never passes), then times Session.run end to end (host inputs in,
 * host outputs back: copies and synchronization included) and prints one JSON line per case.
 * A case that cannot run prints a JSON line with "error"; the exit status is 1 if any case
 * failed or mismatched.
 *
 * <p>Usage: GpuCheck DEVICE CASE_DIR...
 */
public final class GpuCheck {
  static final double RTOL = 1e-3;
  static final double ATOL = 1e-5;
  static final int WARMUP = 5;
  static final int MAX_RUNS = 200;
  static final long MAX_TIMED_NANOS = 3_000_000_000L;

  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: GpuCheck DEVICE CASE_DIR...");
      System.exit(2);
    }
    boolean allOk = true;
    for (int a = 1; a < args.length; a++) {
      Path dir = Path.of(args[a]);
      String name = dir.getFileName().toString();
      try {
        allOk &= checkOne(args[0], dir, name);
      } catch (RuntimeException | Error e) {
        allOk = false;
        System.out.println("{\"model\": " + q(name) + ", \"device\": " + q(args[0]) + ", \"ok\": false, \"error\": "
            + q(e.getClass().getSimpleName() + ": " + e.getMessage()) + "}");
      }
    }
    System.exit(allOk ? 0 : 1);
  }

  private static boolean checkOne(String device, Path dir, String name) {
    Map<String, Tensor> inputs = Safetensors.read(dir.resolve("inputs.safetensors"));
    Map<String, Tensor> expected = Safetensors.read(dir.resolve("expected.safetensors"));
    long tLoad = System.nanoTime();
    try (Bundle b = Bundle.load(dir.resolve("bundle")); Session s = b.session(device)) {
      double loadMs = (System.nanoTime() - tLoad) / 1e6;
      long tFirst = System.nanoTime();
      Map<String, Tensor> got = s.run(inputs);
      double firstMs = (System.nanoTime() - tFirst) / 1e6;
      String mismatch = null;
      double maxAbs = 0;
      double worstRatio = 0;
      for (Map.Entry<String, Tensor> e : expected.entrySet()) {
        Tensor g = got.get(e.getKey());
        Tensor w = e.getValue();
        if (g == null) { mismatch = "no output " + e.getKey(); break; }
        if (!Arrays.equals(g.shape(), w.shape())) {
          mismatch = e.getKey() + ": shape " + Arrays.toString(g.shape()) + " != " + Arrays.toString(w.shape());
          break;
        }
        for (long i = 0; i < w.size(); i++) {
          double want = w.getDouble(i);
          double have = g.getDouble(i);
          double d = Math.abs(have - want);
          double ratio = d / (ATOL + RTOL * Math.abs(want));
          if (!(ratio <= 1)) {
            if (mismatch == null) mismatch = e.getKey() + "[" + i + "]: " + have + " != " + want;
            if (Double.isNaN(ratio)) ratio = Double.POSITIVE_INFINITY;
          }
          if (!Double.isNaN(d)) maxAbs = Math.max(maxAbs, d);
          worstRatio = Math.max(worstRatio, ratio);
        }
      }
      for (int i = 0; i < WARMUP; i++) s.run(inputs);
      long[] times = new long[MAX_RUNS];
      int n = 0;
      long start = System.nanoTime();
      while (n < MAX_RUNS && (n < 10 || System.nanoTime() - start < MAX_TIMED_NANOS)) {
        long t = System.nanoTime();
        s.run(inputs);
        times[n++] = System.nanoTime() - t;
      }
      long[] sorted = Arrays.copyOf(times, n);
      Arrays.sort(sorted);
      System.out.println(String.format(Locale.ROOT,
          "{\"model\": %s, \"device\": %s, \"ok\": %s, \"max_abs_err\": %.3e, \"worst_tol_ratio\": %.3f, \"mismatch\": %s,"
              + " \"weft_median_ms\": %.4f, \"weft_p10_ms\": %.4f, \"weft_p90_ms\": %.4f, \"runs\": %d, \"load_ms\": %.1f, \"first_run_ms\": %.1f}",
          q(name), q(device), mismatch == null, maxAbs, worstRatio, mismatch == null ? "null" : q(mismatch),
          sorted[n / 2] / 1e6, sorted[n / 10] / 1e6, sorted[(n * 9) / 10] / 1e6, n, loadMs, firstMs));
      return mismatch == null;
    }
  }

  static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : String.valueOf(s).toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

}
