package dev.weft.frontend.onnx.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.ir.OpRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every registered IR op has an export rule: a new op family cannot silently lack one. */
class ExportTableTest {
  @Test
  void everyRegisteredOpHasAnExportRule() {
    List<String> missing = ExportTable.standard().missing(OpRegistry.global());
    assertEquals(List.of(), missing, "registered IR ops without an export rule (add a row to the family's *Export file): " + missing);
  }

  @Test
  void theTableIsNotEmptyAndKeyedByIrNames() {
    assertTrue(ExportTable.standard().rules().containsKey("add"));
    assertTrue(ExportTable.standard().rules().containsKey("constant"));
  }
}
