package dev.weft.frontend.torchscript.lower;

import dev.weft.frontend.torchscript.PyNone;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of the aten signature table: parameter names in schema order and the defaults of
 * the optional ones, written as in {@code native_functions.yaml} ({@code "self, dim=-1, dtype=None"}).
 */
record Sig(String name, List<String> params, Map<String, Object> defaults) {
  static Sig parse(String name, String params) {
    List<String> names = new ArrayList<>();
    Map<String, Object> defaults = new LinkedHashMap<>();
    if (!params.isBlank()) {
      for (String p : splitTop(params)) {
        p = p.trim();
        int eq = p.indexOf('=');
        String n = eq < 0 ? p : p.substring(0, eq).trim();
        names.add(n);
        if (eq >= 0) defaults.put(n, literal(p.substring(eq + 1).trim()));
      }
    }
    return new Sig(name, List.copyOf(names), defaults);
  }

  private static List<String> splitTop(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '[') depth++;
      else if (c == ']') depth--;
      else if (c == ',' && depth == 0) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }

  private static Object literal(String s) {
    switch (s) {
      case "None": return PyNone.NONE;
      case "True": return true;
      case "False": return false;
      default: break;
    }
    if (s.startsWith("'")) return s.substring(1, s.length() - 1);
    if (s.startsWith("[")) {
      List<Object> out = new ArrayList<>();
      String inner = s.substring(1, s.length() - 1).trim();
      if (!inner.isEmpty()) for (String x : inner.split(",")) out.add(literal(x.trim()));
      return out;
    }
    if (s.contains(".") || s.contains("e") || s.contains("inf")) return Double.parseDouble(s);
    return Long.parseLong(s);
  }

  /** Binds positional and keyword arguments to names; missing optional ones get their defaults. */
  Map<String, Object> bind(List<Object> args, Map<String, Object> kwargs) {
    if (args.size() > params.size()) {
      throw new IllegalArgumentException(name + " takes at most " + params.size() + " arguments, got " + args.size());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) out.put(params.get(i), args.get(i));
    for (Map.Entry<String, Object> k : kwargs.entrySet()) {
      if (!params.contains(k.getKey())) throw new IllegalArgumentException(name + " has no argument '" + k.getKey() + "'");
      if (out.containsKey(k.getKey())) throw new IllegalArgumentException(name + " got '" + k.getKey() + "' twice");
      out.put(k.getKey(), k.getValue());
    }
    for (String p : params) {
      if (out.containsKey(p)) continue;
      if (!defaults.containsKey(p)) throw new IllegalArgumentException(name + " is missing argument '" + p + "'");
      out.put(p, defaults.get(p));
    }
    return out;
  }
}
