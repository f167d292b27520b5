package dev.weft.ir.text;

import dev.weft.ir.IrException;

/**
 * A syntax or semantic error in {@code .wir} text. The message starts with
 * {@code FILE:LINE:COL:} (1-based line and column) so editors and CI logs can jump to it.
 */
public final class WirParseException extends IrException {
  private final String file;
  private final int line;
  private final int column;

  public WirParseException(String file, int line, int column, String message) {
    super(file + ":" + line + ":" + column + ": " + message);
    this.file = file;
    this.line = line;
    this.column = column;
  }

  public String file() { return file; }

  public int line() { return line; }

  public int column() { return column; }
}
