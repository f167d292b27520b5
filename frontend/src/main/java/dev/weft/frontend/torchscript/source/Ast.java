package dev.weft.frontend.torchscript.source;

import java.util.List;

/**
 * The syntax tree of TorchScript source: data only, nothing here evaluates. Every node carries
 * its 1-based line and column. Names follow Python's {@code ast} module.
 */
public final class Ast {
  private Ast() {}

  /** A source position: 1-based line and column. */
  public record Pos(int line, int column) {
    @Override
    public String toString() { return line + ":" + column; }
  }

  /** A parsed file: its path (relative to {@code code/}) and top-level statements. */
  public record SourceFile(String path, List<Stmt> body) {}

  // ---- expressions ----

  public sealed interface Expr permits Name, IntLit, FloatLit, StrLit, NoneLit, BoolLit, EllipsisLit, ListExpr,
      TupleExpr, DictExpr, Attribute, Call, Subscript, Slice, Unary, Binary, Compare, BoolOp, Not, IfExp {
    Pos pos();
  }

  public record Name(Pos pos, String id) implements Expr {}

  public record IntLit(Pos pos, long value) implements Expr {}

  public record FloatLit(Pos pos, double value) implements Expr {}

  public record StrLit(Pos pos, String value) implements Expr {}

  public record NoneLit(Pos pos) implements Expr {}

  public record BoolLit(Pos pos, boolean value) implements Expr {}

  public record EllipsisLit(Pos pos) implements Expr {}

  public record ListExpr(Pos pos, List<Expr> items) implements Expr {}

  public record TupleExpr(Pos pos, List<Expr> items) implements Expr {}

  public record DictExpr(Pos pos, List<Expr> keys, List<Expr> values) implements Expr {}

  /** {@code value.name}. */
  public record Attribute(Pos pos, Expr value, String name) implements Expr {}

  /** A keyword argument {@code name=value}. */
  public record Keyword(Pos pos, String name, Expr value) {}

  public record Call(Pos pos, Expr func, List<Expr> args, List<Keyword> keywords) implements Expr {}

  /** {@code value[index]}; several comma-separated indices form a {@link TupleExpr}. */
  public record Subscript(Pos pos, Expr value, Expr index) implements Expr {}

  /** {@code lower:upper:step} inside a subscript; absent parts are null. */
  public record Slice(Pos pos, Expr lower, Expr upper, Expr step) implements Expr {}

  public enum UnaryOp { PLUS, MINUS, INVERT }

  public record Unary(Pos pos, UnaryOp op, Expr operand) implements Expr {}

  public enum BinOp { ADD, SUB, MUL, DIV, FLOOR_DIV, MOD, MAT_MUL, POW, LSHIFT, RSHIFT, BIT_AND, BIT_OR, BIT_XOR }

  public record Binary(Pos pos, BinOp op, Expr left, Expr right) implements Expr {}

  public enum CmpOp { LT, GT, EQ, GE, LE, NE, IN, NOT_IN, IS, IS_NOT }

  /** A comparison chain {@code a < b < c}: ops.size() == operands.size() - 1. */
  public record Compare(Pos pos, List<CmpOp> ops, List<Expr> operands) implements Expr {}

  /** {@code a and b and ...} ({@code and} true) or {@code a or b or ...}. */
  public record BoolOp(Pos pos, boolean and, List<Expr> values) implements Expr {}

  public record Not(Pos pos, Expr operand) implements Expr {}

  public record IfExp(Pos pos, Expr test, Expr body, Expr orElse) implements Expr {}

  // ---- statements ----

  public sealed interface Stmt permits Assign, AugAssign, AnnAssign, ExprStmt, Return, Raise, Assert, Pass, Break,
      Continue, If, For, While, FunctionDef, ClassDef {
    Pos pos();
  }

  /** {@code t1 = t2 = value}: every target gets the value. */
  public record Assign(Pos pos, List<Expr> targets, Expr value) implements Stmt {}

  public record AugAssign(Pos pos, Expr target, BinOp op, Expr value) implements Stmt {}

  /** {@code target : annotation [= value]}; value null when absent. */
  public record AnnAssign(Pos pos, Expr target, Expr annotation, Expr value) implements Stmt {}

  public record ExprStmt(Pos pos, Expr value) implements Stmt {}

  public record Return(Pos pos, Expr value) implements Stmt {}

  public record Raise(Pos pos, Expr exception) implements Stmt {}

  public record Assert(Pos pos, Expr test, Expr message) implements Stmt {}

  public record Pass(Pos pos) implements Stmt {}

  public record Break(Pos pos) implements Stmt {}

  public record Continue(Pos pos) implements Stmt {}

  /** {@code elif} chains nest as an If alone in {@code orElse}. */
  public record If(Pos pos, Expr test, List<Stmt> body, List<Stmt> orElse) implements Stmt {}

  public record For(Pos pos, Expr target, Expr iter, List<Stmt> body) implements Stmt {}

  public record While(Pos pos, Expr test, List<Stmt> body) implements Stmt {}

  /** A parameter; annotation and default null when absent. */
  public record Param(Pos pos, String name, Expr annotation, Expr defaultValue) {}

  public record FunctionDef(Pos pos, String name, List<Param> params, Expr returns, List<Stmt> body) implements Stmt {}

  public record ClassDef(Pos pos, String name, List<Expr> bases, List<Stmt> body) implements Stmt {}
}
