package dev.weft.bundle.program;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.DimExpr;
import dev.weft.bundle.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ProgramJsonTest {
  static Program sample() {
    DimExpr batch = DimExpr.symbol("batch");
    return Program.builder().arenaBytes(1024)
        .buffer(Buffer.input("x", DType.F32, List.of(batch, DimExpr.of(4)), 512))
        .buffer(Buffer.weight("w", DType.BF16, Buffer.dims(4), 8))
        .buffer(Buffer.arena("t0", DType.F32, List.of(batch, DimExpr.of(4)), 512, 0))
        .buffer(Buffer.view("t0flat", DType.F32, List.of(new DimExpr(4, List.of("batch"))), 512, "t0", 0))
        .buffer(Buffer.output("y", DType.F32, List.of(batch), 128))
        .dim("batch", "x", 0)
        .launch("weft_g0", List.of("x", "w", "t0"), List.of("batch"), batch, Geometry.of(1, 128, 0), "fused_0",
            List.of("/Add", "/Mul"))
        .step(Step.Launch.host("weft_g1", List.of("t0flat", "y"), List.of("batch"), batch))
        .copy("t0", "y", new DimExpr(4, List.of("batch")))
        .step(new Step.Library("cublaslt", "matmul", List.of("x", "w", "t0"), List.of("batch"),
            new TreeMap<>(Map.of("trans_b", true, "alpha", 1.5, "layout", List.of("row", 2L)))))
        .step(new Step.Collective("all_reduce", List.of("t0"), List.of(0L, 1L), new TreeMap<>(Map.of("op", "sum"))))
        .build();
  }

  @Test
  void roundTripsExactly() {
    Program p = sample();
    String text = ProgramJson.write(p);
    Program back = ProgramJson.read("program.json", text.getBytes(StandardCharsets.UTF_8));
    assertEquals(p, back);
    assertEquals(text, ProgramJson.write(back));
  }

  @Test
  void writesTheDocumentedFields() {
    String text = ProgramJson.write(sample());
    assertTrue(text.contains("\"dtype\": \"bfloat16\""), text);
    assertTrue(text.contains("\"kind\": \"view\",\n      \"offset\": 0,\n      \"of\": \"t0\""), text);
    assertTrue(text.contains("\"shape\": [\n        \"4*batch\"\n      ]"), text);
    assertTrue(text.contains("\"grid\": [\n        1,\n        1,\n        1\n      ]"), text);
    assertTrue(text.startsWith("{\n  \"arena_bytes\": 1024,\n  \"buffers\": ["), text);
    assertTrue(text.endsWith("}\n"));
  }

  /** The example of docs/KERNELS.md (with one kind chosen per buffer) reads as documented. */
  @Test
  void readsTheKernelsMdExample() {
    String json = """
        {
          "arena_bytes": 1024,
          "buffers": [ {"name": "x", "dtype": "float32", "shape": [1, 128], "bytes": 512, "kind": "input"},
                       {"name": "t0", "dtype": "float32", "shape": [1, 128], "bytes": 512, "kind": "arena", "offset": 512},
                       {"name": "y", "dtype": "float32", "shape": [128], "bytes": 512, "kind": "view", "offset": 0, "of": "t0"},
                       {"name": "b", "dtype": "float32", "shape": [1, 128], "bytes": 512, "kind": "output"} ],
          "dims":    [],
          "steps":   [ {"op": "launch", "kernel": "weft_g3", "args": ["x", "t0", "y"], "dims": [],
                         "extent": 128, "grid": [1,1,1], "block": [128,1,1], "shared_bytes": 0,
                         "group": "fused_3", "nodes": ["/layer0/Add", "..."]},
                       {"op": "copy", "src": "y", "dst": "b", "bytes": 512} ]
        }
        """;
    Program p = ProgramJson.read("program.json", json.getBytes(StandardCharsets.UTF_8));
    assertEquals(4, p.buffers().size());
    Step.Launch l = (Step.Launch) p.steps().get(0);
    assertEquals(List.of(128L, 1L, 1L), l.geometry().block());
    assertEquals(DimExpr.of(128), l.extent());
    assertEquals(512, p.buffer("t0").offset());
  }

  private static String readError(String json) {
    return assertThrows(JsonException.class,
        () -> ProgramJson.read("ranks/0/program.json", json.getBytes(StandardCharsets.UTF_8))).getMessage();
  }

  private static final String BUFS = """
      "buffers": [{"name": "x", "dtype": "float32", "shape": [4], "bytes": 16, "kind": "input"},
                  {"name": "t", "dtype": "float32", "shape": [4], "bytes": 16, "kind": "arena", "offset": 0}]""";

  @Test
  void inconsistenciesNameFileAndPlace() {
    assertEquals("ranks/0/program.json: steps[0] (launch k): unknown buffer \"nope\"",
        readError("{\"arena_bytes\": 16, " + BUFS + ", \"dims\": [], \"steps\": [{\"op\": \"launch\", \"kernel\": \"k\","
            + " \"args\": [\"x\", \"nope\"], \"dims\": [], \"extent\": 4}]}"));
    assertEquals("ranks/0/program.json: buffers[1] (\"t\"): bytes [0, 16) lie outside the arena of 8 bytes",
        readError("{\"arena_bytes\": 8, " + BUFS + ", \"dims\": [], \"steps\": []}"));
    assertTrue(readError("{\"arena_bytes\": 16, " + BUFS + ", \"dims\": [], \"steps\": [], \"extra\": 1}")
        .startsWith("ranks/0/program.json: extra: unknown field"));
    assertEquals("ranks/0/program.json: steps[0].op: unknown step op \"jump\" (expected launch, copy, library, collective, if, loop or fail)",
        readError("{\"arena_bytes\": 16, " + BUFS + ", \"dims\": [], \"steps\": [{\"op\": \"jump\"}]}"));
    assertEquals("ranks/0/program.json: buffers[0].dtype: unknown dtype \"float33\"",
        readError("{\"arena_bytes\": 16, \"buffers\": [{\"name\": \"x\", \"dtype\": \"float33\", \"shape\": [4],"
            + " \"bytes\": 16, \"kind\": \"input\"}], \"dims\": [], \"steps\": []}"));
    assertTrue(readError("{\"arena_bytes\": 16, " + BUFS + ", \"dims\": [{\"name\": \"n\", \"from\": \"x\", \"axis\": 0}],"
        + " \"steps\": []}").contains("dims[0] (\"n\"): \"x\" axis 0 is 4, not n"));
    assertTrue(readError("{\"arena_bytes\": 16, " + BUFS + ", \"dims\": [], \"steps\": [{\"op\": \"copy\", \"src\": \"x\","
        + " \"dst\": \"t\", \"bytes\": 32}]}").contains("copies 32 bytes"));
  }

  /** A cooperative launch (a warp per work item) keeps items_per_block; thread-per-item launches never write it. */
  @Test
  void itemsPerBlockRoundTripsAndIsValidated() {
    Program p = Program.builder().arenaBytes(16)
        .buffer(Buffer.input("x", DType.F32, Buffer.dims(4), 16))
        .buffer(Buffer.output("y", DType.F32, Buffer.dims(4), 16))
        .launch("weft_g0", List.of("x", "y"), List.of(), DimExpr.of(4), Geometry.of(1, 256, 0, 8), "g", List.of())
        .build();
    String text = ProgramJson.write(p);
    assertTrue(text.contains("\"items_per_block\": 8"), text);
    Program back = ProgramJson.read("program.json", text.getBytes(StandardCharsets.UTF_8));
    assertEquals(p, back);
    assertEquals(8, ((Step.Launch) back.steps().get(0)).geometry().itemsPerBlock());
    assertTrue(!ProgramJson.write(sample()).contains("items_per_block"));
    assertEquals(128, ((Step.Launch) sample().steps().get(0)).geometry().itemsPerBlock());
    String bad = text.replace("\"items_per_block\": 8", "\"items_per_block\": 3");
    assertTrue(readError(bad).contains("items_per_block must divide block x 256, got 3"), readError(bad));
  }

  static Program controlFlow() {
    return Program.builder().arenaBytes(256)
        .buffer(Buffer.input("flag", DType.BOOL, Buffer.dims(1), 1))
        .buffer(Buffer.input("n", DType.I64, List.of(), 8))
        .buffer(Buffer.input("x", DType.F32, Buffer.dims(4), 16))
        .buffer(Buffer.arena("t", DType.F32, Buffer.dims(4), 16, 0))
        .buffer(Buffer.arena("it", DType.I64, List.of(), 8, 64))
        .buffer(Buffer.arena("cond", DType.BOOL, List.of(), 1, 128))
        .buffer(Buffer.output("y", DType.F32, Buffer.dims(2, 4), 32))
        .step(new Step.If("flag",
            List.of(Step.Launch.host("weft_g0", List.of("x", "t"), List.of(), DimExpr.of(4)),
                new Step.If("flag", List.of(), List.of(new Step.Copy("x", "t", DimExpr.of(16))))),
            List.of(new Step.Copy("x", "t", DimExpr.of(16)))))
        .step(new Step.Loop("n", "cond", "it", List.of(Step.Launch.host("weft_g1", List.of("t", "it", "cond"), List.of(), DimExpr.of(4))),
            List.of(new Step.Scan("t", "y", 16))))
        .step(new Step.Loop(null, "cond", null, List.of(), List.of()))
        .build();
  }

  @Test
  void ifAndLoopStepsRoundTrip() {
    Program p = controlFlow();
    String text = ProgramJson.write(p);
    assertEquals(p, ProgramJson.read("program.json", text.getBytes(StandardCharsets.UTF_8)));
    assertEquals(text, ProgramJson.write(ProgramJson.read("program.json", text.getBytes(StandardCharsets.UTF_8))));
    assertTrue(text.contains("\"op\": \"if\",\n      \"cond\": \"flag\",\n      \"then\": ["), text);
    assertTrue(text.contains("\"max_trips\": \"n\""), text);
    assertTrue(text.contains("\"scans\": [\n        {\n          \"src\": \"t\""), text);
    // liveness sees every buffer touched inside; nested steps flatten in run order
    assertEquals(List.of("flag", "x", "t"), p.steps().get(0).buffers());
    assertEquals(List.of("if", "launch", "if", "copy", "copy", "loop", "launch", "loop"),
        Step.flatten(p.steps()).stream().map(Step::op).toList());
  }

  private static final String CF_BUFS = """
      "buffers": [{"name": "x", "dtype": "float32", "shape": [4], "bytes": 16, "kind": "input"},
                  {"name": "c", "dtype": "bool", "shape": [], "bytes": 1, "kind": "input"},
                  {"name": "t", "dtype": "float32", "shape": [4], "bytes": 16, "kind": "arena", "offset": 0}]""";

  private static String cf(String steps) { return "{\"arena_bytes\": 16, " + CF_BUFS + ", \"dims\": [], \"steps\": [" + steps + "]}"; }

  @Test
  void malformedControlStepsNameTheField() {
    assertTrue(readError(cf("{\"op\": \"if\", \"then\": [], \"else\": []}")).startsWith("ranks/0/program.json: steps[0].cond"));
    assertEquals("ranks/0/program.json: steps[0].else[0] (copy): unknown buffer \"nope\"",
        readError(cf("{\"op\": \"if\", \"cond\": \"c\", \"then\": [], \"else\": [{\"op\": \"copy\", \"src\": \"x\","
            + " \"dst\": \"nope\", \"bytes\": 16}]}")));
    assertEquals("ranks/0/program.json: steps[0] (if): cond \"x\" is f32, expected bool or an integer",
        readError(cf("{\"op\": \"if\", \"cond\": \"x\", \"then\": [], \"else\": []}")));
    assertTrue(readError(cf("{\"op\": \"loop\", \"body\": []}")).contains("steps[0]: a loop needs max_trips or cond"));
    assertEquals("ranks/0/program.json: steps[0] (loop): max_trips \"c\" is bool, expected i64",
        readError(cf("{\"op\": \"loop\", \"max_trips\": \"c\", \"body\": []}")));
    assertTrue(readError(cf("{\"op\": \"loop\", \"cond\": \"c\", \"body\": [], \"scans\": [{\"src\": \"t\", \"dst\": \"x\","
        + " \"bytes\": 32}]}")).contains("steps[0] (loop): scans[0] copies 32 bytes, more than \"t\" holds"));
    assertTrue(readError(cf("{\"op\": \"if\", \"cond\": \"c\", \"then\": [], \"else\": [], \"otherwise\": []}"))
        .startsWith("ranks/0/program.json: steps[0].otherwise: unknown field"));
    StringBuilder deep = new StringBuilder();
    for (int i = 0; i < 40; i++) deep.append("{\"op\": \"if\", \"cond\": \"c\", \"else\": [], \"then\": [");
    deep.append("]}".repeat(40));
    String tooDeep = readError(cf(deep.toString()));
    assertTrue(tooDeep.contains("nest"), tooDeep);   // the JSON reader's own depth limit may answer first
  }

  @Test
  void failStepRoundTripsAndIsValidated() {
    Program p = Program.builder().arenaBytes(16)
        .buffer(Buffer.input("c", DType.BOOL, List.of(), 1))
        .buffer(Buffer.input("x", DType.F32, Buffer.dims(4), 16))
        .buffer(Buffer.output("y", DType.F32, Buffer.dims(4), 16))
        .step(new Step.If("c", List.of(new Step.Copy("x", "y", DimExpr.of(16))), List.of(new Step.Fail("If_0 else branch was not compiled"))))
        .build();
    String text = ProgramJson.write(p);
    assertTrue(text.contains("\"op\": \"fail\",\n          \"message\": \"If_0 else branch was not compiled\""), text);
    assertEquals(p, ProgramJson.read("program.json", text.getBytes(StandardCharsets.UTF_8)));
    assertEquals(text, ProgramJson.write(ProgramJson.read("program.json", text.getBytes(StandardCharsets.UTF_8))));
    assertEquals(List.of(), new Step.Fail("m").buffers());
    assertTrue(readError(cf("{\"op\": \"fail\"}")).startsWith("ranks/0/program.json: steps[0].message"),
        readError(cf("{\"op\": \"fail\"}")));
    assertTrue(readError(cf("{\"op\": \"fail\", \"message\": \" \"}")).contains("fail step without a message"));
    assertTrue(readError(cf("{\"op\": \"fail\", \"message\": \"m\", \"args\": []}"))
        .startsWith("ranks/0/program.json: steps[0].args: unknown field"));
  }

  @Test
  void viewCyclesAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Program.builder().arenaBytes(0)
        .buffer(Buffer.view("a", DType.F32, Buffer.dims(1), 4, "b", 0))
        .buffer(Buffer.view("b", DType.F32, Buffer.dims(1), 4, "a", 0)).build());
    assertTrue(e.getMessage().contains("views form a cycle"), e.getMessage());
  }

  @Test
  void staticBytesMustCoverTheShape() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Program.builder().arenaBytes(64)
        .buffer(Buffer.arena("a", DType.F32, Buffer.dims(4, 4), 32, 0)).build());
    assertEquals("buffers[0] (\"a\"): bytes 32 is less than the 64 its shape needs", e.getMessage());
  }
}
