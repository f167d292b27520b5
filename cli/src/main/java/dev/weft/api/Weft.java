package dev.weft.api;

import dev.weft.bundle.Tensor;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.cli.ModelLoader;
import dev.weft.compiler.BundleOutput;
import dev.weft.compiler.CompileOptions;
import dev.weft.compiler.Compiler;
import dev.weft.compiler.ShapeProfile;
import dev.weft.ir.Module;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The embedding API, what the CLI itself calls:
 * <pre>{@code
 * Weft.compile(Path.of("model.onnx"), new CompileOptions("cpu", ShapeProfile.parse("x=1x128"), null, "fp32"), Path.of("out"));
 * try (Bundle b = Bundle.load(Path.of("out")); Session s = b.session("cpu")) {
 *   Map<String, Tensor> y = s.run(Map.of("x", x));
 * }
 * }</pre>
 * ({@code Bundle} and {@code Session} are the runtime's, in {@code dev.weft.runtime}.)
 */
public final class Weft {
  private Weft() {}

  /** Compiles a .onnx, .pt or .wir model into a bundle folder; returns its manifest. */
  public static Manifest compile(Path model, CompileOptions options, Path outDir) {
    return compile(model, options, outDir, null);
  }

  public static Manifest compile(Path model, CompileOptions options, Path outDir, Consumer<String> progress) {
    Compiler.Compilation c = Compiler.compile(load(model, options.shapes(), null), options, progress);
    return BundleOutput.write(c, outDir);
  }

  /** Loads a model; TorchScript needs input types, taken from {@code given} tensors or the shape profile (f32). */
  public static Module load(Path model, ShapeProfile shapes, List<Tensor> given) {
    if (ModelLoader.formatOf(model) != ModelLoader.Format.TORCHSCRIPT) return ModelLoader.load(model);
    List<TensorType> types = new ArrayList<>();
    if (given != null) {
      for (Tensor t : given) types.add(new TensorType(t.dtype(), Shape.of(t.shape())));
    } else {
      for (long[] s : shapes.shapes().values()) types.add(new TensorType(dev.weft.bundle.DType.F32, Shape.of(s)));
    }
    return ModelLoader.load(model, types);
  }

  /** A shape profile that fixes every input to the given tensors' shapes (compile-on-the-fly for `weft run`). */
  public static ShapeProfile profileOf(List<String> names, List<Tensor> tensors) {
    java.util.Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
    for (int i = 0; i < names.size() && i < tensors.size(); i++) shapes.put(names.get(i), tensors.get(i).shape());
    return new ShapeProfile(shapes, shapes);
  }

  /** A bundle compiled into a temporary folder, deleted on close. */
  public record TempBundle(Path dir, double compileMillis) implements AutoCloseable {
    @Override
    public void close() {
      try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  /** Compiles {@code m} for {@code target}, specialized on the shapes of {@code given} (one tensor per graph input), into a temporary bundle. */
  public static TempBundle compileFor(Module m, String target, List<Tensor> given) {
    List<String> names = m.main().inputs().stream().map(dev.weft.ir.Value::name).toList();
    CompileOptions options = new CompileOptions(target, profileOf(names, given), null, "fp32");
    Path dir;
    try {
      dir = java.nio.file.Files.createTempDirectory("weft-bundle");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    TempBundle out = null;
    try {
      long t0 = System.nanoTime();
      BundleOutput.write(Compiler.compile(m, options, null), dir);
      out = new TempBundle(dir, (System.nanoTime() - t0) / 1e6);
      return out;
    } finally {
      if (out == null) new TempBundle(dir, 0).close();
    }
  }
}
