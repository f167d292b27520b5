package dev.weft.frontend.torchscript.lower;

import dev.weft.frontend.torchscript.TorchScriptException;
import dev.weft.frontend.torchscript.source.Ast.*;
import dev.weft.frontend.torchscript.source.SourceParser;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;

/**
 * Classes and functions of an archive's {@code code/} folder, parsed on first use. A qualified
 * name {@code __torch__.a.b.C} lives in {@code __torch__/a/b.py} (mangled modules
 * {@code ___torch_mangle_N} are just path segments).
 */
public final class Classes {
  /** A function or method and the code file it is defined in. */
  public record Method(FunctionDef def, String file) {}

  private final SortedMap<String, String> code;
  private final SourceParser parser;
  private final Map<String, SourceFile> parsed = new HashMap<>();

  public Classes(SortedMap<String, String> code, SourceParser parser) {
    this.code = code;
    this.parser = parser;
  }

  /** The code file holding module {@code module} (a dotted name). */
  public static String fileOfModule(String module) { return module.replace('.', '/') + ".py"; }

  /** The code file holding class {@code className}. */
  public String fileOf(String className) {
    int dot = className.lastIndexOf('.');
    return dot < 0 ? className + ".py" : fileOfModule(className.substring(0, dot));
  }

  private SourceFile file(String path) {
    SourceFile f = parsed.get(path);
    if (f == null) {
      String text = code.get(path);
      if (text == null) return null;
      f = parser.parseFile("code/" + path, text);
      parsed.put(path, f);
    }
    return f;
  }

  ClassDef classDef(String className, Pos at) {
    String path = fileOf(className);
    SourceFile f = file(path);
    String simple = className.substring(className.lastIndexOf('.') + 1);
    if (f != null) {
      for (Stmt s : f.body()) if (s instanceof ClassDef c && c.name().equals(simple)) return c;
    }
    throw new TorchScriptException("class " + className + " not found in code/" + path
        + (at == null ? "" : " (used at " + at + ")"));
  }

  public Method method(String className, String name, Pos at) {
    ClassDef c = classDef(className, at);
    for (Stmt s : c.body()) if (s instanceof FunctionDef d && d.name().equals(name)) return new Method(d, "code/" + fileOf(className));
    throw new TorchScriptException("class " + className + " has no method " + name + (at == null ? "" : " (called at " + at + ")"));
  }

  boolean hasMethod(String className, String name) {
    for (Stmt s : classDef(className, null).body()) if (s instanceof FunctionDef d && d.name().equals(name)) return true;
    return false;
  }

  /** The value expression of a class-level constant ({@code name : Final[T] = value}), or null. */
  Expr classConstant(String className, String name) {
    for (Stmt s : classDef(className, null).body()) {
      if (s instanceof AnnAssign a && a.value() != null && a.target() instanceof Name n && n.id().equals(name)) return a.value();
      if (s instanceof Assign a && a.targets().size() == 1 && a.targets().get(0) instanceof Name n && n.id().equals(name)) {
        return a.value();
      }
    }
    return null;
  }

  Method function(String module, String name, Pos at) {
    String path = fileOfModule(module);
    SourceFile f = file(path);
    if (f != null) {
      for (Stmt s : f.body()) if (s instanceof FunctionDef d && d.name().equals(name)) return new Method(d, "code/" + path);
    }
    throw new TorchScriptException("function " + module + "." + name + " not found in code/" + path
        + (at == null ? "" : " (called at " + at + ")"));
  }

  /** Every code file, parsed (for coverage scans). */
  public Map<String, SourceFile> all() {
    Map<String, SourceFile> out = new java.util.TreeMap<>();
    for (String p : code.keySet()) if (p.endsWith(".py")) out.put(p, file(p));
    return out;
  }
}
