package dev.weft.frontend.torchscript;

import dev.weft.bundle.Tensor;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Helpers over the unpickled value model (see {@link TorchArchive} for the mapping). */
final class PyValues {
  private PyValues() {}

  /** The Python type name of a value, for messages. */
  static String typeName(Object v) {
    return switch (v) {
      case null -> "null";
      case PyNone n -> "NoneType";
      case Boolean b -> "bool";
      case Long l -> "int";
      case BigInteger b -> "int";
      case Double d -> "float";
      case String s -> "str";
      case byte[] b -> "bytes";
      case PyTuple t -> "tuple";
      case ArrayList<?> l -> "list";
      case LinkedHashMap<?, ?> m -> "dict";
      case Tensor t -> "Tensor";
      case ScriptObject o -> o.className();
      case Unpickler.Global g -> "global " + g.qualifiedName();
      case Unpickler.Storage s -> "storage";
      default -> v.getClass().getSimpleName();
    };
  }

  /** A short, printable rendering (strings truncated and escaped). */
  static String shortRepr(Object v) {
    return switch (v) {
      case String s -> "'" + printable(s, 60) + "'";
      case PyTuple t -> "tuple of " + t.size();
      case ArrayList<?> l -> "list of " + l.size();
      case LinkedHashMap<?, ?> m -> "dict of " + m.size();
      case byte[] b -> "bytes of " + b.length;
      case Tensor t -> "Tensor " + t.dtype().textName() + Arrays.toString(t.shape());
      case null -> "null";
      default -> printable(String.valueOf(v), 80);
    };
  }

  /** Escapes control and non-ASCII characters and truncates, so model text cannot garble a message. */
  static String printable(String s, int max) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < max; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f) sb.append(c);
      else sb.append(String.format("\\u%04x", (int) c));
    }
    if (sb.length() >= max && s.length() > max) sb.append("...");
    return sb.toString();
  }

  /**
   * Checks that a value uses only the agreed Java types, contains no cycle and nests at most
   * {@code maxDepth} deep; returns a message describing the first violation, or null.
   * Iterative, so a deep value cannot overflow the stack here.
   */
  static String checkModel(Object root, int maxDepth) {
    Map<Object, Boolean> done = new IdentityHashMap<>(); // false: on the current path; true: finished
    ArrayDeque<Object[]> stack = new ArrayDeque<>(); // {value, children iterator index, children list, path}
    stack.push(frame(root));
    done.put(root, false);
    while (!stack.isEmpty()) {
      Object[] f = stack.peek();
      @SuppressWarnings("unchecked")
      List<Object> children = (List<Object>) f[2];
      int i = (Integer) f[1];
      if (i == children.size()) {
        stack.pop();
        done.put(f[0], true);
        continue;
      }
      f[1] = i + 1;
      Object c = children.get(i);
      String bad = checkLeafType(c);
      if (bad != null) return bad;
      if (!isContainer(c)) continue;
      Boolean state = done.get(c);
      if (state == Boolean.FALSE) return "the value contains a cycle through a " + typeName(c);
      if (state == Boolean.TRUE) continue;
      if (stack.size() >= maxDepth) return "the value nests deeper than " + maxDepth + " levels";
      done.put(c, false);
      stack.push(frame(c));
    }
    return checkLeafType(root);
  }

  private static Object[] frame(Object v) { return new Object[] {v, 0, children(v)}; }

  private static boolean isContainer(Object v) {
    return v instanceof PyTuple || v instanceof ArrayList<?> || v instanceof LinkedHashMap<?, ?>
        || v instanceof ScriptObject;
  }

  private static List<Object> children(Object v) {
    return switch (v) {
      case PyTuple t -> t.items();
      case ArrayList<?> l -> new ArrayList<>(l);
      case LinkedHashMap<?, ?> m -> {
        List<Object> out = new ArrayList<>(2 * m.size());
        for (Map.Entry<?, ?> e : m.entrySet()) {
          out.add(e.getKey());
          out.add(e.getValue());
        }
        yield out;
      }
      case ScriptObject o -> new ArrayList<>(o.attributes().values());
      default -> List.of();
    };
  }

  private static String checkLeafType(Object v) {
    return switch (v) {
      case PyNone n -> null;
      case Boolean b -> null;
      case Long l -> null;
      case BigInteger b -> null;
      case Double d -> null;
      case String s -> null;
      case byte[] b -> null;
      case PyTuple t -> null;
      case ArrayList<?> l -> null;
      case LinkedHashMap<?, ?> m -> null;
      case Tensor t -> null;
      case ScriptObject o -> null;
      case null -> "the value contains a null";
      default -> "the value contains a " + typeName(v) + ", which is not data (only None, bool, int, float,"
          + " str, bytes, tuple, list, dict, tensors and TorchScript objects are)";
    };
  }
}
