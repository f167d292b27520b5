package dev.weft.ir.text;

import dev.weft.ir.text.grammar.WirLexer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Turns ANTLR's first syntax error into a {@link WirParseException}
 * ({@code expected X, found Y}); throwing stops the parse, so there is no recovery and no
 * console output.
 */
final class ThrowingErrorListener extends BaseErrorListener {
  private static final Map<Integer, String> FRIENDLY = Map.of(
      WirLexer.VALUE_ID, "a value name (%x)",
      WirLexer.GRAPH_ID, "a graph name (@g)",
      WirLexer.IDENT, "a name",
      WirLexer.STRING, "a string",
      WirLexer.INT, "an integer",
      WirLexer.FLOAT, "a float",
      WirLexer.HEX, "a hex literal",
      Token.EOF, "end of input");

  private final Diag diag;

  ThrowingErrorListener(Diag diag) { this.diag = diag; }

  @Override
  public void syntaxError(Recognizer<?, ?> r, Object offending, int line, int col, String msg, RecognitionException e) {
    String expected;
    String found;
    if (r instanceof Parser p && offending instanceof Token t) {
      found = t.getType() == Token.EOF ? "end of input" : "'" + t.getText() + "'";
      expected = describe(p.getExpectedTokens(), p);
    } else {
      // Lexer: ANTLR says "token recognition error at: 'x'".
      int at = msg.indexOf("at: ");
      found = at >= 0 ? msg.substring(at + 4) : msg;
      expected = "a token";
    }
    throw new WirParseException(diag.file(), line, col + 1, "expected " + expected + ", found " + found);
  }

  private static String describe(IntervalSet set, Parser p) {
    boolean names = set.contains(WirLexer.IDENT);
    List<String> parts = new ArrayList<>();
    for (int type : set.toList()) {
      String literal = p.getVocabulary().getLiteralName(type);
      // Wherever a name is expected every keyword is too; listing them all would bury the point.
      if (names && literal != null && Character.isLetter(literal.charAt(1))) continue;
      if (names && "'_'".equals(literal)) continue;
      parts.add(FRIENDLY.getOrDefault(type, literal != null ? literal : p.getVocabulary().getDisplayName(type)));
    }
    if (parts.isEmpty()) return "nothing";
    return parts.size() == 1 ? parts.get(0) : "one of " + String.join(", ", parts);
  }
}
