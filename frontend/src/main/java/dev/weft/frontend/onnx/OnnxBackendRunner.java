package dev.weft.frontend.onnx;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.SparseTensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import dev.weft.ir.Module;
import dev.weft.ir.interp.Interpreter;
import dev.weft.ir.interp.OptionalValue;
import dev.weft.ir.interp.SequenceValue;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs ONNX backend test directories (a model file or several sharing one oracle, plus
 * {@code test_data_set_N/input_K.pb, output_K.pb}) through import, the IR verifier (when the
 * build has one) and the reference interpreter, comparing as ONNX's runner does:
 * {@code |a-e| <= atol + rtol*|e|}, NaN equal NaN, infinities exact, integers, booleans and
 * strings exact, dtypes and shapes equal.
 *
 * <p>Usage: {@code OnnxBackendRunner [--filter REGEX] [--rtol R] [--atol A] [--timeout SECONDS] DIR...}
 * where each DIR is a test directory or a folder of them (e.g. {@code onnx-backend/node}).
 */
public final class OnnxBackendRunner {
  public enum Status { PASS, FAIL, UNSUPPORTED }

  /** The outcome of one model file against its data sets; every non-pass carries a reason. */
  public record Result(String test, String model, Status status, String reason) {
    public String line() {
      String tag = switch (status) {
        case PASS -> "PASS ";
        case FAIL -> "FAIL ";
        case UNSUPPORTED -> "UNSUP";
      };
      String id = model.equals("model.onnx") ? test : test + "/" + model;
      return tag + " " + id + (reason == null || reason.isEmpty() ? "" : "  " + reason);
    }
  }

  /** Tolerances and limits. */
  public record Options(double rtol, double atol, Duration timeout, OnnxImporter.Options importOptions) {
    public static Options defaults() { return new Options(1e-3, 1e-7, Duration.ofSeconds(120), OnnxImporter.Options.defaults()); }
  }

  private OnnxBackendRunner() {}

  public static List<Result> runTestDir(Path dir) { return runTestDir(dir, Options.defaults()); }

