package dev.weft.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.text.WirParser;
import dev.weft.passes.instrument.DumpDir;
import dev.weft.passes.instrument.PrintIr;
import dev.weft.passes.instrument.Timing;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipelines as strings, typed errors, verifier between passes, instruments and the crash reproducer. */
class PassManagerTest {
  @TempDir Path tmp;

  static final String MODEL = """
      graph @g(%x: f32[4]) -> (%y) {
        %zero = constant() {value = dense<f32[]> [0.0]}
        %a = add(%x, %zero)
        %b = mul(%x, %x)
        %y = exp(%a)
      }
      """;

  static Module model() { return new WirParser().parse(MODEL, "m.wir"); }

  /** A pass that records a wrong type: the result of exp claims 5 elements, inference says 4. */
  static final PassInfo BREAKER = PassInfo.of("break-ir", "test: records a wrong result type", o -> Pass.of("break-ir", (m, c) -> {
    List<Node> nodes = m.main().nodes();
    nodes.get(nodes.size() - 1).output(0).setType(dev.weft.ir.TensorType.of(dev.weft.bundle.DType.F32, 5));
    return true;
  }));

  static final PassInfo THROWER = PassInfo.of("throw", "test: throws", o -> Pass.of("throw", (m, c) -> {
    throw new IllegalStateException("boom");
  }));

  static PassRegistry registry() { return PassRegistry.withExtra(List.of(BREAKER, THROWER)); }

  @Test
  void pipelineTextRoundTrips() {
    Pipeline p = Pipeline.parse(" canonicalize , constant-fold{max-bytes=4096},dce ");
    assertEquals("canonicalize,constant-fold{max-bytes=4096},dce", p.toString());
    assertEquals(p, Pipeline.parse(p.toString()));
    assertEquals(Map.of("max-bytes", "4096"), p.entries().get(1).options());
    assertTrue(Pipeline.parse("").entries().isEmpty());
  }

  @Test
  void badPipelineTextNamesTheColumn() {
    PipelineException e = assertThrows(PipelineException.class, () -> Pipeline.parse("cse,,dce"));
    assertEquals("pipeline 'cse,,dce': expected a pass name at column 5, found ','", e.getMessage());
    assertThrows(PipelineException.class, () -> Pipeline.parse("constant-fold{max-bytes}"));
  }

  @Test
  void unknownPassListsTheKnownOnes() {
    PipelineException e = assertThrows(PipelineException.class, () -> PassManager.parse("canonicalize,cse-all"));
    assertTrue(e.getMessage().startsWith("unknown pass 'cse-all'; known passes: "), e.getMessage());
    for (String p : List.of("canonicalize", "constant-fold", "cse", "dce", "fold-batchnorm", "fold-shapes")) {
      assertTrue(e.getMessage().contains(p), e.getMessage());
    }
  }

  @Test
  void unknownOptionListsThePassOptions() {
    PipelineException e = assertThrows(PipelineException.class, () -> PassManager.parse("constant-fold{max-size=3}"));
    assertEquals("pass 'constant-fold' has no option 'max-size'; its options: max-bytes", e.getMessage());
    PipelineException bad = assertThrows(PipelineException.class, () -> PassManager.parse("constant-fold{max-bytes=lots}"));
    assertEquals("pass 'constant-fold': option max-bytes=lots is not an integer", bad.getMessage());
  }

  @Test
  void verifierNamesThePassThatBrokeTheIr() {
    PassManager pm = new PassManager(registry(), Pipeline.parse("canonicalize,break-ir,dce"));
    PassException e = assertThrows(PassException.class, () -> pm.run(model(), new PassContext()));
    assertTrue(e.getMessage().startsWith("pass 'break-ir' broke the IR: "), e.getMessage());
    assertEquals("break-ir", e.pass());
  }

  @Test
  void withoutVerificationTheBreakGoesUnnoticedByTheManager() {
    PassManager pm = new PassManager(registry(), Pipeline.parse("break-ir"));
    pm.run(model(), new PassContext().verify(false));   // no exception: the check is what catches it
  }

