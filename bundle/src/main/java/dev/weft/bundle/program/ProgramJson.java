package dev.weft.bundle.program;

import dev.weft.bundle.DType;
import dev.weft.bundle.DTypeNames;
import dev.weft.bundle.DimExpr;
import dev.weft.bundle.Json;
import dev.weft.bundle.json.JsonException;
import dev.weft.bundle.json.JsonFields;
import dev.weft.bundle.json.JsonReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes {@code program.json}. Writing is deterministic: fixed key order, fields a
 * kind of buffer or step does not use left out, two-space indentation, a final newline.
 * Reading is strict: unknown fields, unknown ops and inconsistencies are errors naming the file
 * and the field path.
 */
public final class ProgramJson {
  private ProgramJson() {}

  public static String write(Program p) {
    Json.Obj root = new Json.Obj().put("arena_bytes", p.arenaBytes());
    Json.Arr bufs = new Json.Arr();
    for (Buffer b : p.buffers()) {
      Json.Obj o = new Json.Obj().put("name", b.name()).put("dtype", DTypeNames.of(b.dtype()))
          .put("shape", shape(b.shape())).put("bytes", b.bytes()).put("kind", b.kind().jsonName());
      if (b.kind() == BufferKind.ARENA || b.kind() == BufferKind.VIEW) o.put("offset", b.offset());
      if (b.of() != null) o.put("of", b.of());
      bufs.add(o);
    }
    root.put("buffers", bufs);
    Json.Arr dims = new Json.Arr();
    for (DimSource d : p.dims()) dims.add(new Json.Obj().put("name", d.name()).put("from", d.from()).put("axis", (long) d.axis()));
    root.put("dims", dims);
    Json.Arr steps = new Json.Arr();
    for (Step s : p.steps()) steps.add(step(s));
    root.put("steps", steps);
    return root + "\n";
  }

  public static byte[] writeBytes(Program p) { return write(p).getBytes(StandardCharsets.UTF_8); }

  private static Json.Arr shape(List<DimExpr> shape) {
    Json.Arr a = new Json.Arr();
    for (DimExpr d : shape) a.add(d.toJson());
    return a;
  }

  private static Json.Obj step(Step s) {
    Json.Obj o = new Json.Obj().put("op", s.op());
    switch (s) {
      case Step.Launch l -> {
        o.put("kernel", l.kernel()).put("args", Json.strings(l.args())).put("dims", Json.strings(l.dims()))
            .put("extent", l.extent().toJson());
        if (l.geometry() != null) {
          o.put("grid", Json.longs(l.geometry().grid())).put("block", Json.longs(l.geometry().block()))
              .put("shared_bytes", l.geometry().sharedBytes());
          // Written only for cooperative kernels, so thread-per-item programs read as before.
          if (!l.geometry().threadPerItem()) o.put("items_per_block", l.geometry().itemsPerBlock());
        }
        o.put("group", l.group()).put("nodes", Json.strings(l.nodes()));
      }
      case Step.Copy c -> o.put("src", c.src()).put("dst", c.dst()).put("bytes", c.bytes().toJson());
      case Step.Library l -> o.put("library", l.library()).put("call", l.call()).put("args", Json.strings(l.args()))
          .put("dims", Json.strings(l.dims())).put("attrs", Json.fromValue(new LinkedHashMap<>(l.attrs())));
      case Step.Collective c -> o.put("collective", c.collective()).put("args", Json.strings(c.args()))
          .put("ranks", Json.longs(c.ranks())).put("attrs", Json.fromValue(new LinkedHashMap<>(c.attrs())));
      case Step.Fail f -> o.put("message", f.message());
      case Step.If i -> o.put("cond", i.cond()).put("then", steps(i.then())).put("else", steps(i.otherwise()));
      case Step.Loop l -> {
        if (l.maxTrips() != null) o.put("max_trips", l.maxTrips());
        if (l.cond() != null) o.put("cond", l.cond());
        if (l.iter() != null) o.put("iter", l.iter());
        o.put("body", steps(l.body()));
        Json.Arr scans = new Json.Arr();
        for (Step.Scan sc : l.scans()) scans.add(new Json.Obj().put("src", sc.src()).put("dst", sc.dst()).put("bytes", sc.bytes()));
        o.put("scans", scans);
      }
    }
    return o;
  }

  private static Json.Arr steps(List<Step> steps) {
    Json.Arr a = new Json.Arr();
    for (Step s : steps) a.add(step(s));
    return a;
  }

  /** Parses and validates; {@code file} names the file in every error. */
  public static Program read(String file, byte[] json) {
    JsonFields root = JsonFields.root(file, JsonReader.parse(file, json));
    root.allowOnly("arena_bytes", "buffers", "dims", "steps");
    long arena = root.count("arena_bytes");
    List<Buffer> buffers = new ArrayList<>();
    for (JsonFields b : root.objects("buffers")) buffers.add(buffer(b));
    List<DimSource> dims = new ArrayList<>();
    for (JsonFields d : root.objects("dims")) {
      d.allowOnly("name", "from", "axis");
      dims.add(guard(d, () -> new DimSource(d.string("name"), d.string("from"), d.intCount("axis"))));
    }
    List<Step> steps = steps(root, "steps", 0);
    try {
      return new Program(arena, buffers, dims, steps);
    } catch (IllegalArgumentException e) {
      throw new JsonException(file + ": " + e.getMessage());
    }
  }

