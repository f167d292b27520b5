package dev.weft.testsuite;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.cli.ModelLoader;
import dev.weft.compiler.CompileOptions;
import dev.weft.compiler.ShapeProfile;
import dev.weft.frontend.onnx.OnnxBackendRunner;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.ir.Module;
import dev.weft.ir.interp.Interpreter;
import dev.weft.runtime.Bundle;
import dev.weft.runtime.Session;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What the symbolic-range tests (batch and sequence) share: compile options, inputs, and the bundle-against-interpreter check. */
final class SymbolicRuns {
  private SymbolicRuns() { }

  static CompileOptions cpu(String shapes) { return new CompileOptions("cpu", ShapeProfile.parse(shapes), null, "fp32"); }

  /** Runs the bundle and the interpreter (on the model as written, dims unbound) on the same inputs. */
  static void runAndCompare(Path dir, Path model, Map<String, Tensor> feed) {
    Module reference = ModelLoader.load(model);
    List<Object> args = new ArrayList<>();
    for (var v : reference.main().inputs()) args.add(feed.get(v.name()));
    List<Object> want = new Interpreter().run(reference.main(), args);
    try (Bundle b = Bundle.load(dir); Session s = b.session("cpu")) {
      Map<String, Tensor> got = s.run(feed);
      Manifest m = b.manifest();
      for (int i = 0; i < m.outputs().size(); i++) {
        Tensor actual = got.get(m.outputs().get(i).name());
        assertNull(OnnxBackendRunner.compare(want.get(i), actual, 1e-4, 1e-5), "output " + i + " at " + shapes(feed));
      }
    }
  }

  private static String shapes(Map<String, Tensor> feed) {
    Map<String, String> out = new TreeMap<>();
    feed.forEach((k, t) -> out.put(k, java.util.Arrays.toString(t.shape())));
    return out.toString();
  }

  /** An f32 tensor of seeded Gaussian values. */
  static Tensor random(long[] shape, long seed) {
    Tensor t = Tensor.zeros(DType.F32, shape);
    Random r = new Random(seed);
    long n = t.byteSize() / 4;
    for (long i = 0; i < n; i++) t.data().setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) r.nextGaussian());
    return t;
  }

  /** {@code text} written as {@code dir/name.wir}. */
  static Path wir(Path dir, String name, String text) throws Exception {
    Path p = dir.resolve(name + ".wir");
    Files.writeString(p, text);
    return p;
  }

  /** The model's non-initializer inputs, by name in graph order, from the corpus file's test_data_set_0. */
  static Map<String, Tensor> testInputs(OnnxModel model, Path f) throws Exception {
    Set<String> inits = new HashSet<>();
    for (var t : model.proto().getGraph().getInitializerList()) inits.add(t.getName());
    Map<String, Tensor> out = new LinkedHashMap<>();
    int k = 0;
    for (var vi : model.proto().getGraph().getInputList()) {
      if (inits.contains(vi.getName())) continue;
      out.put(vi.getName(), (Tensor) OnnxTestData.read(f.resolveSibling("test_data_set_0").resolve("input_" + k++ + ".pb"), vi.getType()));
    }
    return out;
  }

  /** SHA-256 of every file under {@code dir}, by relative path. */
  /** Compiles {@code model} twice with {@code shapes} and the kernel cache off, into {@code a} and {@code b}. */
  static void compileTwiceWithoutCache(Path model, String shapes, Path a, Path b) throws Exception {
    String before = System.getProperty("weft.cache");
    System.setProperty("weft.cache", "off");
    try {
      dev.weft.api.Weft.compile(model, cpu(shapes), a);
      dev.weft.api.Weft.compile(model, cpu(shapes), b);
    } finally {
      if (before == null) System.clearProperty("weft.cache");
      else System.setProperty("weft.cache", before);
    }
  }

  static Map<String, String> digests(Path dir) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    }
    return out;
  }
}
