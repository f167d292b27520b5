package dev.weft.cli.bench;

import dev.weft.bundle.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** How far Weft's outputs are from ONNX Runtime's: a fast but wrong kernel must show here. */
final class OutputDiff {
  private OutputDiff() {}

  /** One output's comparison; {@code problem} is non-null when the values could not be compared. */
  record Entry(String name, double maxAbsDiff, String problem) {}

  /**
   * Pairs outputs by name (Weft's bundle names an output {@code X__out} when {@code X} is also a
   * graph value, so that suffix is dropped), else by position.
   */
  static List<Entry> compare(Map<String, Tensor> weft, Map<String, Tensor> ort) {
    List<Entry> out = new ArrayList<>();
    List<String> ortNames = new ArrayList<>(ort.keySet());
    int k = 0;
    for (Map.Entry<String, Tensor> e : weft.entrySet()) {
      String name = e.getKey().endsWith("__out") ? e.getKey().substring(0, e.getKey().length() - 5) : e.getKey();
      Tensor o = ort.get(name);
      if (o == null && k < ortNames.size()) o = ort.get(ortNames.get(k));
      k++;
      out.add(o == null ? new Entry(name, Double.NaN, "ONNX Runtime has no such output") : compare(name, e.getValue(), o));
    }
    return out;
  }

  static Entry compare(String name, Tensor a, Tensor b) {
    if (!Arrays.equals(a.shape(), b.shape())) {
      return new Entry(name, Double.NaN, "shape " + Arrays.toString(a.shape()) + " vs " + Arrays.toString(b.shape()));
    }
    double max = 0;
    for (long i = 0; i < a.size(); i++) {
      double x = a.getDouble(i);
      double y = b.getDouble(i);
      if (Double.isNaN(x) != Double.isNaN(y)) {
        return new Entry(name, Double.NaN, (Double.isNaN(x) ? "Weft" : "ONNX Runtime") + " has NaN at element " + i);
      }
      if (Double.isNaN(x) || x == y) continue;
      max = Math.max(max, Math.abs(x - y));
    }
    return new Entry(name, max, null);
  }

  /** The largest difference over all outputs; NaN when any output could not be compared. */
  static double worst(List<Entry> entries) {
    double w = 0;
    for (Entry e : entries) {
      if (e.problem() != null) return Double.NaN;
      w = Math.max(w, e.maxAbsDiff());
    }
    return w;
  }
}
