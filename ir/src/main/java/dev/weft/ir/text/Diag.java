package dev.weft.ir.text;

import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/** Makes positioned errors for one input file (ANTLR columns are 0-based; ours are 1-based). */
record Diag(String file) {
  WirParseException at(Token t, String message) {
    return new WirParseException(file, t.getLine(), t.getCharPositionInLine() + 1, message);
  }

  WirParseException at(ParserRuleContext c, String message) { return at(c.getStart(), message); }

  WirParseException at(TerminalNode n, String message) { return at(n.getSymbol(), message); }
}
