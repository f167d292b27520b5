package dev.weft.frontend.torchscript.source;

import dev.weft.frontend.torchscript.source.Ast.*;
import dev.weft.frontend.torchscript.source.TorchScriptParser.*;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Parse tree to {@link Ast}. Recursion follows the parse tree, whose depth the lexer bounded;
 * operator chains (loops in the grammar) are folded left-deep here iteratively, and every
 * expression's depth is checked against {@code maxExprDepth} so later recursive passes are safe.
 */
final class AstBuilder {
  private final String file;
  private final int maxExprDepth;
  private final Map<Expr, Integer> depth = new IdentityHashMap<>();

  AstBuilder(String file, int maxExprDepth) {
    this.file = file;
    this.maxExprDepth = maxExprDepth;
  }

  SourceFile file(File_inputContext ctx) {
    List<Stmt> body = new ArrayList<>();
    for (StmtContext s : ctx.stmt()) stmt(s, body);
    return new SourceFile(file, List.copyOf(body));
  }

  // ---- statements ----

  private void stmt(StmtContext ctx, List<Stmt> out) {
    if (ctx.simple_stmt() != null) simple(ctx.simple_stmt(), out);
    else out.add(compound(ctx.compound_stmt()));
  }

  private void simple(Simple_stmtContext ctx, List<Stmt> out) {
    for (Small_stmtContext s : ctx.small_stmt()) out.add(small(s));
  }

  private List<Stmt> suite(SuiteContext ctx) {
    List<Stmt> out = new ArrayList<>();
    if (ctx.simple_stmt() != null) simple(ctx.simple_stmt(), out);
    else for (StmtContext s : ctx.stmt()) stmt(s, out);
    return List.copyOf(out);
  }

  private Stmt small(Small_stmtContext ctx) {
    Pos p = pos(ctx);
    return switch (ctx) {
      case PassStmtContext c -> new Pass(p);
      case BreakStmtContext c -> new Break(p);
      case ContinueStmtContext c -> new Continue(p);
      case ReturnStmtContext c -> new Return(p, c.testlist() == null ? null : testlist(c.testlist()));
      case RaiseStmtContext c -> new Raise(p, c.test() == null ? null : test(c.test()));
      case AssertStmtContext c -> new Assert(p, test(c.test(0)), c.test().size() > 1 ? test(c.test(1)) : null);
      case AnnAssignStmtContext c ->
          new AnnAssign(p, test(c.test(0)), test(c.test(1)), c.testlist() == null ? null : testlist(c.testlist()));
      case AugAssignStmtContext c -> new AugAssign(p, testlist(c.testlist(0)), augop(c.augop()), testlist(c.testlist(1)));
      case AssignStmtContext c -> {
        List<TestlistContext> parts = c.testlist();
        List<Expr> targets = new ArrayList<>();
        for (int i = 0; i < parts.size() - 1; i++) targets.add(testlist(parts.get(i)));
        yield new Assign(p, List.copyOf(targets), testlist(parts.get(parts.size() - 1)));
      }
      case ExprStmtContext c -> new ExprStmt(p, testlist(c.testlist()));
      default -> throw error(ctx.getStart(), "unsupported statement");
    };
  }

  private BinOp augop(AugopContext ctx) {
    return switch (ctx.getText()) {
      case "+=" -> BinOp.ADD;
      case "-=" -> BinOp.SUB;
      case "*=" -> BinOp.MUL;
      case "/=" -> BinOp.DIV;
      case "//=" -> BinOp.FLOOR_DIV;
      default -> BinOp.MOD;
    };
  }

  private Stmt compound(Compound_stmtContext ctx) {
    if (ctx.if_stmt() != null) return ifStmt(ctx.if_stmt());
    if (ctx.for_stmt() != null) {
      For_stmtContext c = ctx.for_stmt();
      return new For(pos(c), testlist(c.testlist(0)), testlist(c.testlist(1)), suite(c.suite()));
    }
    if (ctx.while_stmt() != null) {
      While_stmtContext c = ctx.while_stmt();
      return new While(pos(c), test(c.test()), suite(c.suite()));
    }
    if (ctx.funcdef() != null) return funcdef(ctx.funcdef());
    ClassdefContext c = ctx.classdef();
    List<Expr> bases = new ArrayList<>();
    if (c.arglist() != null) for (ArgumentContext a : c.arglist().argument()) bases.add(test(a.test()));
    return new ClassDef(pos(c), c.NAME().getText(), List.copyOf(bases), suite(c.suite()));
  }

