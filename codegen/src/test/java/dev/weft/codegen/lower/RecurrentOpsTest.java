package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.ir.Attribute;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * lstm, gru and rnn are deliberately not lowered: a rule computes one element as an expression of
 * the operands, and a kernel has no scratch state, so the hidden state at step t can only be
 * written as an expression of the whole state at t-1, a reduction over the hidden units whose
 * body is itself such an expression. Evaluated, that is hidden_size^t work. They must be reported
 * as unsupported (naming the node), never faked.
 */
class RecurrentOpsTest {
  @ParameterizedTest
  @CsvSource({"lstm,4", "gru,3", "rnn,1"})
  void reportedAsUnsupported(String op, int gates) {
    long h = 3;
    LoweringException e = assertThrows(LoweringException.class, () -> check(op, Map.of("hidden_size", Attribute.of(h)), 1e-4, 1e-5,
        random(DType.F32, 1, 1, 5, 2, 4), random(DType.F32, 2, 1, 1, gates * h, 4), random(DType.F32, 3, 1, 1, gates * h, h)));
    assertTrue(e.getMessage().contains("no kernel lowering for op '" + op + "'"), e.getMessage());
  }
}
