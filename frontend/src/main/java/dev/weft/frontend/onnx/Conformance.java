package dev.weft.frontend.onnx;

import dev.weft.bundle.Json;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.NodeProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The conformance suite over a folder of ONNX backend test directories: finds every directory
 * holding a model and {@code test_data_set_*}, runs each through {@link OnnxBackendRunner}
 * (import, verify, interpret, compare) in parallel, and reports per test and per op.
 */
public final class Conformance {
  private Conformance() {}

  /** One test's outcome, keyed by its path relative to the suite root (plus "/model" when a folder holds several). */
  public record Outcome(String key, OnnxBackendRunner.Result result, List<String> ops) {}

  /** The whole run. Outcomes are sorted by key, so reports are deterministic. */
  public record Report(Path root, List<Outcome> outcomes) {
    public long count(OnnxBackendRunner.Status s) {
      return outcomes.stream().filter(o -> o.result().status() == s).count();
    }

    public long passed() { return count(OnnxBackendRunner.Status.PASS); }

    /** {"tests": {key: {"status", "reason"}}, "summary": {...}, "ops": {op: {"pass", "total"}}}. */
    public String toJson() {
      Json.Obj tests = new Json.Obj();
      for (Outcome o : outcomes) {
        Json.Obj t = new Json.Obj().put("status", o.result().status().name().toLowerCase(java.util.Locale.ROOT));
        t.put("reason", o.result().reason() == null ? "" : o.result().reason());
        tests.put(o.key(), t);
      }
      Json.Obj summary = new Json.Obj().put("total", outcomes.size()).put("pass", passed())
          .put("fail", count(OnnxBackendRunner.Status.FAIL)).put("unsupported", count(OnnxBackendRunner.Status.UNSUPPORTED));
      Json.Obj ops = new Json.Obj();
      perOp().forEach((op, c) -> ops.put(op, new Json.Obj().put("pass", c[0]).put("total", c[1])));
      return new Json.Obj().put("tests", tests).put("summary", summary).put("ops", ops).toString() + "\n";
    }

    /** Op type -> {tests passed, tests} over the tests whose models use it. */
    public Map<String, long[]> perOp() {
      TreeMap<String, long[]> m = new TreeMap<>();
      for (Outcome o : outcomes) {
        boolean pass = o.result().status() == OnnxBackendRunner.Status.PASS;
        for (String op : o.ops()) {
          long[] c = m.computeIfAbsent(op, k -> new long[2]);
          if (pass) c[0]++;
          c[1]++;
        }
      }
      return m;
    }

    public String toMarkdown(String title) {
      StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n");
      sb.append(String.format("%d tests: %d pass, %d fail, %d unsupported%n%n", outcomes.size(), passed(),
          count(OnnxBackendRunner.Status.FAIL), count(OnnxBackendRunner.Status.UNSUPPORTED)));
      sb.append("| test | status | reason |\n|---|---|---|\n");
      for (Outcome o : outcomes) {
        String reason = o.result().reason() == null ? "" : o.result().reason().replace("|", "\\|").replace("\n", " ");
        if (reason.length() > 200) reason = reason.substring(0, 200) + "...";
        sb.append("| ").append(o.key()).append(" | ").append(o.result().status().name().toLowerCase(java.util.Locale.ROOT))
            .append(" | ").append(reason).append(" |\n");
      }
      sb.append("\n## Per op\n\n| op | pass | tests |\n|---|---|---|\n");
      perOp().forEach((op, c) -> sb.append("| ").append(op).append(" | ").append(c[0]).append(" | ").append(c[1]).append(" |\n"));
      return sb.toString();
    }
  }

  /** Every test directory under {@code root} (root itself if it is one), sorted by path. */
  public static List<Path> discover(Path root) throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(Files::isDirectory).filter(Conformance::isTestDir).sorted().forEach(out::add);
    }
    return out;
  }

  private static boolean isTestDir(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      List<String> names = s.map(p -> p.getFileName().toString()).toList();
      return names.stream().anyMatch(n -> n.endsWith(".onnx")) && names.stream().anyMatch(n -> n.startsWith("test_data_set_"));
    } catch (IOException e) {
      return false;
    }
  }

  /** Runs every test under {@code root} whose relative path matches {@code filter} (null: all) on {@code threads} threads. */
  public static Report run(Path root, Pattern filter, int threads, OnnxBackendRunner.Options options) throws IOException {
    List<Path> dirs = new ArrayList<>();
    for (Path d : discover(root)) {
      String rel = relative(root, d);
      if (filter == null || filter.matcher(rel).find()) dirs.add(d);
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    try {
      List<Future<List<Outcome>>> futures = new ArrayList<>();
      for (Path d : dirs) futures.add(pool.submit(() -> runDir(root, d, options)));
      List<Outcome> all = new ArrayList<>();
      for (Future<List<Outcome>> f : futures) {
        try {
          all.addAll(f.get());
        } catch (Exception e) {
          throw new IllegalStateException("conformance worker failed: " + e, e);
        }
      }
      all.sort((a, b) -> a.key().compareTo(b.key()));
      return new Report(root, all);
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<Outcome> runDir(Path root, Path dir, OnnxBackendRunner.Options options) {
    List<OnnxBackendRunner.Result> results = OnnxBackendRunner.runTestDir(dir, options);
    String rel = relative(root, dir);
    List<Outcome> out = new ArrayList<>();
    for (OnnxBackendRunner.Result r : results) {
      String key = results.size() > 1 ? rel + "/" + r.model() : rel;
      out.add(new Outcome(key, r, opTypes(dir.resolve(r.model()))));
    }
    return out;
  }

  private static String relative(Path root, Path dir) {
    String rel = root.relativize(dir).toString().replace('\\', '/');
    return rel.isEmpty() ? dir.getFileName().toString() : rel;
  }

  /** The op types a model uses (including subgraphs), or empty if it cannot be read. */
  static List<String> opTypes(Path model) {
    try {
      TreeSet<String> ops = new TreeSet<>();
      List<GraphProto> todo = new ArrayList<>();
      todo.add(OnnxModelReader.read(model).proto().getGraph());
      while (!todo.isEmpty()) {
        GraphProto g = todo.removeLast();
        for (NodeProto n : g.getNodeList()) {
          String dom = OnnxOpTable.normalizeDomain(n.getDomain());
          ops.add(dom.isEmpty() ? n.getOpType() : dom + "::" + n.getOpType());
          for (AttributeProto a : n.getAttributeList()) {
            if (a.hasG()) todo.add(a.getG());
            todo.addAll(a.getGraphsList());
          }
        }
      }
      return List.copyOf(ops);
    } catch (RuntimeException e) {
      return List.of();
    }
  }
}
