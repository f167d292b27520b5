package dev.weft.codegen.emit;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.bundle.DType;
import dev.weft.codegen.kir.Buffer;
import dev.weft.codegen.kir.CooperativePlan;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.FreeVars;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.kir.KirException;
import dev.weft.codegen.target.Target;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.llvm.LLVM.LLVMBasicBlockRef;
import org.bytedeco.llvm.LLVM.LLVMBuilderRef;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * Emits one kernel as an LLVM function in the ABI of docs/KERNELS.md: on the host
 * {@code void k(ptr buffers, ptr dims, i64 begin, i64 end)}, on GPUs one pointer parameter per
 * buffer plus the extent, with a grid-stride loop over work items. Everything target-specific
 * comes from the {@link Target}. Reductions are emitted at the outermost loop level that binds
 * all their variables (see {@link Kernel}); other expressions are emitted where used, shared
 * through a scoped memo (LLVM's LICM and GVN do the rest). On GPUs a kernel with long
 * work-item-level reductions runs each work item on a warp or block ({@link CooperativePlan}).
 */
public final class KernelEmitter {
  private final Target target;
  private final LLVMContextRef ctx;
  private final LLVMModuleRef module;
  private final LLVMBuilderRef b;
  private final ScalarEmitter scalars;
  private final FreeVars free = new FreeVars();
  private final Deque<Map<Expr, LLVMValueRef>> scopes = new ArrayDeque<>();
  private final Map<Long, LLVMValueRef> vars = new HashMap<>();
  private final Map<Buffer, LLVMValueRef> bases = new IdentityHashMap<>();
  /** Sums by whether they may share a loop with others ({@link #fusableSum}, computed once per kernel). */
  private final Map<Expr, Boolean> sharesLoop = new IdentityHashMap<>();
  /** The run-time values of the kernel's symbolic dims ({@link Kernel#dims()}), by slot. */
  private final List<LLVMValueRef> dimValues = new ArrayList<>();
  private LLVMValueRef function;
  /** Non-null when a warp (or block) shares each work item (see {@link CooperativePlan}). */
  private CooperativePlan plan;
  /** i64 index of this thread among its work item's lanes (cooperative kernels). */
  private LLVMValueRef lane;

  private KernelEmitter(Target target, LLVMContextRef ctx, LLVMModuleRef module) {
    this.target = target;
    this.ctx = ctx;
    this.module = module;
    this.b = LLVMCreateBuilderInContext(ctx);
    this.scalars = new ScalarEmitter(target, ctx, module, b);
  }

  /** Adds kernel {@code k} to {@code module} (created in {@code ctx}) and returns the function. */
  public static LLVMValueRef emit(Kernel k, Target target, LLVMContextRef ctx, LLVMModuleRef module) {
    KernelEmitter e = new KernelEmitter(target, ctx, module);
    try {
      return e.emitKernel(k);
    } finally {
      LLVMDisposeBuilder(e.b);
    }
  }

  private LLVMValueRef emitKernel(Kernel k) {
    for (Buffer buf : k.params()) Types.storage(ctx, buf.dtype()); // reject unsupported storage before building
    LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx);
    int as = target.globalAddressSpace();
    LLVMTypeRef ptr = LLVMPointerTypeInContext(ctx, as);
    LLVMTypeRef hostPtr = LLVMPointerTypeInContext(ctx, 0);
    List<LLVMTypeRef> params = new ArrayList<>();
    List<String> dims = k.dims();
    if (target.gpu()) {
      for (int i = 0; i < k.params().size(); i++) params.add(ptr);
      for (int i = 0; i < dims.size(); i++) params.add(i64);
      params.add(i64);
    } else {
      params.add(hostPtr);
      params.add(hostPtr);
      params.add(i64);
      params.add(i64);
    }
    LLVMTypeRef fnType = LLVMFunctionType(LLVMVoidTypeInContext(ctx), new PointerPointer<>(params.toArray(new LLVMTypeRef[0])), params.size(), 0);
    function = LLVMAddFunction(module, k.name(), fnType);
    LLVMSetFunctionCallConv(function, target.kernelCallingConvention());
    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(ctx, function, "entry");
    LLVMPositionBuilderAtEnd(b, entry);

    LLVMValueRef begin;
    LLVMValueRef end;
    LLVMValueRef step;
    if (target.gpu()) {
      for (int i = 0; i < k.params().size(); i++) {
        LLVMValueRef p = LLVMGetParam(function, i);
        LLVMSetValueName2(p, k.params().get(i).name(), k.params().get(i).name().length());
        bases.put(k.params().get(i), p);
      }
      begin = target.workItemIndex(b, module);
      step = target.workItemStride(b, module);
      for (int i = 0; i < dims.size(); i++) dimValues.add(LLVMGetParam(function, k.params().size() + i));
      end = LLVMGetParam(function, k.params().size() + dims.size());
      plan = Cooperation.plan(k, target);
      if (plan != null) {
        // consecutive threads [item * lanes, item * lanes + lanes) share an item: whole warps,
        // since blocks are whole warps; every lane of an item walks the same items
        LLVMValueRef lanes = LLVMConstInt(i64, plan.lanes(), 0);
        lane = LLVMBuildURem(b, begin, lanes, "lane");
        begin = LLVMBuildUDiv(b, begin, lanes, "item");
        step = LLVMBuildUDiv(b, step, lanes, "item.stride");
      }
    } else {
      LLVMValueRef table = LLVMGetParam(function, 0);
      for (int i = 0; i < k.params().size(); i++) {
        LLVMValueRef slot = LLVMBuildGEP2(b, hostPtr, table, one(LLVMConstInt(i64, i, 0)), 1, "slot");
        LLVMValueRef base = LLVMBuildLoad2(b, hostPtr, slot, k.params().get(i).name());
        bases.put(k.params().get(i), base);
      }
      LLVMValueRef dimTable = LLVMGetParam(function, 1);
      for (int i = 0; i < dims.size(); i++) {
        LLVMValueRef slot = LLVMBuildGEP2(b, i64, dimTable, one(LLVMConstInt(i64, i, 0)), 1, "dimslot");
        dimValues.add(LLVMBuildLoad2(b, i64, slot, dims.get(i)));
      }
      begin = LLVMGetParam(function, 2);
      end = LLVMGetParam(function, 3);
      step = LLVMConstInt(i64, 1, 0);
    }

    // for (p = begin; p < end; p += step) { parallel vars = delinearize(p); serial loops; stores }
    LLVMBasicBlockRef header = LLVMAppendBasicBlockInContext(ctx, function, "work");
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(ctx, function, "item");
    LLVMBasicBlockRef exit = LLVMAppendBasicBlockInContext(ctx, function, "done");
    LLVMBasicBlockRef pre = LLVMGetInsertBlock(b);
    LLVMBuildBr(b, header);
    LLVMPositionBuilderAtEnd(b, header);
    LLVMValueRef p = LLVMBuildPhi(b, i64, "p");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, p, end, "more"), body, exit);
    LLVMPositionBuilderAtEnd(b, body);
    scopes.push(new IdentityHashMap<>());
    Set<Long> bound = new HashSet<>();
    LLVMValueRef rest = p;
    // Dense work (Kernel.denseWork): items are split by the run-time limits, so only the outer
    // loop's items beyond its limit (a launch over the static extent) are idle.
    boolean dense = k.denseWorkOverDims() != null;
    for (int d = k.parallelLoops() - 1; d >= 0; d--) {
      Kernel.Loop l = k.loops().get(d);
      LLVMValueRef ext = dense && l.limit() != null ? value(l.limit()) : LLVMConstInt(i64, l.extent(), 0);
      LLVMValueRef v = d == 0 ? rest : LLVMBuildURem(b, rest, ext, l.var().name());
      if (d > 0) rest = LLVMBuildUDiv(b, rest, ext, "q");
      vars.put(l.var().longValue(), v);
      bound.add(l.var().longValue());
    }
    // Work items beyond a parallel loop's run-time limit do nothing.
    LLVMBasicBlockRef skipTo = null;
    LLVMValueRef live = null;
    for (int d = 0; d < (dense ? Math.min(1, k.parallelLoops()) : k.parallelLoops()); d++) {
      Kernel.Loop l = k.loops().get(d);
      if (l.limit() == null && !dense) continue;
      LLVMValueRef upTo = l.limit() == null ? LLVMConstInt(i64, l.extent(), 0) : value(l.limit());
      LLVMValueRef in = LLVMBuildICmp(b, LLVMIntSLT, vars.get(l.var().longValue()), upTo, "live");
      live = live == null ? in : LLVMBuildAnd(b, live, in, "live");
    }
    if (live != null) {
      LLVMBasicBlockRef work = LLVMAppendBasicBlockInContext(ctx, function, "live");
      skipTo = LLVMAppendBasicBlockInContext(ctx, function, "next");
      LLVMBuildCondBr(b, live, work, skipTo);
      LLVMPositionBuilderAtEnd(b, work);
    }
    List<Expr> roots = new ArrayList<>();
    for (Kernel.Store s : k.stores()) {
      roots.add(s.index());
      roots.add(s.value());
      if (s.guard() != null) roots.add(s.guard());
    }
    List<Expr> reductions = FreeVars.reductions(roots);
    if (plan != null) {
      cooperativeItem(k, bound, reductions);
    } else {
      hoist(reductions, bound);
      serialLoops(k, k.parallelLoops(), bound, reductions);
    }
    scopes.pop();
    if (skipTo != null) {
      LLVMBuildBr(b, skipTo);
      LLVMPositionBuilderAtEnd(b, skipTo);
    }
    LLVMValueRef next = LLVMBuildAdd(b, p, step, "p.next");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(b);
    LLVMBuildBr(b, header);
    LLVMAddIncoming(p, new PointerPointer<>(begin, next), new PointerPointer<>(pre, latch), 2);
    LLVMPositionBuilderAtEnd(b, exit);
    LLVMBuildRetVoid(b);
    target.decorateKernel(module, function, target.defaultBlockSize());
    return function;
  }

  /**
   * A work item shared by {@code plan.lanes()} threads: the plan's reductions as strided lane
   * partials combined across the warp (children first, so a softmax's sum sees the combined
   * max), the item's other work-item-level reductions serially in every lane, then the serial
   * loops split across lanes or run by lane 0 alone.
   */
  private void cooperativeItem(Kernel k, Set<Long> bound, List<Expr> reductions) {
    LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx);
    LLVMValueRef lanes = LLVMConstInt(i64, plan.lanes(), 0);
    WarpCombine warps = new WarpCombine(target, module, b, scalars, plan, function);
    Set<Expr> shared = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    shared.addAll(plan.reductions());
    for (Expr r : reductions) {
      if (lookup(r) != null || !free.boundBy(r, bound)) continue;
      if (shared.contains(r)) scopes.peek().put(r, warps.combine(r.reduce(), r.type(), reduce(r, lane, lanes)));
      else value(r);
    }
    if (k.loops().size() > k.parallelLoops() && plan.splitStores()) {
      serialLoops(k, k.parallelLoops(), bound, reductions, lane, lanes);
      return;
    }
    LLVMBasicBlockRef only = LLVMAppendBasicBlockInContext(ctx, function, "lane0");
    LLVMBasicBlockRef after = LLVMAppendBasicBlockInContext(ctx, function, "lane0.done");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, lane, LLVMConstInt(i64, 0, 0), "is.lane0"), only, after);
    LLVMPositionBuilderAtEnd(b, only);
    scopes.push(new IdentityHashMap<>());
    serialLoops(k, k.parallelLoops(), bound, reductions);
    scopes.pop();
    LLVMBuildBr(b, after);
    LLVMPositionBuilderAtEnd(b, after);
  }

  private void serialLoops(Kernel k, int depth, Set<Long> bound, List<Expr> reductions) {
    LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx);
    serialLoops(k, depth, bound, reductions, LLVMConstInt(i64, 0, 0), LLVMConstInt(i64, 1, 0));
  }

  /** The loops from {@code depth} inward; the one at {@code depth} runs {@code start, start + step, ...}, inner ones from 0 by 1. */
  private void serialLoops(Kernel k, int depth, Set<Long> bound, List<Expr> reductions, LLVMValueRef start, LLVMValueRef step) {
    if (depth == k.loops().size()) {
      // Every value before any store: a work item storing several elements (a tiled matmul's
      // columns) then reads its inputs unchanged even when an output shares memory with one.
      List<LLVMValueRef> values = new ArrayList<>();
      for (Kernel.Store s : k.stores()) values.add(value(s.value()));
      for (int i = 0; i < k.stores().size(); i++) store(k.stores().get(i), values.get(i));
      return;
    }
    Kernel.Loop l = k.loops().get(depth);
    LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx);
    LLVMValueRef trips = l.limit() == null ? LLVMConstInt(i64, l.extent(), 0) : value(l.limit());
    LLVMBasicBlockRef pre = LLVMGetInsertBlock(b);
    LLVMBasicBlockRef header = LLVMAppendBasicBlockInContext(ctx, function, "loop." + l.var().name());
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(ctx, function, "body." + l.var().name());
    LLVMBasicBlockRef exit = LLVMAppendBasicBlockInContext(ctx, function, "exit." + l.var().name());
    LLVMBuildBr(b, header);
    LLVMPositionBuilderAtEnd(b, header);
    LLVMValueRef i = LLVMBuildPhi(b, i64, l.var().name());
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, i, trips, "more"), body, exit);
    LLVMPositionBuilderAtEnd(b, body);
    vars.put(l.var().longValue(), i);
    Set<Long> inner = new HashSet<>(bound);
    inner.add(l.var().longValue());
    scopes.push(new IdentityHashMap<>());
    hoist(reductions, inner);
    serialLoops(k, depth + 1, inner, reductions);
    scopes.pop();
    LLVMValueRef next = LLVMBuildAdd(b, i, step, "next");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(b);
    LLVMBuildBr(b, header);
    LLVMAddIncoming(i, new PointerPointer<>(start, next), new PointerPointer<>(pre, latch), 2);
    LLVMPositionBuilderAtEnd(b, exit);
    vars.remove(l.var().longValue());
  }

  /**
   * Emits, at the current position, every reduction whose variables are all bound here. Sums
   * with no reduction inside them and the same trip count (the dot products of a tiled matmul
   * work item, a mean and a mean of squares) are independent of each other and of everything
   * else hoisted here, so they run as one loop with one accumulator each: operands they share (a
   * row of A) are loaded once per iteration, and the accumulators vectorize side by side. Each
   * sum still adds its terms in the same order as its own loop would. Sums holding further
   * sums over their own variable (a tiled convolution's lanes: channels, then window rows, then
   * taps) fuse the same way, level by level: their inner sums are hoisted inside the fused loop.
   */
  private void hoist(List<Expr> reductions, Set<Long> bound) {
    Map<Object, List<Expr>> fusable = new java.util.LinkedHashMap<>();
    for (Expr r : reductions) {
      if (lookup(r) == null && free.boundBy(r, bound) && r.reduce() == dev.weft.codegen.kir.ReduceOp.SUM
          && sharesLoop.computeIfAbsent(r, this::fusableSum)) {
        Object trips = r.limit() == null ? (Object) r.extent() : List.of(r.extent(), r.limit());
        fusable.computeIfAbsent(trips, x -> new ArrayList<>()).add(r);
      }
    }
    for (List<Expr> group : fusable.values()) if (group.size() > 1) fusedSums(group, bound);
    for (Expr r : reductions) if (lookup(r) == null && free.boundBy(r, bound)) value(r);
  }

  /**
   * Whether SUM {@code r} may share a loop with others: every reduction in its body reads
   * {@code r}'s variable, so none of them belongs outside the loop (a mean inside a variance
   * does not, and would be recomputed per iteration).
   */
  private boolean fusableSum(Expr r) {
    for (Expr n : FreeVars.reductions(List.of(r.a()))) {
      boolean reads = false;
      for (long v : free.of(n)) reads |= v == r.var().longValue();
      if (!reads) return false;
    }
    return true;
  }

  /**
   * {@code sums} (fusable SUM reductions of one extent, {@link #fusableSum}) as one loop, their
   * inner sums hoisted (and fused) in its body; each result memoized in the current scope.
   */
  private void fusedSums(List<Expr> sums, Set<Long> bound) {
    LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx);
    Expr first = sums.get(0);
    LLVMValueRef trips = first.limit() == null ? LLVMConstInt(i64, first.extent(), 0) : value(first.limit());
    String name = sums.get(0).var().name();
    LLVMBasicBlockRef pre = LLVMGetInsertBlock(b);
    LLVMBasicBlockRef header = LLVMAppendBasicBlockInContext(ctx, function, "sums." + name);
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(ctx, function, "sumsbody." + name);
    LLVMBasicBlockRef exit = LLVMAppendBasicBlockInContext(ctx, function, "sumsexit." + name);
    LLVMBuildBr(b, header);
    LLVMPositionBuilderAtEnd(b, header);
    LLVMValueRef k = LLVMBuildPhi(b, i64, name);
    List<LLVMValueRef> accs = new ArrayList<>();
    List<LLVMValueRef> inits = new ArrayList<>();
    for (Expr e : sums) {
      accs.add(LLVMBuildPhi(b, Types.compute(ctx, e.type()), "acc"));
      inits.add(scalars.reduceIdentity(e.reduce(), e.type()));
    }
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, k, trips, "more"), body, exit);
    LLVMPositionBuilderAtEnd(b, body);
    Set<Long> inner = new HashSet<>(bound);
    List<Expr> bodies = new ArrayList<>();
    for (Expr e : sums) {
      vars.put(e.var().longValue(), k);
      inner.add(e.var().longValue());
      bodies.add(e.a());
    }
    scopes.push(new IdentityHashMap<>());
    List<Expr> nested = FreeVars.reductions(bodies);
    if (!nested.isEmpty()) hoist(nested, inner);
    List<LLVMValueRef> nexts = new ArrayList<>();
    for (int i = 0; i < sums.size(); i++) {
      Expr e = sums.get(i);
      LLVMValueRef x = value(e.a());
      LLVMValueRef next = scalars.combine(e.reduce(), e.type(), accs.get(i), x);
      if (e.type().isFloat()) reassociable(next, x);
      nexts.add(next);
    }
    scopes.pop();
    for (Expr e : sums) vars.remove(e.var().longValue());
    LLVMValueRef kNext = LLVMBuildAdd(b, k, LLVMConstInt(i64, 1, 0), "k.next");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(b);
    LLVMBuildBr(b, header);
    LLVMAddIncoming(k, new PointerPointer<>(LLVMConstInt(i64, 0, 0), kNext), new PointerPointer<>(pre, latch), 2);
    for (int i = 0; i < sums.size(); i++) {
      LLVMAddIncoming(accs.get(i), new PointerPointer<>(inits.get(i), nexts.get(i)), new PointerPointer<>(pre, latch), 2);
    }
    LLVMPositionBuilderAtEnd(b, exit);
    for (int i = 0; i < sums.size(); i++) scopes.peek().put(sums.get(i), accs.get(i));
  }

  private void store(Kernel.Store s, LLVMValueRef v) {
    if (s.guard() != null) {
      // A tile's surplus lane: branch around the store (its value was computed with clamped loads).
      LLVMBasicBlockRef yes = LLVMAppendBasicBlockInContext(ctx, function, "store");
      LLVMBasicBlockRef after = LLVMAppendBasicBlockInContext(ctx, function, "stored");
      LLVMBuildCondBr(b, value(s.guard()), yes, after);
      LLVMPositionBuilderAtEnd(b, yes);
      scopes.push(new IdentityHashMap<>());
      unguardedStore(s, v);
      scopes.pop();
      LLVMBuildBr(b, after);
      LLVMPositionBuilderAtEnd(b, after);
      return;
    }
    unguardedStore(s, v);
  }

  private void unguardedStore(Kernel.Store s, LLVMValueRef v) {
    DType storage = s.buffer().dtype();
    LLVMTypeRef elem = Types.storage(ctx, storage);
    LLVMValueRef addr = address(elem, bases.get(s.buffer()), s.index());
    LLVMBuildStore(b, scalars.toStorage(v, s.value().type(), storage), addr);
  }

  private LLVMValueRef lookup(Expr e) {
    for (Map<Expr, LLVMValueRef> scope : scopes) {
      LLVMValueRef v = scope.get(e);
      if (v != null) return v;
    }
    return null;
  }

  /** The SSA value of {@code e} at the builder's position. */
  LLVMValueRef value(Expr e) {
    LLVMValueRef have = lookup(e);
    if (have != null) return have;
    LLVMValueRef v = switch (e.kind()) {
      case CONST -> scalars.constant(e);
      case VAR -> {
        LLVMValueRef x = vars.get(e.longValue());
        if (x == null) throw new KirException("variable " + e.name() + " used outside its loop");
        yield x;
      }
      case LOAD -> load(e);
      case UNARY -> scalars.unary(e.unary(), e.a().type(), value(e.a()));
      case BINARY -> scalars.binary(e.binary(), e.a().type(), value(e.a()), value(e.b()));
      case SELECT -> LLVMBuildSelect(b, value(e.a()), value(e.b()), value(e.c()), "sel");
      case CAST -> scalars.cast(e.a().type(), e.type(), value(e.a()));
      case REDUCE -> reduce(e, LLVMConstInt(LLVMInt64TypeInContext(ctx), 0, 0), LLVMConstInt(LLVMInt64TypeInContext(ctx), 1, 0));
      case DIM -> {
        if (e.longValue() >= dimValues.size()) throw new KirException("dim " + e.name() + " (slot " + e.longValue() + ") is not a kernel argument");
        yield dimValues.get((int) e.longValue());
      }
    };
    // Loop variables and constants need no memo; everything else is shared within its scope.
    if (e.kind() != Expr.Kind.VAR) scopes.peek().put(e, v);
    return v;
  }

  private LLVMValueRef load(Expr e) {
    Buffer buf = e.buffer();
    LLVMValueRef base = bases.get(buf);
    if (base == null) throw new KirException("load from " + buf + " which is not a kernel parameter");
    LLVMTypeRef elem = Types.storage(ctx, buf.dtype());
    LLVMValueRef addr = address(elem, base, e.a());
    LLVMValueRef raw = LLVMBuildLoad2(b, elem, addr, buf.name());
    return scalars.fromStorage(raw, buf.dtype());
  }

  /** The address of element {@code index} of the buffer at {@code base} (loads and stores alike). */
  private LLVMValueRef address(LLVMTypeRef elem, LLVMValueRef base, Expr index) {
    if (index.kind() == Expr.Kind.BINARY && index.binary() == dev.weft.codegen.kir.BinaryOp.ADD
        && (index.a().kind() == Expr.Kind.VAR || index.b().kind() == Expr.Kind.VAR)) {
      // row + var as two steps: a row pointer, then the variable's offset. As one flat index
      // LLVM may rewrite "row + k" into "row | k" (disjoint bits when the row stride is a power
      // of two), which the vectorizer no longer sees as consecutive and turns into gathers
      // (or, for a store, leaves the loop scalar).
      Expr var = index.a().kind() == Expr.Kind.VAR ? index.a() : index.b();
      Expr row = var == index.a() ? index.b() : index.a();
      LLVMValueRef rowAddr = LLVMBuildGEP2(b, elem, base, one(value(row)), 1, "row");
      return LLVMBuildGEP2(b, elem, rowAddr, one(value(var)), 1, "addr");
    }
    return LLVMBuildGEP2(b, elem, base, one(value(index)), 1, "addr");
  }

  /**
   * Lets LLVM reorder a float sum ({@code reassoc}: several partial accumulators, a vectorized
   * reduction) and fuse a product into its accumulation ({@code contract}: FMA). Without it the
   * loop is one serial chain of dependent adds, which neither the vectorizer nor the
   * interleaver may touch; the reordered sum differs from the strict one by rounding only.
   */
  private static void reassociable(LLVMValueRef add, LLVMValueRef term) {
    int flags = LLVMFastMathAllowReassoc | LLVMFastMathAllowContract;
    if (LLVMIsAInstruction(add) != null && LLVMCanValueUseFastMathFlags(add) != 0) LLVMSetFastMathFlags(add, LLVMGetFastMathFlags(add) | flags);
    if (LLVMIsAInstruction(term) != null && LLVMCanValueUseFastMathFlags(term) != 0) LLVMSetFastMathFlags(term, LLVMGetFastMathFlags(term) | LLVMFastMathAllowContract);
  }

  /** A one-element argument array (JavaCPP's PointerPointer(Pointer) constructor would alias the value itself). */
  private static PointerPointer<LLVMValueRef> one(LLVMValueRef v) { return new PointerPointer<>(new LLVMValueRef[] {v}); }

  /** {@code e}'s terms {@code start, start + step, ...} folded from the identity: the whole reduction for 0 and 1. */
  private LLVMValueRef reduce(Expr e, LLVMValueRef start, LLVMValueRef step) {
    LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx);
    LLVMTypeRef t = Types.compute(ctx, e.type());
    LLVMValueRef init = scalars.reduceIdentity(e.reduce(), e.type());
    LLVMValueRef trips = e.limit() == null ? LLVMConstInt(i64, e.extent(), 0) : value(e.limit());
    LLVMBasicBlockRef pre = LLVMGetInsertBlock(b);
    LLVMBasicBlockRef header = LLVMAppendBasicBlockInContext(ctx, function, "red." + e.var().name());
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(ctx, function, "redbody." + e.var().name());
    LLVMBasicBlockRef exit = LLVMAppendBasicBlockInContext(ctx, function, "redexit." + e.var().name());
    LLVMBuildBr(b, header);
    LLVMPositionBuilderAtEnd(b, header);
    LLVMValueRef k = LLVMBuildPhi(b, i64, e.var().name());
    LLVMValueRef acc = LLVMBuildPhi(b, t, "acc");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, k, trips, "more"), body, exit);
    LLVMPositionBuilderAtEnd(b, body);
    vars.put(e.var().longValue(), k);
    scopes.push(new IdentityHashMap<>());
    LLVMValueRef x = value(e.a());
    LLVMValueRef next = scalars.combine(e.reduce(), e.type(), acc, x);
    if (e.type().isFloat() && e.reduce() == dev.weft.codegen.kir.ReduceOp.SUM) reassociable(next, x);
    scopes.pop();
    vars.remove(e.var().longValue());
    LLVMValueRef kNext = LLVMBuildAdd(b, k, step, "k.next");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(b);
    LLVMBuildBr(b, header);
    LLVMAddIncoming(k, new PointerPointer<>(start, kNext), new PointerPointer<>(pre, latch), 2);
    LLVMAddIncoming(acc, new PointerPointer<>(init, next), new PointerPointer<>(pre, latch), 2);
    LLVMPositionBuilderAtEnd(b, exit);
    return acc;
  }
}