  private Stmt ifStmt(If_stmtContext c) {
    // if t0: s0 elif t1: s1 ... else: sN  ->  nested Ifs, built from the innermost out.
    List<TestContext> tests = c.test();
    List<SuiteContext> suites = c.suite();
    List<Stmt> orElse = suites.size() > tests.size() ? suite(suites.get(suites.size() - 1)) : List.of();
    for (int i = tests.size() - 1; i >= 1; i--) {
      orElse = List.of(new If(pos(tests.get(i)), test(tests.get(i)), suite(suites.get(i)), orElse));
    }
    return new If(pos(c), test(tests.get(0)), suite(suites.get(0)), orElse);
  }

  private Stmt funcdef(FuncdefContext c) {
    List<Param> params = new ArrayList<>();
    if (c.params() != null) {
      for (ParamContext p : c.params().param()) {
        Expr ann = null;
        Expr def = null;
        // param : NAME (':' test)? ('=' test)? -- tell the two tests apart by the token before each.
        for (TestContext t : p.test()) {
          String before = p.getChild(indexOf(p, t) - 1).getText();
          if (before.equals(":")) ann = test(t);
          else def = test(t);
        }
        params.add(new Param(pos(p), p.NAME().getText(), ann, def));
      }
    }
    return new FunctionDef(pos(c), c.NAME().getText(), List.copyOf(params), c.test() == null ? null : test(c.test()),
        suite(c.suite()));
  }

  private static int indexOf(ParserRuleContext parent, ParseTree child) {
    for (int i = 0; i < parent.getChildCount(); i++) if (parent.getChild(i) == child) return i;
    return -1;
  }

  // ---- expressions ----

  private Expr testlist(TestlistContext ctx) {
    if (ctx.test().size() == 1 && ctx.trailing == null) return test(ctx.test(0));
    List<Expr> items = new ArrayList<>();
    for (TestContext t : ctx.test()) items.add(test(t));
    return mk(new TupleExpr(pos(ctx), List.copyOf(items)), items);
  }

  private Expr test(TestContext ctx) {
    Expr body = orTest(ctx.or_test(0));
    if (ctx.test() == null) return body;
    Expr cond = orTest(ctx.or_test(1));
    Expr orElse = test(ctx.test());
    return mk(new IfExp(pos(ctx), cond, body, orElse), List.of(cond, body, orElse));
  }

  private Expr orTest(Or_testContext ctx) {
    if (ctx.and_test().size() == 1) return andTest(ctx.and_test(0));
    List<Expr> vs = new ArrayList<>();
    for (And_testContext a : ctx.and_test()) vs.add(andTest(a));
    return mk(new BoolOp(pos(ctx), false, List.copyOf(vs)), vs);
  }

  private Expr andTest(And_testContext ctx) {
    if (ctx.not_test().size() == 1) return notTest(ctx.not_test(0));
    List<Expr> vs = new ArrayList<>();
    for (Not_testContext a : ctx.not_test()) vs.add(notTest(a));
    return mk(new BoolOp(pos(ctx), true, List.copyOf(vs)), vs);
  }

  private Expr notTest(Not_testContext ctx) {
    if (ctx.comparison() != null) return comparison(ctx.comparison());
    Expr e = notTest(ctx.not_test());
    return mk(new Not(pos(ctx), e), List.of(e));
  }

  private Expr comparison(ComparisonContext ctx) {
    if (ctx.bit_or().size() == 1) return bitOr(ctx.bit_or(0));
    List<Expr> operands = new ArrayList<>();
    for (Bit_orContext b : ctx.bit_or()) operands.add(bitOr(b));
    List<CmpOp> ops = new ArrayList<>();
    for (Comp_opContext o : ctx.comp_op()) {
      ops.add(switch (o.getText()) {
        case "<" -> CmpOp.LT;
        case ">" -> CmpOp.GT;
        case "==" -> CmpOp.EQ;
        case ">=" -> CmpOp.GE;
        case "<=" -> CmpOp.LE;
        case "!=" -> CmpOp.NE;
        case "in" -> CmpOp.IN;
        case "notin" -> CmpOp.NOT_IN;
        case "is" -> CmpOp.IS;
        default -> CmpOp.IS_NOT;
      });
    }
    return mk(new Compare(pos(ctx), List.copyOf(ops), List.copyOf(operands)), operands);
  }

  private Expr bitOr(Bit_orContext ctx) {
    Expr e = bitXor(ctx.bit_xor(0));
    for (int i = 1; i < ctx.bit_xor().size(); i++) e = bin(ctx.bit_xor(i), BinOp.BIT_OR, e, bitXor(ctx.bit_xor(i)));
    return e;
  }

  private Expr bitXor(Bit_xorContext ctx) {
    Expr e = bitAnd(ctx.bit_and(0));
    for (int i = 1; i < ctx.bit_and().size(); i++) e = bin(ctx.bit_and(i), BinOp.BIT_XOR, e, bitAnd(ctx.bit_and(i)));
    return e;
  }

