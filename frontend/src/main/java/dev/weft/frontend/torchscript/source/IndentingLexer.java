package dev.weft.frontend.torchscript.source;

import java.util.ArrayDeque;
import java.util.Deque;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.Token;

/**
 * The generated lexer plus Python's line structure: newlines inside brackets are dropped,
 * blank and comment-only lines vanish, and changes of indentation become INDENT/DEDENT tokens
 * (from a stack of indentation widths; tabs advance to the next multiple of 8).
 *
 * <p>It also bounds how deeply the parser can recurse before the parser runs: bracket depth plus
 * runs of prefix operators ({@code - + ~ not}, cleared by their operand) and right-nesting forms
 * ({@code **}, conditional {@code if}; cleared by {@code , : =} or the closing bracket) may not exceed {@code maxNesting}, and blocks may not nest deeper than
 * {@code maxBlocks}. Violations are {@link TorchScriptSyntaxException}s at the offending token.
 */
final class IndentingLexer extends TorchScriptLexer {
  private final String file;
  private final int maxNesting;
  private final int maxBlocks;
  private final Deque<Token> pending = new ArrayDeque<>();
  private final Deque<Integer> indents = new ArrayDeque<>();
  /** Per open bracket (and the statement level): prefix/right-nesting operators seen on the current path. */
  private final Deque<int[]> frames = new ArrayDeque<>();
  private int nesting;           // open brackets + sum of frame counts
  private boolean started;       // a real token has been queued
  private int lastQueued = -1;   // type of the last token queued
  private int lastRaw = -1;      // type of the last raw token (to tell prefix from binary +/-)

  IndentingLexer(CharStream input, String file, int maxNesting, int maxBlocks) {
    super(input);
    this.file = file;
    this.maxNesting = maxNesting;
    this.maxBlocks = maxBlocks;
    indents.push(0);
    frames.push(new int[2]);
  }

  @Override
  public Token nextToken() {
    if (pending.isEmpty()) fill();
    return pending.poll();
  }

  private void queue(Token t) {
    pending.add(t);
    lastQueued = t.getType();
  }

  private void fill() {
    Token t = raw();
    if (t.getType() == NEWLINE) {
      Token last = t;
      Token next = raw();
      while (next.getType() == NEWLINE) {
        last = next;
        next = raw();
      }
      if (!started) {                       // blank lines before the first statement
        if (next.getType() != EOF) {
          if (width(last.getText()) != 0) throw error(next, "unexpected indent");
          started = true;
        }
        queue(next);
        return;
      }
      queue(synthetic(NEWLINE, "<NEWLINE>", t));
      if (next.getType() == EOF) {
        closeBlocks(next);
      } else {
        indent(width(last.getText()), next);
      }
      queue(next);
      return;
    }
    if (t.getType() == EOF) {
      if (started && lastQueued != NEWLINE) queue(synthetic(NEWLINE, "<NEWLINE>", t));
      closeBlocks(t);
      queue(t);
      return;
    }
    if (!started) {
      if (t.getCharPositionInLine() != 0) throw error(t, "unexpected indent");
      started = true;
    }
    queue(t);
  }

  private void indent(int width, Token at) {
    int top = indents.peek();
    if (width > top) {
      if (indents.size() > maxBlocks) throw error(at, "blocks nested deeper than " + maxBlocks);
      indents.push(width);
      queue(synthetic(TorchScriptParser.INDENT, "<INDENT>", at));
      return;
    }
    while (width < top) {
      indents.pop();
      queue(synthetic(TorchScriptParser.DEDENT, "<DEDENT>", at));
      top = indents.peek();
    }
    if (width != top) throw error(at, "unindent does not match any outer indentation level");
  }

  private void closeBlocks(Token at) {
    while (indents.size() > 1) {
      indents.pop();
      queue(synthetic(TorchScriptParser.DEDENT, "<DEDENT>", at));
    }
  }

  /** The next token of the generated lexer, with bracket bookkeeping and bracketed newlines dropped. */
  private Token raw() {
    while (true) {
      Token t = super.nextToken();
      int type = t.getType();
      if (type == NEWLINE) {
        if (frames.size() > 1) continue;
        resetStatement();
        lastRaw = type;
        return t;
      }
      if (type == EOF) return t;
      String text = type == STRING ? "" : t.getText();
      switch (text) {
        case "(", "[", "{" -> {
          frames.push(new int[2]);
          bump(t);
        }
        case ")", "]", "}" -> {
          if (frames.size() > 1) {
            int[] f = frames.pop();
            nesting -= 1 + f[0] + f[1];
            endOperand();          // the bracket closed an operand
          }
        }
        case "-", "+", "~" -> {
          if (!endsOperand(lastRaw)) {
            frames.peek()[0]++;
            bump(t);
          }
        }
        case "not" -> {
          frames.peek()[0]++;
          bump(t);
        }
        case "**", "if" -> {
          frames.peek()[1]++;
          bump(t);
        }
        case ",", ":", "=" -> {
          endOperand();
          int[] f = frames.peek();
          nesting -= f[1];
          f[1] = 0;
        }
        default -> {
          if (endsOperand(type)) endOperand();
        }
      }
      lastRaw = type;
      return t;
    }
  }

  private void bump(Token at) {
    nesting++;
    if (nesting > maxNesting) throw error(at, "expression nested deeper than " + maxNesting);
  }

  /** An operand ends the run of prefix operators before it (their recursion has returned). */
  private void endOperand() {
    int[] f = frames.peek();
    nesting -= f[0];
    f[0] = 0;
  }

  private void resetStatement() {
    while (frames.size() > 1) frames.pop();
    frames.peek()[0] = 0;
    frames.peek()[1] = 0;
    nesting = 0;
  }

  private boolean endsOperand(int type) {
    if (type == NAME || type == INT || type == FLOAT || type == STRING) return true;
    if (type < 0) return false;
    String lit = getVocabulary().getLiteralName(type);
    return lit != null && (lit.equals("')'") || lit.equals("']'") || lit.equals("'}'") || lit.equals("'None'")
        || lit.equals("'True'") || lit.equals("'False'"));
  }

  private static int width(String newline) {
    int w = 0;
    for (int i = 0; i < newline.length(); i++) {
      char c = newline.charAt(i);
      if (c == ' ') w++;
      else if (c == '\t') w = (w / 8 + 1) * 8;
      else if (c == '\f') w = 0;
      else if (c == '\n' || c == '\r') w = 0;
    }
    return w;
  }

  private Token synthetic(int type, String text, Token at) {
    CommonToken c = new CommonToken(type, text);
    c.setLine(at.getLine());
    c.setCharPositionInLine(at.getCharPositionInLine());
    c.setStartIndex(at.getStartIndex());
    c.setStopIndex(at.getStartIndex() - 1);
    return c;
  }

  private TorchScriptSyntaxException error(Token at, String msg) {
    return new TorchScriptSyntaxException(file, at.getLine(), at.getCharPositionInLine() + 1, msg);
  }
}
