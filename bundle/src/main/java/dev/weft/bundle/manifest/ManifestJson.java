package dev.weft.bundle.manifest;

import dev.weft.bundle.DType;
import dev.weft.bundle.DTypeNames;
import dev.weft.bundle.DimExpr;
import dev.weft.bundle.Json;
import dev.weft.bundle.json.JsonException;
import dev.weft.bundle.json.JsonFields;
import dev.weft.bundle.json.JsonReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes {@code manifest.json}. Writing is deterministic (fixed key order, sorted
 * maps, two-space indentation, final newline); reading is strict and every error names
 * {@code manifest.json} and the field path.
 */
public final class ManifestJson {
  private ManifestJson() {}

  public static String write(Manifest m) {
    Json.Obj root = new Json.Obj()
        .put("format_version", (long) m.formatVersion())
        .put("compiler_version", m.compilerVersion())
        .put("target", new Json.Obj().put("kind", m.target().kind()).put("arch", m.target().arch())
            .put("options", stringMap(m.target().options())))
        .put("toolchain", new Json.Obj().put("fingerprint", m.toolchain().fingerprint())
            .put("components", stringMap(m.toolchain().components())))
        .put("mesh", new Json.Obj().put("nodes", (long) m.mesh().nodes()).put("devices_per_node", (long) m.mesh().devicesPerNode()))
        .put("inputs", specs(m.inputs()))
        .put("outputs", specs(m.outputs()));
    Json.Arr profiles = new Json.Arr();
    for (ShapeProfile p : m.profiles()) {
      Json.Obj dims = new Json.Obj();
      p.dims().forEach((k, r) -> dims.put(k, new Json.Obj().put("min", r.min()).put("opt", r.opt()).put("max", r.max())));
      profiles.add(new Json.Obj().put("name", p.name()).put("dims", dims));
    }
    root.put("profiles", profiles);
    root.put("files", stringMap(m.files()));
    Json.Arr ranks = new Json.Arr();
    for (RankEntry r : m.ranks()) {
      Json.Arr kernels = new Json.Arr();
      for (KernelImage k : r.kernels()) kernels.add(new Json.Obj().put("path", k.path()).put("format", k.format()).put("arch", k.arch()));
      Json.Obj o = new Json.Obj().put("rank", (long) r.rank()).put("node", (long) r.node()).put("device", (long) r.device())
          .put("dir", r.dir()).put("program", r.program()).put("kernels", kernels);
      if (r.weights() != null) o.put("weights", r.weights());
      ranks.add(o);
    }
    root.put("ranks", ranks);
    return root + "\n";
  }

  public static byte[] writeBytes(Manifest m) { return write(m).getBytes(StandardCharsets.UTF_8); }

  private static Json.Obj stringMap(Map<String, String> m) {
    Json.Obj o = new Json.Obj();
    new TreeMap<>(m).forEach(o::put);
    return o;
  }

  private static Json.Arr specs(List<TensorSpec> specs) {
    Json.Arr a = new Json.Arr();
    for (TensorSpec t : specs) {
      Json.Arr shape = new Json.Arr();
      for (DimExpr d : t.shape()) shape.add(d.toJson());
      a.add(new Json.Obj().put("name", t.name()).put("dtype", DTypeNames.of(t.dtype())).put("shape", shape));
    }
    return a;
  }

  public static Manifest read(byte[] json) { return read(Manifest.FILE_NAME, json); }

  public static Manifest read(String file, byte[] json) {
    JsonFields root = JsonFields.root(file, JsonReader.parse(file, json));
    // The version is checked first so a newer bundle says so instead of "unknown field".
    long version = root.integer("format_version");
    if (version != Manifest.FORMAT_VERSION) {
      throw root.error("format_version", "bundle format " + version + " is not supported (this runtime reads format "
          + Manifest.FORMAT_VERSION + ")");
    }
    root.allowOnly("format_version", "compiler_version", "target", "toolchain", "mesh", "inputs", "outputs", "profiles",
        "files", "ranks");
    JsonFields t = root.object("target").allowOnly("kind", "arch", "options");
    Target target = new Target(t.string("kind"), t.string("arch"), new TreeMap<>(t.has("options") ? t.stringMap("options") : Map.of()));
    JsonFields tc = root.object("toolchain").allowOnly("fingerprint", "components");
    Toolchain toolchain = new Toolchain(tc.string("fingerprint"),
        new TreeMap<>(tc.has("components") ? tc.stringMap("components") : Map.of()));
    JsonFields me = root.object("mesh").allowOnly("nodes", "devices_per_node");
    Mesh mesh = guard(me, () -> new Mesh(me.intCount("nodes"), me.intCount("devices_per_node")));
    List<TensorSpec> inputs = specs(root, "inputs");
    List<TensorSpec> outputs = specs(root, "outputs");
    List<ShapeProfile> profiles = new ArrayList<>();
    for (JsonFields p : root.objects("profiles")) {
      p.allowOnly("name", "dims");
      JsonFields dims = p.object("dims");
      TreeMap<String, DimRange> ranges = new TreeMap<>();
      for (String k : dims.keys()) {
        JsonFields r = dims.object(k).allowOnly("min", "opt", "max");
        long max = r.count("max");
        ranges.put(k, guard(r, () -> new DimRange(r.count("min"), r.has("opt") ? r.count("opt") : max, max)));
      }
      profiles.add(new ShapeProfile(p.string("name"), ranges));
    }
    Map<String, String> files = root.stringMap("files");
    List<RankEntry> ranks = new ArrayList<>();
    for (JsonFields r : root.objects("ranks")) {
      r.allowOnly("rank", "node", "device", "dir", "program", "kernels", "weights");
      List<KernelImage> kernels = new ArrayList<>();
      for (JsonFields k : r.objects("kernels")) {
        k.allowOnly("path", "format", "arch");
        kernels.add(new KernelImage(k.string("path"), k.string("format"), k.string("arch")));
      }
      ranks.add(guard(r, () -> new RankEntry(r.intCount("rank"), r.intCount("node"), r.intCount("device"), r.string("dir"),
          r.string("program"), kernels, r.has("weights") ? r.string("weights") : null)));
    }
    try {
      return new Manifest((int) version, root.string("compiler_version"), target, toolchain, mesh, inputs, outputs,
          profiles, new TreeMap<>(files), ranks);
    } catch (IllegalArgumentException e) {
      throw new JsonException(file + ": " + e.getMessage());
    }
  }

  private static List<TensorSpec> specs(JsonFields root, String key) {
    List<TensorSpec> out = new ArrayList<>();
    for (JsonFields s : root.objects(key)) {
      s.allowOnly("name", "dtype", "shape");
      String name = s.string("dtype");
      DType dtype = DTypeNames.parse(name);
      if (dtype == null) throw s.error("dtype", "unknown dtype \"" + name + "\"");
      List<Object> items = s.array("shape");
      List<DimExpr> shape = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        try {
          shape.add(DimExpr.fromJson(items.get(i)));
        } catch (IllegalArgumentException e) {
          throw s.error("shape[" + i + "]", e.getMessage());
        }
      }
      out.add(new TensorSpec(s.string("name"), dtype, shape));
    }
    return out;
  }

  private static <T> T guard(JsonFields f, java.util.function.Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      throw f.error(e.getMessage());
    }
  }
}
