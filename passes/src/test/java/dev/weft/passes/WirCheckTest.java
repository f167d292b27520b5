package dev.weft.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.passes.testing.WirCheck;
import org.junit.jupiter.api.Test;

/** The golden-test checker itself: what passes, what fails, and that failures say where. */
class WirCheckTest {
  static final String BODY = """
      graph @g(%x: f32[4]) -> (%y) {
        %a = identity(%x)
        %y = exp(%a)
      }
      """;

  @Test
  void matchingChecksPass() {
    assertEquals(1, WirCheck.check("t.wir", "// RUN: canonicalize\n" + BODY
        + "// CHECK: graph @g\n// CHECK-NOT: identity\n// CHECK-NEXT: %y: f32[4] = exp(%x)\n// CHECK: {{^ *}}}\n"));
  }

  @Test
  void missingPatternFailsWithItsLine() {
    WirCheck.Failure f = assertThrows(WirCheck.Failure.class,
        () -> WirCheck.check("t.wir", "// RUN: dce\n" + BODY + "// CHECK: relu\n"));
    assertTrue(f.getMessage().startsWith("t.wir:6: CHECK: relu\n  not found"), f.getMessage());
  }

  @Test
  void checkNotFailsWhenThePatternIsThere() {
    WirCheck.Failure f = assertThrows(WirCheck.Failure.class,
        () -> WirCheck.check("t.wir", "// RUN: dce\n" + BODY + "// CHECK-NOT: identity\n// CHECK: exp\n"));
    assertTrue(f.getMessage().startsWith("t.wir:6: CHECK-NOT: identity\n  found on output line 3"), f.getMessage());
  }

  @Test
  void checkNextMustBeTheNextLine() {
    assertThrows(WirCheck.Failure.class,
        () -> WirCheck.check("t.wir", "// RUN: dce\n" + BODY + "// CHECK: graph @g\n// CHECK-NEXT: exp\n"));
  }

  @Test
  void casesSplitAndEachNeedsChecks() {
    String two = "// RUN: canonicalize\n" + BODY + "// CHECK: exp(%x)\n// -----\n" + BODY + "// CHECK: exp(%x)\n";
    assertEquals(2, WirCheck.check("t.wir", two));
    assertThrows(WirCheck.Failure.class, () -> WirCheck.check("t.wir", "// RUN: dce\n" + BODY));
    assertThrows(WirCheck.Failure.class, () -> WirCheck.check("t.wir", BODY + "// CHECK: exp\n"));
  }
}
