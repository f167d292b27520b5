package dev.weft.frontend.torchscript.source;

import dev.weft.frontend.torchscript.TorchScriptException;

/** Malformed or too deeply nested TorchScript source, at {@code file:line:col} (1-based). */
public final class TorchScriptSyntaxException extends TorchScriptException {
  private final String file;
  private final int line;
  private final int column;

  public TorchScriptSyntaxException(String file, int line, int column, String message) {
    super(file + ":" + line + ":" + column + ": " + message);
    this.file = file;
    this.line = line;
    this.column = column;
  }

  public String file() { return file; }

  public int line() { return line; }

  public int column() { return column; }
}