  /** Runs every {@code *.onnx} model in {@code dir} against every {@code test_data_set_*}. */
  public static List<Result> runTestDir(Path dir, Options options) {
    String test = dir.getFileName().toString();
    List<Path> models;
    List<Path> sets;
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> all = s.sorted().toList();
      models = all.stream().filter(p -> p.getFileName().toString().endsWith(".onnx") && Files.isRegularFile(p)).toList();
      sets = all.stream().filter(p -> p.getFileName().toString().startsWith("test_data_set_") && Files.isDirectory(p)).toList();
    } catch (IOException e) {
      return List.of(new Result(test, "-", Status.FAIL, "cannot list directory: " + e.getMessage()));
    }
    if (models.isEmpty()) return List.of(new Result(test, "-", Status.FAIL, "no .onnx model in directory"));
    List<Result> out = new ArrayList<>();
    for (Path m : models) out.add(runModel(test, m, sets, options));
    return out;
  }

  /** Runs one model with a time limit; never throws (errors become FAIL results). */
  public static Result runModel(String test, Path model, List<Path> dataSets, Options options) {
    String name = model.getFileName().toString();
    ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(null, r, "onnx-test-" + test, 64L << 20);
      t.setDaemon(true);
      return t;
    });
    try {
      Future<Result> f = ex.submit(() -> runUnbounded(test, model, dataSets, options));
      return f.get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return new Result(test, name, Status.FAIL, "timed out after " + options.timeout().toSeconds() + " s");
    } catch (ExecutionException e) {
      return new Result(test, name, Status.FAIL, describe(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(test, name, Status.FAIL, "interrupted");
    } finally {
      ex.shutdownNow();
    }
  }

  private static Result runUnbounded(String test, Path modelFile, List<Path> dataSets, Options options) {
    String name = modelFile.getFileName().toString();
    try {
      OnnxModel model = OnnxModelReader.read(modelFile);
      OnnxCoverage.Report cov = OnnxCoverage.scan(model.proto(), tableOf(options));
      if (!cov.fullySupported()) {
        List<String> ops = cov.unsupported().stream()
            .map(e -> (e.domain().isEmpty() ? "" : e.domain() + "::") + e.opType() + "-" + e.version()).toList();
        return new Result(test, name, Status.UNSUPPORTED, "no handler for " + String.join(", ", ops));
      }
      Module module = OnnxImporter.importModel(model, options.importOptions());
      verify(module);
      GraphProto g = model.proto().getGraph();
      Set<String> inits = new HashSet<>();
      for (TensorProto t : g.getInitializerList()) inits.add(t.getName());
      for (SparseTensorProto t : g.getSparseInitializerList()) inits.add(t.getValues().getName());
      List<ValueInfoProto> inputs = g.getInputList().stream().filter(v -> !inits.contains(v.getName())).toList();
      if (dataSets.isEmpty()) return new Result(test, name, Status.FAIL, "no test_data_set_* directory");
      for (Path set : dataSets) {
        List<Path> inFiles = numbered(set, "input_");
        List<Path> outFiles = numbered(set, "output_");
        if (inFiles.size() != inputs.size()) {
          return new Result(test, name, Status.FAIL, set.getFileName() + ": model takes " + inputs.size()
              + " inputs, data set has " + inFiles.size());
        }
        if (outFiles.size() != g.getOutputCount()) {
          return new Result(test, name, Status.FAIL, set.getFileName() + ": model has " + g.getOutputCount()
              + " outputs, data set has " + outFiles.size());
        }
        List<Object> args = new ArrayList<>();
        for (int i = 0; i < inFiles.size(); i++) args.add(OnnxTestData.read(inFiles.get(i), inputs.get(i).getType()));
        List<Object> actual = new Interpreter().run(module.main(), args);
        for (int i = 0; i < outFiles.size(); i++) {
          ValueInfoProto out = g.getOutput(i);
          Object expected = OnnxTestData.read(outFiles.get(i), out.getType());
          String diff = compare(expected, actual.get(i), options.rtol(), options.atol());
          if (diff != null) {
            return new Result(test, name, Status.FAIL, set.getFileName() + " output " + i + " ('" + out.getName() + "'): " + diff);
          }
        }
      }
      return new Result(test, name, Status.PASS, "");
    } catch (OnnxUnsupportedOpException e) {
      return new Result(test, name, Status.UNSUPPORTED, e.getMessage());
    } catch (Throwable e) {  // a harness: every failure, even an Error, becomes a reported result
      return new Result(test, name, Status.FAIL, describe(e));
    }
  }

  private static OnnxOpTable tableOf(Options o) {
    OnnxOpTable t = o.importOptions().table();
    return t != null ? t : OnnxOpTable.standard();
  }

  private static final Pattern NUMBERED = Pattern.compile("(input|output)_(\\d+)\\.pb");

  /** {@code prefixK.pb} files of a data set, in K order. */
  static List<Path> numbered(Path dir, String prefix) throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Matcher m = NUMBERED.matcher(p.getFileName().toString());
        if (m.matches() && p.getFileName().toString().startsWith(prefix)) out.add(p);
      }
    }
    out.sort((a, b) -> Integer.compare(index(a), index(b)));
    for (int i = 0; i < out.size(); i++) {
      if (index(out.get(i)) != i) throw new IOException(dir.getFileName() + ": " + prefix + i + ".pb is missing");
    }
    return out;
  }

  private static int index(Path p) {
    Matcher m = NUMBERED.matcher(p.getFileName().toString());
    if (!m.matches()) return -1;
    try {
      return Integer.parseInt(m.group(2));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static String describe(Throwable e) {
    String msg = e.getMessage();
    if (e instanceof dev.weft.bundle.WeftException && msg != null) return msg;
    return e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg)
        + (e.getStackTrace().length > 0 ? " at " + e.getStackTrace()[0] : "");
  }

  // ---- verifier (on another branch; used when present) ----

  private static volatile Method verifier;
  private static volatile boolean verifierLooked;

  private static void verify(Module m) throws Throwable {
    if (!verifierLooked) {
      Method found = null;
      try {
        Class<?> c = Class.forName("dev.weft.ir.Verifier");
        for (Method meth : c.getMethods()) {
          if (Modifier.isStatic(meth.getModifiers()) && meth.getName().equals("verify") && meth.getParameterCount() == 1) {
            Class<?> p = meth.getParameterTypes()[0];
            if (p == Module.class || (found == null && p == dev.weft.ir.Graph.class)) found = meth;
          }
        }
      } catch (ClassNotFoundException e) {
        // No verifier in this build.
      }
      verifier = found;
      verifierLooked = true;
    }
    Method v = verifier;
    if (v == null) return;
    try {
      v.invoke(null, v.getParameterTypes()[0] == Module.class ? m : m.main());
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  // ---- comparison ----

  /** Null when {@code actual} matches {@code expected}; otherwise what differs. */
  public static String compare(Object expected, Object actual, double rtol, double atol) {
    if (expected instanceof Tensor e) {
      if (!(actual instanceof Tensor a)) return "expected a tensor, got " + kind(actual);
      return compareTensors(e, a, rtol, atol);
    }
    if (expected instanceof SequenceValue e) {
      if (!(actual instanceof SequenceValue a)) return "expected a sequence, got " + kind(actual);
      if (e.items().size() != a.items().size()) return "sequence length " + a.items().size() + ", expected " + e.items().size();
      for (int i = 0; i < e.items().size(); i++) {
        String d = compareTensors(e.items().get(i), a.items().get(i), rtol, atol);
        if (d != null) return "sequence item " + i + ": " + d;
      }
      return null;
    }
    if (expected instanceof OptionalValue e) {
      if (!(actual instanceof OptionalValue a)) return "expected an optional, got " + kind(actual);
      if (e.isPresent() != a.isPresent()) return "optional is " + (a.isPresent() ? "present" : "empty") + ", expected the opposite";
      return e.isPresent() ? compare(e.value(), a.value(), rtol, atol) : null;
    }
    return "cannot compare " + kind(expected);
  }

  private static String kind(Object o) { return o == null ? "null" : o.getClass().getSimpleName(); }

  static String compareTensors(Tensor e, Tensor a, double rtol, double atol) {
    if (e.dtype() != a.dtype()) return "dtype " + a.dtype() + ", expected " + e.dtype();
    if (!Arrays.equals(e.shape(), a.shape())) {
      return "shape " + Arrays.toString(a.shape()) + ", expected " + Arrays.toString(e.shape());
    }
    DType d = e.dtype();
    long n = e.size();
    long bad = 0;
    long firstBad = -1;
    double maxErr = 0;
    long maxAt = -1;
    for (long i = 0; i < n; i++) {
      boolean ok;
      double err = 0;
      switch (d.kind()) {
        case STRING -> ok = e.getString(i).equals(a.getString(i));
        case SIGNED, UNSIGNED, BOOL -> ok = e.getLong(i) == a.getLong(i);
        case COMPLEX -> {
          ok = close(complexPart(e, i, 0), complexPart(a, i, 0), rtol, atol)
              && close(complexPart(e, i, 1), complexPart(a, i, 1), rtol, atol);
          err = Math.max(Math.abs(complexPart(e, i, 0) - complexPart(a, i, 0)), Math.abs(complexPart(e, i, 1) - complexPart(a, i, 1)));
        }
        default -> {
          double x = e.getDouble(i);
          double y = a.getDouble(i);
          ok = close(x, y, rtol, atol);
          err = Math.abs(x - y);
        }
      }
      if (!ok) {
        bad++;
        if (firstBad < 0) firstBad = i;
        if (!(err <= maxErr)) {
          maxErr = err;
          maxAt = i;
        }
      }
    }
    if (bad == 0) return null;
    long at = maxAt >= 0 ? maxAt : firstBad;
    return bad + " of " + n + " elements differ (rtol " + rtol + ", atol " + atol + "); "
        + (d.isFloat() || d.kind() == DType.Kind.COMPLEX ? "max abs error " + maxErr + " " : "first ")
        + "at index " + at + ": expected " + show(e, at) + ", got " + show(a, at);
  }

  /** ONNX's rule: NaN equals NaN, infinities must match exactly. */
  static boolean close(double e, double a, double rtol, double atol) {
    if (Double.isNaN(e) || Double.isNaN(a)) return Double.isNaN(e) && Double.isNaN(a);
    if (Double.isInfinite(e) || Double.isInfinite(a)) return e == a;
    return Math.abs(a - e) <= atol + rtol * Math.abs(e);
  }

  private static double complexPart(Tensor t, long i, int part) {
    return t.dtype() == DType.C64
        ? t.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 2 * i + part)
        : t.data().getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, 2 * i + part);
  }

  private static String show(Tensor t, long i) {
    return switch (t.dtype().kind()) {
      case STRING -> "'" + t.getString(i) + "'";
      case SIGNED, BOOL -> Long.toString(t.getLong(i));
      case UNSIGNED -> Long.toUnsignedString(t.getLong(i));
      case COMPLEX -> complexPart(t, i, 0) + (complexPart(t, i, 1) >= 0 ? "+" : "") + complexPart(t, i, 1) + "i";
      default -> Double.toString(t.getDouble(i));
    };
  }

  // ---- command line ----

  public static void main(String[] args) throws IOException {
    Options o = Options.defaults();
    Pattern filter = null;
    List<Path> roots = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--filter", "-k" -> filter = Pattern.compile(args[++i]);
        case "--rtol" -> o = new Options(Double.parseDouble(args[++i]), o.atol(), o.timeout(), o.importOptions());
        case "--atol" -> o = new Options(o.rtol(), Double.parseDouble(args[++i]), o.timeout(), o.importOptions());
        case "--timeout" -> o = new Options(o.rtol(), o.atol(), Duration.ofSeconds(Long.parseLong(args[++i])), o.importOptions());
        default -> roots.add(Path.of(args[i]));
      }
    }
    if (roots.isEmpty()) {
      System.err.println("usage: OnnxBackendRunner [--filter REGEX] [--rtol R] [--atol A] [--timeout S] DIR...");
      System.exit(2);
    }
    int pass = 0, fail = 0, unsup = 0;
    for (Path root : roots) {
      for (Path dir : testDirs(root)) {
        if (filter != null && !filter.matcher(dir.getFileName().toString()).find()) continue;
        for (Result r : runTestDir(dir, o)) {
          System.out.println(r.line());
          switch (r.status()) {
            case PASS -> pass++;
            case FAIL -> fail++;
            case UNSUPPORTED -> unsup++;
          }
        }
      }
    }
    int total = pass + fail + unsup;
    System.out.println("passed " + pass + " / " + total + " (failed " + fail + ", unsupported " + unsup + ")");
    System.exit(fail > 0 ? 1 : 0);
  }

  /** {@code root} itself when it is a test directory, else its subdirectories in name order. */
  static List<Path> testDirs(Path root) throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      List<Path> children = s.sorted().toList();
      boolean isTest = children.stream().anyMatch(p -> p.getFileName().toString().endsWith(".onnx"));
      if (isTest) return List.of(root);
      return children.stream().filter(Files::isDirectory).toList();
    }
  }
}
