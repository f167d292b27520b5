package dev.weft.cli;

import dev.weft.bundle.Json;
import java.io.PrintWriter;

/**
 * With {@code --json}, a failed command still prints one JSON document on stdout:
 * {@code {"error": {"type": "WeftException", "kind": "user", "message": "..."}}}. kind is
 * usage (bad flags), user (bad model, missing file: exit 1) or internal (exit 2); type is the
 * exception's class. The one-line message on stderr is kept for people reading the terminal.
 */
final class JsonErrors {
  private JsonErrors() {}

  /** Whether the command line asks for JSON output ({@code --json}, or {@code --json=FILE}/{@code --json FILE} of conformance). */
  static boolean requested(String[] args) {
    for (String a : args) {
      if (a.equals("--")) return false;
      if (a.equals("--json") || a.startsWith("--json=")) return true;
    }
    return false;
  }

  static void print(PrintWriter out, String kind, Throwable error) {
    String message = error.getMessage() != null ? error.getMessage() : error.toString();
    out.println(new Json.Obj().put("error", new Json.Obj()
        .put("type", error.getClass().getSimpleName()).put("kind", kind).put("message", message)));
    out.flush();
  }
}