  private static Buffer buffer(JsonFields b) {
    b.allowOnly("name", "dtype", "shape", "bytes", "kind", "offset", "of");
    String kindName = b.string("kind");
    BufferKind kind = BufferKind.parse(kindName);
    if (kind == null) throw b.error("kind", "unknown buffer kind \"" + kindName + "\"");
    DType dtype = dtype(b, "dtype");
    List<DimExpr> shape = dimList(b, "shape");
    long bytes = b.count("bytes");
    long offset = b.optInteger("offset", 0);
    String of = b.has("of") ? b.string("of") : null;
    return guard(b, () -> new Buffer(b.string("name"), dtype, shape, bytes, kind, offset, of));
  }

  /**
   * Nested step lists (if branches, loop bodies) deeper than this are refused: the reader
   * recurses, and a crafted file must not overflow the stack (RELIABILITY.md 10).
   */
  static final int MAX_NESTING = 32;

  private static List<Step> steps(JsonFields parent, String key, int depth) {
    if (depth > MAX_NESTING) throw parent.error(key, "steps nested deeper than " + MAX_NESTING + " levels");
    List<Step> steps = new ArrayList<>();
    for (JsonFields s : parent.objects(key)) steps.add(step(s, depth));
    return steps;
  }

  private static Step step(JsonFields s, int depth) {
    String op = s.string("op");
    return switch (op) {
      case "launch" -> {
        s.allowOnly("op", "kernel", "args", "dims", "extent", "grid", "block", "shared_bytes", "items_per_block", "group", "nodes");
        Geometry g = null;
        if (s.has("grid") || s.has("block")) {
          List<Long> grid = s.integers("grid");
          List<Long> block = s.integers("block");
          long shared = s.optInteger("shared_bytes", 0);
          long items = s.optInteger("items_per_block", block.isEmpty() ? 1 : block.get(0));
          g = guard(s, () -> new Geometry(grid, block, shared, items));
        } else if (s.has("shared_bytes")) {
          throw s.error("shared_bytes", "given without grid and block");
        } else if (s.has("items_per_block")) {
          throw s.error("items_per_block", "given without grid and block");
        }
        Geometry geometry = g;
        DimExpr extent = dim(s, "extent");
        yield guard(s, () -> new Step.Launch(s.string("kernel"), s.strings("args"), s.strings("dims"), extent, geometry,
            s.optString("group", ""), s.has("nodes") ? s.strings("nodes") : List.of()));
      }
      case "copy" -> {
        s.allowOnly("op", "src", "dst", "bytes");
        DimExpr bytes = dim(s, "bytes");
        yield guard(s, () -> new Step.Copy(s.string("src"), s.string("dst"), bytes));
      }
      case "library" -> {
        s.allowOnly("op", "library", "call", "args", "dims", "attrs");
        Map<String, Object> attrs = s.has("attrs") ? attrs(s) : Map.of();
        yield guard(s, () -> new Step.Library(s.string("library"), s.string("call"), s.strings("args"),
            s.has("dims") ? s.strings("dims") : List.of(), new TreeMap<>(attrs)));
      }
      case "collective" -> {
        s.allowOnly("op", "collective", "args", "ranks", "attrs");
        Map<String, Object> attrs = s.has("attrs") ? attrs(s) : Map.of();
        yield guard(s, () -> new Step.Collective(s.string("collective"), s.strings("args"), s.integers("ranks"),
            new TreeMap<>(attrs)));
      }
      case "if" -> {
        s.allowOnly("op", "cond", "then", "else");
        String cond = s.string("cond");
        List<Step> then = steps(s, "then", depth + 1);
        List<Step> otherwise = steps(s, "else", depth + 1);
        yield guard(s, () -> new Step.If(cond, then, otherwise));
      }
      case "fail" -> {
        s.allowOnly("op", "message");
        yield guard(s, () -> new Step.Fail(s.string("message")));
      }
      case "loop" -> {
        s.allowOnly("op", "max_trips", "cond", "iter", "body", "scans");
        String max = s.has("max_trips") ? s.string("max_trips") : null;
        String cond = s.has("cond") ? s.string("cond") : null;
        String iter = s.has("iter") ? s.string("iter") : null;
        List<Step> body = steps(s, "body", depth + 1);
        List<Step.Scan> scans = new ArrayList<>();
        if (s.has("scans")) {
          for (JsonFields sc : s.objects("scans")) {
            sc.allowOnly("src", "dst", "bytes");
            long bytes = sc.count("bytes");
            scans.add(guard(sc, () -> new Step.Scan(sc.string("src"), sc.string("dst"), bytes)));
          }
        }
        yield guard(s, () -> new Step.Loop(max, cond, iter, body, scans));
      }
      default -> throw s.error("op", "unknown step op \"" + op + "\" (expected launch, copy, library, collective, if, loop or fail)");
    };
  }

  private static Map<String, Object> attrs(JsonFields s) {
    JsonFields a = s.object("attrs");
    Map<String, Object> m = new LinkedHashMap<>();
    for (String k : a.keys()) m.put(k, a.raw(k));
    return m;
  }

  static DType dtype(JsonFields f, String key) {
    String name = f.string(key);
    DType t = DTypeNames.parse(name);
    if (t == null) throw f.error(key, "unknown dtype \"" + name + "\"");
    return t;
  }

  static DimExpr dim(JsonFields f, String key) {
    try {
      return DimExpr.fromJson(f.raw(key));
    } catch (IllegalArgumentException e) {
      throw f.error(key, e.getMessage());
    }
  }

  static List<DimExpr> dimList(JsonFields f, String key) {
    List<Object> items = f.array(key);
    List<DimExpr> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      try {
        out.add(DimExpr.fromJson(items.get(i)));
      } catch (IllegalArgumentException e) {
        throw f.error(key + "[" + i + "]", e.getMessage());
      }
    }
    return out;
  }

  /** Runs a record constructor, turning its IllegalArgumentException into an error at this path. */
  static <T> T guard(JsonFields f, java.util.function.Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw f.error(e.getMessage());
    }
  }
}
