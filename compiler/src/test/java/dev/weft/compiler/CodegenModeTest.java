package dev.weft.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.WeftException;
import dev.weft.bundle.DimExpr;
import dev.weft.bundle.program.Step;
import dev.weft.codegen.llvm.CodegenAbortException;
import dev.weft.codegen.llvm.CompileRequest;
import dev.weft.codegen.llvm.EmitKind;
import dev.weft.codegen.llvm.TargetSpec;
import dev.weft.codegen.llvm.WorkerPool;
import java.util.List;
import org.junit.jupiter.api.Test;

/** -Dweft.codegen (workers by default) and the fused group named on a worker's LLVM abort. */
class CodegenModeTest {
  private static String withProperty(String value, java.util.function.Supplier<Object> body) {
    String old = System.getProperty("weft.codegen");
    try {
      if (value == null) System.clearProperty("weft.codegen");
      else System.setProperty("weft.codegen", value);
      return String.valueOf(body.get());
    } finally {
      if (old == null) System.clearProperty("weft.codegen");
      else System.setProperty("weft.codegen", old);
    }
  }

  @Test
  void workersByDefaultInProcessOnRequestTyposRefused() {
    assertEquals("WORKERS", withProperty(null, Codegen::mode));
    assertEquals("WORKERS", withProperty("workers", Codegen::mode));
    assertEquals("IN_PROCESS", withProperty("in-process", Codegen::mode));
    WeftException e = assertThrows(WeftException.class, () -> withProperty("inprocess", Codegen::mode));
    assertTrue(e.getMessage().contains("'inprocess'"), e.getMessage());
  }

  @Test
  void anAbortNamesTheKernelsFusedGroupAndNodes() {
    List<Step> steps = List.of(
        new Step.Launch("weft_k0", List.of("a"), List.of(), DimExpr.of(4), null, "g0", List.of("add %a")),
        new Step.Launch("weft_k1", List.of("a"), List.of(), DimExpr.of(4), null, "g1", List.of("matmul %m", "gelu %g")));
    CodegenAbortException abort = new CodegenAbortException("weft_k1", "LLVM ERROR: cannot select", 134, null);
    WeftException e = KernelAbortException.of(abort, steps);
    assertEquals("kernel weft_k1 of fused group g1 (source nodes: matmul %m; gelu %g): LLVM ERROR: cannot select", e.getMessage());
    KernelAbortException k = (KernelAbortException) e;
    assertEquals("g1", k.group());
    assertEquals(List.of("matmul %m", "gelu %g"), k.nodes());
    assertSame(abort, e.getCause());
    // not one of ours (the ABI object): the abort as it was
    CodegenAbortException other = new CodegenAbortException("weft_abi_version", "boom", 134, null);
    assertSame(other, KernelAbortException.of(other, steps));
  }

  @Test
  void aPrestartedPoolThatServedNoRequestIsKilledWhenTheLastCompileEnds() {
    String old = System.getProperty("weft.codegen");
    System.setProperty("weft.codegen", "workers");
    Codegen.closeShared();
    try {
      Codegen.prestart();
      Codegen.prestart(); // a second compile running beside the first
      WorkerPool pool = assertInstanceOf(WorkerPool.class, Codegen.shared());
      Codegen.releaseIfUnused();
      assertSame(pool, Codegen.shared(), "the other compile may still need it");
      Codegen.releaseIfUnused();
      assertNotSame(pool, Codegen.shared(), "unused and no compile running: killed, a new one on next use");
      CompileRequest any = new CompileRequest("k", TargetSpec.host(), new byte[] {'B', 'C', 0, 0}, true, EmitKind.OBJECT);
      assertThrows(IllegalStateException.class, () -> pool.compile(any), "the killed pool takes no requests");
    } finally {
      if (old == null) System.clearProperty("weft.codegen");
      else System.setProperty("weft.codegen", old);
      Codegen.closeShared();
    }
  }
}