  @Test
  void reproducerHoldsThePassInputAndItsPipeline() throws IOException {
    PassManager pm = new PassManager(registry(), Pipeline.parse("canonicalize,throw"));
    PassException e = assertThrows(PassException.class, () -> pm.run(model(), new PassContext().reproducerDir(tmp)));
    assertTrue(e.getMessage().startsWith("pass 'throw' failed: java.lang.IllegalStateException: boom"), e.getMessage());
    Path repro = e.reproducer();
    assertNotNull(repro);
    assertTrue(e.getMessage().contains(repro.toString()), e.getMessage());
    String text = Files.readString(repro);
    assertTrue(text.contains("// RUN: throw\n"), text);
    // The input of the failing pass: canonicalize already removed the add.
    Module again = new WirParser().parse(repro);
    assertFalse(again.main().nodes().stream().anyMatch(n -> n.opName().equals("add")), text);
    assertTrue(again.main().nodes().stream().anyMatch(n -> n.opName().equals("mul")), text);
  }

  @Test
  void verifyingAtTheEndsCatchesABrokenOutputAndReproducesWithTheWholePipeline() throws IOException {
    PassManager pm = new PassManager(registry(), Pipeline.parse("canonicalize,break-ir,dce"));
    PassContext ctx = new PassContext().verify(PassContext.Verify.ENDS).reproducerDir(tmp);
    PassException e = assertThrows(PassException.class, () -> pm.run(model(), ctx));
    assertTrue(e.getMessage().startsWith("the pipeline broke the IR (verified only before its first and after its last pass;"),
        e.getMessage());
    assertTrue(e.getMessage().contains("infers as"), e.getMessage());   // the verifier's own finding
    String text = Files.readString(e.reproducer());
    assertTrue(text.contains("// The module below is the pipeline's input; rerun it with:\n"), text);
    assertTrue(text.contains("// RUN: canonicalize,break-ir,dce\n"), text);
    // The pipeline's input: canonicalize has not run yet, so the add is still there.
    Module again = new WirParser().parse(e.reproducer());
    assertTrue(again.main().nodes().stream().anyMatch(n -> n.opName().equals("add")), text);
  }

  @Test
  void verifyingAtTheEndsSkipsTheChecksBetweenPasses() {
    // break-ir's wrong type is fixed by nothing later; at the ends only, the manager reports the
    // pipeline, not the pass; no reproducer without a folder.
    PassManager pm = new PassManager(registry(), Pipeline.parse("break-ir,dce"));
    PassException e = assertThrows(PassException.class, () -> pm.run(model(), new PassContext().verify(PassContext.Verify.ENDS)));
    assertFalse(e.getMessage().startsWith("pass 'break-ir'"), e.getMessage());
    assertEquals(null, e.reproducer());
  }

  @Test
  void aThrowingPassUnderEndsReproducesWithThePassesUpToIt() throws IOException {
    PassManager pm = new PassManager(registry(), Pipeline.parse("canonicalize,throw,dce"));
    PassContext ctx = new PassContext().verify(PassContext.Verify.ENDS).reproducerDir(tmp);
    PassException e = assertThrows(PassException.class, () -> pm.run(model(), ctx));
    assertTrue(e.getMessage().startsWith("pass 'throw' failed: java.lang.IllegalStateException: boom"), e.getMessage());
    String text = Files.readString(e.reproducer());
    assertTrue(text.contains("// RUN: canonicalize,throw\n"), text);
    assertTrue(new WirParser().parse(e.reproducer()).main().nodes().stream().anyMatch(n -> n.opName().equals("add")), text);
  }

  @Test
  void verifyModesParseAsTheCliSpellsThem() {
    assertEquals(PassContext.Verify.EACH_PASS, PassContext.Verify.parse("each"));
    assertEquals(PassContext.Verify.ENDS, PassContext.Verify.parse("ends"));
    assertEquals(PassContext.Verify.OFF, PassContext.Verify.parse("off"));
    assertThrows(PipelineException.class, () -> PassContext.Verify.parse("sometimes"));
    assertEquals(PassContext.Verify.EACH_PASS, new PassContext().verifyMode());   // tests check after every pass
  }

