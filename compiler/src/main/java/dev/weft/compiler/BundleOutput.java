package dev.weft.compiler;

import dev.weft.bundle.BundleWriter;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.manifest.KernelImage;
import dev.weft.bundle.manifest.KernelStats;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.manifest.DimRange;
import dev.weft.bundle.manifest.Mesh;
import dev.weft.bundle.manifest.ShapeProfile;
import dev.weft.bundle.manifest.RankEntry;
import dev.weft.bundle.manifest.Target;
import dev.weft.bundle.manifest.TensorSpec;
import dev.weft.bundle.manifest.Toolchain;
import dev.weft.bundle.program.Buffer;
import dev.weft.bundle.program.BufferKind;
import dev.weft.bundle.program.Program;
import dev.weft.bundle.program.Step;
import dev.weft.ir.Graph;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a compilation as a bundle (DESIGN.md): manifest.json, ranks/0/{program.json, kernel
 * files, kernels.json with ptxas's per-kernel usage where ptxas ran, weights.safetensors}, ir/ after each stage. Nothing time- or path-dependent goes in,
 * so the same model and flags give the same bytes.
 */
public final class BundleOutput {
  public static final String COMPILER_VERSION = "0.1.0";

  private BundleOutput() {}

  public static Manifest write(Compiler.Compilation c, Path dir) {
    BundleWriter w = BundleWriter.create(dir);
    Program.Builder pb = Program.builder().arenaBytes(c.plan().arenaBytes());
    for (dev.weft.bundle.program.DimSource d : c.lowered().dims()) pb.dim(d.name(), d.from(), d.axis());
    for (Buffer b : c.plan().buffers()) pb.buffer(b);
    for (Step s : c.lowered().steps()) pb.step(s);
    w.writeProgram(0, pb.build());
    List<KernelImage> images = new ArrayList<>();
    for (KernelBackend.Image img : c.built().images()) {
      String rel = RankEntry.dirOf(0) + "/" + img.file();
      w.writeBytes(rel, img.bytes());
      images.add(new KernelImage(rel, img.format(), img.arch()));
    }
    if (!c.built().kernelStats().isEmpty()) {
      // ptxas's usage per kernel, beside the cubin it describes (hashed in the manifest like any file).
      w.writeString(RankEntry.dirOf(0) + "/" + KernelStats.FILE_NAME, KernelStats.write("ptxas", c.backend().arch(), c.built().kernelStats()));
    }
    Map<String, Tensor> weights = new LinkedHashMap<>(c.lowered().weights());
    boolean hasWeights = !weights.isEmpty();
    if (hasWeights) w.writeWeights(0, weights);
    for (Map.Entry<String, String> e : c.irAfterStage().entrySet()) w.writeString("ir/" + e.getKey() + ".wir", e.getValue());
    KernelBackend backend = c.backend();
    Map<String, String> tool = new TreeMap<>(c.built().toolchain());
    tool.put(Toolchain.KERNEL_ABI, "1");
    String fingerprint = "weft-" + COMPILER_VERSION + "+llvm-20.1.7";
    Manifest m = new Manifest(Manifest.FORMAT_VERSION, COMPILER_VERSION, Target.of(backend.kind(), backend.arch()),
        Toolchain.of(fingerprint, tool), Mesh.single(), inputSpecs(c), outputSpecs(c),
        profiles(c), Map.of(), List.of(RankEntry.standard(0, 0, images, hasWeights)));
    return w.finish(m);
  }

  /** One profile, "default", with the range dim's min..max; none when every dim is static. */
  private static List<ShapeProfile> profiles(Compiler.Compilation c) {
    if (c.range() == null || c.lowered().dims().isEmpty()) return List.of();
    if (c.ranges().size() < 2) return List.of(new ShapeProfile("default", Map.of(c.range().symbol(), DimRange.of(c.range().min(), c.range().max()))));
    Map<String, DimRange> dims = new TreeMap<>();
    for (ShapeBinding.RangeDim r : c.ranges()) dims.put(r.symbol(), DimRange.of(r.min(), r.max()));
    return List.of(new ShapeProfile("default", dims));
  }

  /** Inputs as the program declares them (the range dim symbolic). */
  private static List<TensorSpec> inputSpecs(Compiler.Compilation c) {
    List<TensorSpec> out = new ArrayList<>();
    for (Value v : c.module().main().inputs()) {
      Buffer b = bufferNamed(c, v.name());
      out.add(new TensorSpec(v.name(), b.dtype(), b.shape()));
    }
    return out;
  }

  private static Buffer bufferNamed(Compiler.Compilation c, String name) {
    for (Buffer b : c.plan().buffers()) if (b.name().equals(name)) return b;
    throw new IllegalStateException("no buffer " + name);
  }

  /** Outputs under the buffer names the program writes them to (an output listed twice keeps its first name). */
  private static List<TensorSpec> outputSpecs(Compiler.Compilation c) {
    Graph g = c.module().main();
    List<TensorSpec> out = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (Value v : g.outputs()) {
      if (seen.contains(v.name())) continue;
      seen.add(v.name());
      String name = v.name();
      for (Buffer b : c.plan().buffers()) {
        if (b.kind() == BufferKind.OUTPUT && (b.name().equals(name) || b.name().equals(name + "__out"))) name = b.name();
      }
      Buffer b = bufferNamed(c, name);
      out.add(new TensorSpec(name, b.dtype(), b.shape()));
    }
    return out;
  }



}