  private Expr bitAnd(Bit_andContext ctx) {
    Expr e = shift(ctx.shift(0));
    for (int i = 1; i < ctx.shift().size(); i++) e = bin(ctx.shift(i), BinOp.BIT_AND, e, shift(ctx.shift(i)));
    return e;
  }

  private Expr shift(ShiftContext ctx) {
    Expr e = arith(ctx.arith(0));
    for (int i = 1; i < ctx.arith().size(); i++) {
      BinOp op = ctx.shift_op(i - 1).getText().equals("<<") ? BinOp.LSHIFT : BinOp.RSHIFT;
      e = bin(ctx.shift_op(i - 1), op, e, arith(ctx.arith(i)));
    }
    return e;
  }

  private Expr arith(ArithContext ctx) {
    Expr e = term(ctx.term(0));
    for (int i = 1; i < ctx.term().size(); i++) {
      BinOp op = ctx.arith_op(i - 1).getText().equals("+") ? BinOp.ADD : BinOp.SUB;
      e = bin(ctx.arith_op(i - 1), op, e, term(ctx.term(i)));
    }
    return e;
  }

  private Expr term(TermContext ctx) {
    Expr e = factor(ctx.factor(0));
    for (int i = 1; i < ctx.factor().size(); i++) {
      BinOp op = switch (ctx.term_op(i - 1).getText()) {
        case "*" -> BinOp.MUL;
        case "/" -> BinOp.DIV;
        case "//" -> BinOp.FLOOR_DIV;
        case "%" -> BinOp.MOD;
        default -> BinOp.MAT_MUL;
      };
      e = bin(ctx.term_op(i - 1), op, e, factor(ctx.factor(i)));
    }
    return e;
  }

  private Expr bin(ParserRuleContext at, BinOp op, Expr l, Expr r) {
    return mk(new Binary(pos(at), op, l, r), List.of(l, r));
  }

  private Expr factor(FactorContext ctx) {
    if (ctx.power() != null) return power(ctx.power());
    Expr operand = factor(ctx.factor());
    UnaryOp op = switch (ctx.unary_op().getText()) {
      case "+" -> UnaryOp.PLUS;
      case "-" -> UnaryOp.MINUS;
      default -> UnaryOp.INVERT;
    };
    return mk(new Unary(pos(ctx), op, operand), List.of(operand));
  }

  private Expr power(PowerContext ctx) {
    Expr base = primary(ctx.primary());
    if (ctx.factor() == null) return base;
    return bin(ctx, BinOp.POW, base, factor(ctx.factor()));
  }

  private Expr primary(PrimaryContext ctx) {
    Expr e = atom(ctx.atom());
    for (TrailerContext t : ctx.trailer()) {
      Pos p = e.pos();          // a call or subscript is located where its expression starts
      switch (t) {
        case CallTrailerContext c -> {
          List<Expr> args = new ArrayList<>();
          List<Keyword> kws = new ArrayList<>();
          List<Expr> kids = new ArrayList<>();
          kids.add(e);
          if (c.arglist() != null) {
            for (ArgumentContext a : c.arglist().argument()) {
              Expr v = test(a.test());
              kids.add(v);
              if (a.NAME() != null) {
                kws.add(new Keyword(pos(a), a.NAME().getText(), v));
              } else {
                if (!kws.isEmpty()) throw error(a.getStart(), "positional argument follows keyword argument");
                args.add(v);
              }
            }
          }
          e = mk(new Call(p, e, List.copyOf(args), List.copyOf(kws)), kids);
        }
        case SubscriptTrailerContext c -> {
          Expr index = subscripts(c.subscriptlist());
          e = mk(new Subscript(p, e, index), List.of(e, index));
        }
        case AttrTrailerContext c -> e = mk(new Ast.Attribute(p, e, c.NAME().getText()), List.of(e));
        default -> throw error(t.getStart(), "unsupported trailer");
      }
    }
    return e;
  }

  private Expr subscripts(SubscriptlistContext ctx) {
    List<Expr> items = new ArrayList<>();
    for (SubscriptContext s : ctx.subscript()) items.add(subscript(s));
    if (items.size() == 1 && ctx.trailing == null) return items.get(0);
    return mk(new TupleExpr(pos(ctx), List.copyOf(items)), items);
  }