  @Test
  void disabledPassesAreSkipped() {
    Module m = model();
    PassManager.Result r = PassManager.parse("canonicalize,dce").run(m, new PassContext().disable("canonicalize"));
    assertEquals(-1, r.events().get(0).nanos());
    assertTrue(m.main().nodes().stream().anyMatch(n -> n.opName().equals("add")));
    assertFalse(m.main().nodes().stream().anyMatch(n -> n.opName().equals("mul")));
  }

  @Test
  void contextOptionsReachThePassAndTheEntryWins() {
    Module m = new WirParser().parse("""
        graph @g(%x: f32[4]) -> (%y) {
          %s = constant() {value = dense<f32[]> [1.5]}
          %b = broadcast(%s) {shape = [4]}
          %y = add(%x, %b)
        }
        """, "b.wir");
    PassManager.parse("constant-fold").run(m, new PassContext().option("constant-fold.max-bytes", "4"));
    assertTrue(m.main().nodes().stream().anyMatch(n -> n.opName().equals("broadcast")));
    PassManager.parse("constant-fold{max-bytes=16}").run(m, new PassContext().option("constant-fold.max-bytes", "4"));
    assertFalse(m.main().nodes().stream().anyMatch(n -> n.opName().equals("broadcast")));
  }

  @Test
  void instrumentsPrintDumpAndTime() throws IOException {
    StringWriter out = new StringWriter();
    Timing timing = new Timing();
    PassContext ctx = new PassContext()
        .instrument(new PrintIr("change", new PrintWriter(out)))
        .instrument(new DumpDir(tmp.resolve("dump")))
        .instrument(timing);
    PassManager.parse("cse,canonicalize,dce").run(model(), ctx);
    String printed = out.toString();
    assertFalse(printed.contains("IR after cse"), printed);                  // cse changed nothing
    assertTrue(printed.contains("// -----// IR after canonicalize //----- //"), printed);
    assertTrue(printed.contains("// -----// IR after dce //----- //"), printed);
    try (Stream<Path> s = Files.list(tmp.resolve("dump"))) {
      assertEquals(List.of("00-input.wir", "01-cse.wir", "02-canonicalize.wir", "03-dce.wir"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    String table = timing.table(ctx.statistics());
    assertTrue(table.contains("canonicalize") && table.contains("add-zero=1") && table.contains("removed=2"), table);
    assertEquals(1, ctx.statistics().get("canonicalize", "add-zero"));
  }

  @Test
  void printIrAfterANamedPass() {
    StringWriter out = new StringWriter();
    PassManager.parse("canonicalize,dce").run(model(), new PassContext().instrument(new PrintIr("dce", new PrintWriter(out))));
    assertFalse(out.toString().contains("after canonicalize"));
    assertTrue(out.toString().contains("IR after dce"));
  }

  @Test
  void printIrAfterFailureShowsWhatThePassLeft() {
    StringWriter out = new StringWriter();
    PassManager pm = new PassManager(registry(), Pipeline.parse("break-ir"));
    assertThrows(PassException.class, () -> pm.run(model(), new PassContext().instrument(new PrintIr("failure", new PrintWriter(out)))));
    assertTrue(out.toString().contains("IR after failure of break-ir"), out.toString());
  }

  @Test
  void invalidInputIsReportedBeforeAnyPass() {
    Module m = model();
    Node exp = m.main().nodes().get(m.main().nodes().size() - 1);
    exp.output(0).setType(dev.weft.ir.TensorType.of(dev.weft.bundle.DType.F32, 5));
    PassException e = assertThrows(PassException.class, () -> PassManager.parse("dce").run(m));
    assertTrue(e.getMessage().startsWith("the pipeline's input is invalid IR (before any pass)"), e.getMessage());
  }
}
