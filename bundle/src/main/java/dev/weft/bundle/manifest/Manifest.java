package dev.weft.bundle.manifest;

import dev.weft.bundle.BundlePaths;
import dev.weft.bundle.DimExpr;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code manifest.json}: what a bundle is, what it needs, and the sha256 of every file in it.
 *
 * @param formatVersion {@link #FORMAT_VERSION}
 * @param compilerVersion the Weft version that wrote it
 * @param target what it was compiled for
 * @param toolchain the tools that built it and their run-time requirements
 * @param mesh the device mesh
 * @param inputs model inputs, in call order
 * @param outputs model outputs, in result order
 * @param profiles shape profiles (empty when every dim is static)
 * @param files sha256 hex of every file but the manifest, by path relative to the root, sorted
 * @param ranks one entry per rank, in rank order
 */
public record Manifest(int formatVersion, String compilerVersion, Target target, Toolchain toolchain, Mesh mesh,
    List<TensorSpec> inputs, List<TensorSpec> outputs, List<ShapeProfile> profiles, Map<String, String> files,
    List<RankEntry> ranks) {
  public static final int FORMAT_VERSION = 1;
  public static final String FILE_NAME = "manifest.json";

  public Manifest {
    Objects.requireNonNull(compilerVersion, "compilerVersion");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(toolchain, "toolchain");
    Objects.requireNonNull(mesh, "mesh");
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    profiles = List.copyOf(profiles);
    files = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(files));
    ranks = List.copyOf(ranks);
    String problem = validate(formatVersion, mesh, inputs, outputs, profiles, files, ranks);
    if (problem != null) throw new IllegalArgumentException(problem);
  }

  public static Builder builder() { return new Builder(); }

  /**
   * Collects a manifest's parts; {@link #build} validates. The file table is left empty:
   * {@code BundleWriter.finish} fills it with the files actually written.
   */
  public static final class Builder {
    private String compilerVersion = "unknown";
    private Target target;
    private Toolchain toolchain = Toolchain.of("unknown", Map.of(Toolchain.KERNEL_ABI, "1"));
    private Mesh mesh = Mesh.single();
    private final List<TensorSpec> inputs = new java.util.ArrayList<>();
    private final List<TensorSpec> outputs = new java.util.ArrayList<>();
    private final List<ShapeProfile> profiles = new java.util.ArrayList<>();
    private final List<RankEntry> ranks = new java.util.ArrayList<>();

    public Builder compilerVersion(String v) { compilerVersion = v; return this; }

    public Builder target(Target t) { target = t; return this; }

    public Builder toolchain(Toolchain t) { toolchain = t; return this; }

    public Builder mesh(Mesh m) { mesh = m; return this; }

    public Builder input(TensorSpec t) { inputs.add(t); return this; }

    public Builder output(TensorSpec t) { outputs.add(t); return this; }

    public Builder profile(ShapeProfile p) { profiles.add(p); return this; }

    public Builder rank(RankEntry r) { ranks.add(r); return this; }

    /** @throws IllegalArgumentException saying what is inconsistent */
    public Manifest build() {
      return new Manifest(FORMAT_VERSION, compilerVersion, Objects.requireNonNull(target, "target"), toolchain, mesh, inputs,
          outputs, profiles, Map.of(), ranks);
    }
  }

  /** The same manifest with another file table (what {@code BundleWriter} fills in). */
  public Manifest withFiles(Map<String, String> newFiles) {
    return new Manifest(formatVersion, compilerVersion, target, toolchain, mesh, inputs, outputs, profiles,
        new TreeMap<>(newFiles), ranks);
  }

  public RankEntry rank(int r) {
    if (r < 0 || r >= ranks.size()) throw new IllegalArgumentException("no rank " + r + " in a bundle of " + ranks.size());
    return ranks.get(r);
  }

  /** The symbolic dims the inputs use, in first-use order. */
  public List<String> symbols() {
    Set<String> out = new java.util.LinkedHashSet<>();
    for (TensorSpec t : inputs) for (DimExpr d : t.shape()) out.addAll(d.symbols());
    return List.copyOf(out);
  }

  private static String validate(int formatVersion, Mesh mesh, List<TensorSpec> inputs, List<TensorSpec> outputs,
      List<ShapeProfile> profiles, Map<String, String> files, List<RankEntry> ranks) {
    if (formatVersion != FORMAT_VERSION) {
      return "format_version " + formatVersion + " is not supported (this build reads version " + FORMAT_VERSION + ")";
    }
    Set<String> names = new HashSet<>();
    for (TensorSpec t : inputs) if (!names.add(t.name())) return "inputs: duplicate name \"" + t.name() + "\"";
    names.clear();
    for (TensorSpec t : outputs) if (!names.add(t.name())) return "outputs: duplicate name \"" + t.name() + "\"";
    Set<String> inputSymbols = new HashSet<>();
    for (TensorSpec t : inputs) for (DimExpr d : t.shape()) {
      if (!d.isStatic() && (d.factor() != 1 || d.symbols().size() != 1)) {
        return "inputs: \"" + t.name() + "\" has dim " + d + "; an input dim is a number or one symbol";
      }
      inputSymbols.addAll(d.symbols());
    }
    for (TensorSpec t : outputs) for (DimExpr d : t.shape()) for (String s : d.symbols()) {
      if (!inputSymbols.contains(s)) return "outputs: \"" + t.name() + "\" uses dim \"" + s + "\" that no input has";
    }
    if (!inputSymbols.isEmpty() && profiles.isEmpty()) return "profiles: the inputs have symbolic dims but there is no shape profile";
    names.clear();
    for (ShapeProfile p : profiles) {
      if (!names.add(p.name())) return "profiles: duplicate name \"" + p.name() + "\"";
      for (String s : inputSymbols) if (!p.dims().containsKey(s)) return "profiles: \"" + p.name() + "\" has no range for dim \"" + s + "\"";
      for (String s : p.dims().keySet()) if (!inputSymbols.contains(s)) return "profiles: \"" + p.name() + "\" names dim \"" + s + "\" that no input has";
    }
    for (Map.Entry<String, String> e : files.entrySet()) {
      String p = BundlePaths.problem(e.getKey());
      if (p != null) return "files: \"" + e.getKey() + "\": " + p;
      if (e.getKey().equals(FILE_NAME)) return "files: the manifest cannot list itself";
      if (!e.getValue().matches("[0-9a-f]{64}")) return "files: \"" + e.getKey() + "\": not a sha256 hex digest";
    }
    if (ranks.size() != mesh.worldSize()) {
      return "ranks: " + ranks.size() + " entries for a mesh of " + mesh.nodes() + "x" + mesh.devicesPerNode();
    }
    Set<Long> places = new HashSet<>();
    for (int i = 0; i < ranks.size(); i++) {
      RankEntry r = ranks.get(i);
      if (r.rank() != i) return "ranks[" + i + "]: rank " + r.rank() + " out of order";
      if (r.node() >= mesh.nodes() || r.device() >= mesh.devicesPerNode()) {
        return "ranks[" + i + "]: node " + r.node() + " device " + r.device() + " is outside the mesh";
      }
      if (!places.add(((long) r.node() << 32) | r.device())) return "ranks[" + i + "]: node and device used twice";
      String dp = BundlePaths.problem(r.dir());
      if (dp != null) return "ranks[" + i + "]: dir \"" + r.dir() + "\": " + dp;
      for (String f : r.files()) {
        if (!f.startsWith(r.dir() + "/")) return "ranks[" + i + "]: \"" + f + "\" is not inside " + r.dir();
        if (!files.isEmpty() && !files.containsKey(f)) return "ranks[" + i + "]: \"" + f + "\" is not in files";
      }
    }
    return null;
  }
}