  private Expr subscript(SubscriptContext ctx) {
    boolean slice = false;
    for (ParseTree c : ctx.children) if (c instanceof TerminalNode) slice = true;
    if (!slice) return test(ctx.test(0));
    Expr lo = ctx.lower == null ? null : test(ctx.lower);
    Expr hi = ctx.upper == null ? null : test(ctx.upper);
    Expr st = ctx.step == null ? null : test(ctx.step);
    List<Expr> kids = new ArrayList<>();
    for (Expr k : new Expr[] {lo, hi, st}) if (k != null) kids.add(k);
    return mk(new Slice(pos(ctx), lo, hi, st), kids);
  }

  private Expr atom(AtomContext ctx) {
    Pos p = pos(ctx);
    return switch (ctx) {
      case ParenAtomContext c -> {
        if (c.testlist() == null) yield new TupleExpr(p, List.of());
        Expr inner = testlist(c.testlist());
        yield inner;
      }
      case ListAtomContext c -> {
        List<Expr> items = new ArrayList<>();
        if (c.testlist() != null) for (TestContext t : c.testlist().test()) items.add(test(t));
        yield mk(new ListExpr(p, List.copyOf(items)), items);
      }
      case DictAtomContext c -> {
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        if (c.dictitems() != null) {
          List<TestContext> ts = c.dictitems().test();
          for (int i = 0; i < ts.size(); i += 2) {
            keys.add(test(ts.get(i)));
            values.add(test(ts.get(i + 1)));
          }
        }
        List<Expr> kids = new ArrayList<>(keys);
        kids.addAll(values);
        yield mk(new DictExpr(p, List.copyOf(keys), List.copyOf(values)), kids);
      }
      case NameAtomContext c -> new Name(p, c.NAME().getText());
      case IntAtomContext c -> new IntLit(p, parseInt(c.INT().getSymbol()));
      case FloatAtomContext c -> new FloatLit(p, Double.parseDouble(c.FLOAT().getText()));
      case StringAtomContext c -> {
        StringBuilder sb = new StringBuilder();
        for (TerminalNode s : c.STRING()) sb.append(unquote(s.getSymbol()));
        yield new StrLit(p, sb.toString());
      }
      case NoneAtomContext c -> new NoneLit(p);
      case TrueAtomContext c -> new BoolLit(p, true);
      case FalseAtomContext c -> new BoolLit(p, false);
      case EllipsisAtomContext c -> new EllipsisLit(p);
      default -> throw error(ctx.getStart(), "unsupported expression");
    };
  }

  /**
   * TorchScript ints are int64. 2^63 itself is accepted and wraps to Long.MIN_VALUE so that the
   * literal {@code -9223372036854775808} (unary minus applied to it) comes out right.
   */
  private long parseInt(Token t) {
    String s = t.getText().toLowerCase();
    BigInteger v;
    if (s.startsWith("0x")) v = new BigInteger(s.substring(2), 16);
    else if (s.startsWith("0o")) v = new BigInteger(s.substring(2), 8);
    else if (s.startsWith("0b")) v = new BigInteger(s.substring(2), 2);
    else v = new BigInteger(s);
    if (v.bitLength() > 64 || (v.bitLength() == 64 && !v.equals(BigInteger.ONE.shiftLeft(63)))) {
      throw error(t, "integer literal out of int64 range: " + t.getText());
    }
    return v.longValue();
  }

  private String unquote(Token t) {
    String s = t.getText();
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 1; i < s.length() - 1; i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char n = s.charAt(++i);
      switch (n) {
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'r' -> sb.append('\r');
        case '0' -> sb.append('\0');
        case '\\', '\'', '"' -> sb.append(n);
        case 'x', 'u' -> {
          int len = n == 'x' ? 2 : 4;
          if (i + len >= s.length()) throw error(t, "truncated \\" + n + " escape");
          try {
            sb.append((char) Integer.parseInt(s.substring(i + 1, i + 1 + len), 16));
          } catch (NumberFormatException e) {
            throw error(t, "bad \\" + n + " escape");
          }
          i += len;
        }
        default -> sb.append('\\').append(n);
      }
    }
    return sb.toString();
  }

  // ---- helpers ----

  private <T extends Expr> T mk(T e, List<Expr> kids) {
    int d = 0;
    for (Expr k : kids) d = Math.max(d, depth.getOrDefault(k, 1));
    d++;
    if (d > maxExprDepth) {
      throw new TorchScriptSyntaxException(file, e.pos().line(), e.pos().column(),
          "expression nested deeper than " + maxExprDepth);
    }
    depth.put(e, d);
    return e;
  }

  private static Pos pos(ParserRuleContext ctx) {
    Token t = ctx.getStart();
    return new Pos(t.getLine(), t.getCharPositionInLine() + 1);
  }

  private TorchScriptSyntaxException error(Token t, String msg) {
    return new TorchScriptSyntaxException(file, t.getLine(), t.getCharPositionInLine() + 1, msg);
  }
}
