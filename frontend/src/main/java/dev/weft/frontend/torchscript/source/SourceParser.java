package dev.weft.frontend.torchscript.source;

import dev.weft.frontend.torchscript.source.Ast.SourceFile;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

/**
 * Parses one TorchScript source file (from an archive's {@code code/} folder) into an
 * {@link Ast.SourceFile}. Nothing is evaluated. Nesting is bounded before ANTLR's recursive
 * descent runs (see {@link IndentingLexer}) and again on the tree (expression depth, for the
 * left-deep chains the loop rules build), so hostile input gives a
 * {@link TorchScriptSyntaxException} with {@code file:line:col}, never a StackOverflowError.
 */
public final class SourceParser {
  public static final int DEFAULT_MAX_NESTING = 100;
  public static final int DEFAULT_MAX_BLOCKS = 100;
  public static final int DEFAULT_MAX_EXPR_DEPTH = 400;
  /** Sources are small (a model's largest file is a few KB); this bounds work on hostile input. */
  public static final int DEFAULT_MAX_CHARS = 16 << 20;

  private int maxNesting = DEFAULT_MAX_NESTING;
  private int maxBlocks = DEFAULT_MAX_BLOCKS;
  private int maxExprDepth = DEFAULT_MAX_EXPR_DEPTH;

  public SourceParser maxNesting(int n) {
    this.maxNesting = n;
    return this;
  }

  public SourceParser maxBlocks(int n) {
    this.maxBlocks = n;
    return this;
  }

  public SourceParser maxExprDepth(int n) {
    this.maxExprDepth = n;
    return this;
  }

  /** Parses with the default limits. */
  public static SourceFile parse(String path, String text) { return new SourceParser().parseFile(path, text); }

  public SourceFile parseFile(String path, String text) {
    if (text.length() > DEFAULT_MAX_CHARS) {
      throw new TorchScriptSyntaxException(path, 1, 1, "source longer than " + DEFAULT_MAX_CHARS + " characters");
    }
    IndentingLexer lexer = new IndentingLexer(CharStreams.fromString(text, path), path, maxNesting, maxBlocks);
    Thrower thrower = new Thrower(path);
    lexer.removeErrorListeners();
    lexer.addErrorListener(thrower);
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    tokens.fill();      // runs every lexer-level check before the parser recurses
    TorchScriptParser parser = new TorchScriptParser(tokens);
    parser.removeErrorListeners();
    parser.addErrorListener(thrower);
    TorchScriptParser.File_inputContext tree = parser.file_input();
    return new AstBuilder(path, maxExprDepth).file(tree);
  }

  /** First syntax error wins; throwing stops ANTLR, so there is no recovery and no console output. */
  private static final class Thrower extends BaseErrorListener {
    private final String file;

    Thrower(String file) { this.file = file; }

    @Override
    public void syntaxError(Recognizer<?, ?> r, Object offending, int line, int col, String msg, RecognitionException e) {
      String detail = msg;
      if (offending instanceof Token t) {
        if (t.getType() == TorchScriptParser.INDENT) detail = "unexpected indent";
        else if (t.getType() == TorchScriptParser.DEDENT) detail = "unexpected dedent (" + msg + ")";
      }
      throw new TorchScriptSyntaxException(file, line, col + 1, detail);
    }
  }
}
