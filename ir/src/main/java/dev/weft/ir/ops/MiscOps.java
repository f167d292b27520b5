package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.KernelContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Ops with no sensible core decomposition (custom: reference kernels only), ONNX semantics:
 * {@code non_max_suppression}, {@code det}, {@code affine_grid}, {@code col2im}.
 */
public final class MiscOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.custom("non_max_suppression").inputs(2, 5)
            .attr("center_point_box", Attribute.of(0L))
            .infer(c -> {
              Shape b = c.shape(0);
              Shape s = c.shape(1);
              if (b.isRanked() && (b.rank() != 3 || (b.dim(2).isStatic() && b.dim(2).size() != 4))) {
                throw c.fail("boxes must be [batches, boxes, 4], got " + b);
              }
              if (s.isRanked() && s.rank() != 3) throw c.fail("scores must be [batches, classes, boxes], got " + s);
              return List.of(TensorType.of(DType.I64, c.fresh(), Dim.of(3)));
            })
            .kernel(MiscOps::nms)
            .doc("ONNX NonMaxSuppression: operands (boxes, scores, max_output_boxes_per_class?,"
                + " iou_threshold?, score_threshold?); result [selected, 3] = (batch, class, box).")
            .build(),
        OpDef.custom("det").inputs(1)
            .infer(c -> {
              TensorType x = c.tensor(0);
              if (!x.dtype().isFloat()) throw c.fail("det needs a float matrix, got " + x.dtype());
              Shape s = x.shape();
              if (!s.isRanked()) return List.of(x);
              if (s.rank() < 2) throw c.fail("det needs [..., M, M], got " + s);
              Dim a = s.dim(s.rank() - 2);
              Dim b = s.dim(s.rank() - 1);
              if (a.isStatic() && b.isStatic() && a.size() != b.size()) throw c.fail("det needs square matrices, got " + s);
              return List.of(x.withShape(new Shape(s.dims().subList(0, s.rank() - 2))));
            })
            .kernel(MiscOps::det)
            .doc("Determinant of each trailing square matrix (LU with partial pivoting, in double).")
            .build(),
        OpDef.custom("affine_grid").inputs(2)
            .attr("align_corners", Attribute.of(0L))
            .infer(MiscOps::inferAffineGrid)
            .kernel(MiscOps::affineGrid)
            .build(),
        OpDef.custom("col2im").inputs(3)
            .optional("dilations", Attribute.Kind.INTS)
            .optional("pads", Attribute.Kind.INTS)
            .optional("strides", Attribute.Kind.INTS)
            .infer(MiscOps::inferCol2im)
            .kernel(MiscOps::col2im)
            .build());
  }

  // ---- non_max_suppression ----

  static Object[] nms(KernelContext c) {
    Tensor boxes = c.tensor(0);
    Tensor scores = c.tensor(1);
    long maxOut = c.has(2) && c.tensor(2).size() > 0 ? c.tensor(2).getLong(0) : 0;
    float iouThreshold = c.has(3) && c.tensor(3).size() > 0 ? c.tensor(3).getFloat(0) : 0f;
    boolean hasScoreThreshold = c.has(4) && c.tensor(4).size() > 0;
    float scoreThreshold = hasScoreThreshold ? c.tensor(4).getFloat(0) : 0f;
    boolean center = c.attrs().getBool("center_point_box");
    if (iouThreshold < 0 || iouThreshold > 1) throw c.fail("iou_threshold " + iouThreshold + " outside [0, 1]");
    long batches = boxes.dim(0);
    int n = Math.toIntExact(boxes.dim(1));
    long classes = scores.dim(1);
    if (scores.dim(0) != batches || scores.dim(2) != n) {
      throw c.fail("scores " + java.util.Arrays.toString(scores.shape()) + " do not match boxes " + java.util.Arrays.toString(boxes.shape()));
    }
    List<long[]> selected = new ArrayList<>();
    float[][] corners = new float[n][4];
    for (long b = 0; b < batches; b++) {
      for (int i = 0; i < n; i++) corners[i] = corners(boxes, (b * n + i) * 4, center);
      for (long k = 0; k < classes; k++) {
        if (maxOut <= 0) continue;
        long base = (b * classes + k) * n;
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          if (!hasScoreThreshold || scores.getFloat(base + i) > scoreThreshold) candidates.add(i);
        }
        // Highest score first; equal scores keep the lower box index first.
        candidates.sort((x, y) -> {
          int cmp = Float.compare(scores.getFloat(base + y), scores.getFloat(base + x));
          return cmp != 0 ? cmp : Integer.compare(x, y);
        });
        List<Integer> kept = new ArrayList<>();
        for (int i : candidates) {
          if (kept.size() >= maxOut) break;
          boolean keep = true;
          for (int j : kept) {
            if (suppresses(corners[i], corners[j], iouThreshold)) {
              keep = false;
              break;
            }
          }
          if (keep) {
            kept.add(i);
            selected.add(new long[] {b, k, i});
          }
        }
      }
    }
    Tensor y = Tensor.zeros(DType.I64, selected.size(), 3);
    for (int i = 0; i < selected.size(); i++) for (int j = 0; j < 3; j++) y.setLong(i * 3L + j, selected.get(i)[j]);
    return KernelContext.one(y);
  }

  /** (ymin, xmin, ymax, xmax) of a box, either corner format (any diagonal) or center format. */
  private static float[] corners(Tensor boxes, long at, boolean center) {
    float a = boxes.getFloat(at);
    float b = boxes.getFloat(at + 1);
    float c = boxes.getFloat(at + 2);
    float d = boxes.getFloat(at + 3);
    if (center) {
      // (x_center, y_center, width, height)
      return new float[] {b - d / 2f, a - c / 2f, b + d / 2f, a + c / 2f};
    }
    return new float[] {Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)};
  }

  /** IoU strictly above the threshold; degenerate boxes never suppress. Float math, as ONNX Runtime. */
  private static boolean suppresses(float[] p, float[] q, float threshold) {
    float ymin = Math.max(p[0], q[0]);
    float xmin = Math.max(p[1], q[1]);
    float ymax = Math.min(p[2], q[2]);
    float xmax = Math.min(p[3], q[3]);
    float inter = Math.max(0f, ymax - ymin) * Math.max(0f, xmax - xmin);
    if (inter <= 0) return false;
    float areaP = (p[2] - p[0]) * (p[3] - p[1]);
    float areaQ = (q[2] - q[0]) * (q[3] - q[1]);
    float union = areaP + areaQ - inter;
    if (areaP <= 0 || areaQ <= 0 || union <= 0) return false;
    return inter / union > threshold;
  }

  // ---- det ----

  static Object[] det(KernelContext c) {
    Tensor x = c.tensor(0);
    int r = x.rank();
    int m = Math.toIntExact(x.dim(r - 1));
    if (x.dim(r - 2) != m) throw c.fail("det needs square matrices");
    long[] os = java.util.Arrays.copyOf(x.shape(), r - 2);
    Tensor y = Tensor.zeros(c.outputType(0).dtype(), os);
    double[][] a = new double[m][m];
    for (long b = 0; b < y.size(); b++) {
      for (int i = 0; i < m; i++) for (int j = 0; j < m; j++) a[i][j] = x.getDouble(b * m * m + (long) i * m + j);
      y.setDouble(b, luDet(a, m));
    }
    return KernelContext.one(y);
  }

  static double luDet(double[][] a, int m) {
    double det = 1;
    for (int col = 0; col < m; col++) {
      int piv = col;
      for (int i = col + 1; i < m; i++) if (Math.abs(a[i][col]) > Math.abs(a[piv][col])) piv = i;
      if (a[piv][col] == 0) return 0;
      if (piv != col) {
        double[] t = a[piv];
        a[piv] = a[col];
        a[col] = t;
        det = -det;
      }
      det *= a[col][col];
      for (int i = col + 1; i < m; i++) {
        double f = a[i][col] / a[col][col];
        for (int j = col; j < m; j++) a[i][j] -= f * a[col][j];
      }
    }
    return det;
  }

  // ---- affine_grid ----

  static List<Type> inferAffineGrid(InferContext c) {
    TensorType theta = c.tensor(0);
    if (!theta.dtype().isFloat()) throw c.fail("theta must be float, got " + theta.dtype());
    Tensor size = c.constant(1);
    if (size == null) {
      Shape ss = c.shape(1);
      if (ss.isStatic() && ss.rank() == 1) {
        int k = (int) ss.dim(0).size() - 2;
        List<Dim> d = new ArrayList<>();
        for (int i = 0; i < k + 1; i++) d.add(c.fresh());
        d.add(Dim.of(k));
        return List.of(theta.withShape(new Shape(d)));
      }
      return List.of(theta.withShape(Shape.unranked()));
    }
    if (size.size() != 4 && size.size() != 5) throw c.fail("size must be (N, C, H, W) or (N, C, D, H, W)");
    List<Dim> d = new ArrayList<>();
    d.add(Dim.of(size.getLong(0)));
    for (long i = 2; i < size.size(); i++) d.add(Dim.of(size.getLong(i)));
    d.add(Dim.of(size.size() - 2));
    return List.of(theta.withShape(new Shape(d)));
  }

  static Object[] affineGrid(KernelContext c) {
    Tensor theta = c.tensor(0);
    long[] size = c.tensor(1).toLongArray();
    int k = size.length - 2;
    if (k != 2 && k != 3) throw c.fail("size must have 4 or 5 entries");
    long n = size[0];
    if (theta.rank() != 3 || theta.dim(0) != n || theta.dim(1) != k || theta.dim(2) != k + 1) {
      throw c.fail("theta must be [" + n + ", " + k + ", " + (k + 1) + "], got " + java.util.Arrays.toString(theta.shape()));
    }
    boolean align = c.attrs().getBool("align_corners");
    long[] spatial = java.util.Arrays.copyOfRange(size, 2, size.length);   // (H, W) or (D, H, W)
    long[] os = new long[k + 2];
    os[0] = n;
    System.arraycopy(spatial, 0, os, 1, k);
    os[k + 1] = k;
    Tensor y = Tensor.zeros(c.outputType(0).dtype(), os);
    long points = Blocks.prod(spatial, 0, k);
    double[] coord = new double[k + 1];
    for (long b = 0; b < n; b++) {
      for (long p = 0; p < points; p++) {
        long rem = p;
        // Coordinates in (x, y[, z]) order: x runs along the last spatial dim.
        for (int d = k - 1; d >= 0; d--) {
          long idx = rem % spatial[d];
          rem /= spatial[d];
          coord[k - 1 - d] = align
              ? (spatial[d] == 1 ? -1 : -1 + 2.0 * idx / (spatial[d] - 1))
              : -1 + (2.0 * idx + 1) / spatial[d];
        }
        coord[k] = 1;
        for (int i = 0; i < k; i++) {
          double s = 0;
          for (int j = 0; j <= k; j++) s += theta.getDouble((b * k + i) * (k + 1) + j) * coord[j];
          y.setDouble((b * points + p) * k + i, s);
        }
      }
    }
    return KernelContext.one(y);
  }

  // ---- col2im ----

  static List<Type> inferCol2im(InferContext c) {
    TensorType x = c.tensor(0);
    Tensor image = c.constant(1);
    Tensor block = c.constant(2);
    Shape s = x.shape();
    if (s.isRanked() && s.rank() != 3) throw c.fail("col2im input must be [N, C*prod(block), L], got " + s);
    List<Dim> d = new ArrayList<>();
    d.add(s.isRanked() ? s.dim(0) : c.fresh());
    if (block != null && s.isRanked() && s.dim(1).isStatic()) {
      long bl = 1;
      for (long v : block.toLongArray()) bl *= v;
      if (bl <= 0 || s.dim(1).size() % bl != 0) throw c.fail("input dim 1 (" + s.dim(1) + ") is not a multiple of prod(block_shape) " + bl);
      d.add(Dim.of(s.dim(1).size() / bl));
    } else {
      d.add(c.fresh());
    }
    if (image == null) {
      Shape is = c.shape(1);
      if (!is.isStatic() || is.rank() != 1) return List.of(x.withShape(Shape.unranked()));
      for (long i = 0; i < is.dim(0).size(); i++) d.add(c.fresh());
    } else {
      for (long v : image.toLongArray()) d.add(Dim.of(v));
    }
    return List.of(x.withShape(new Shape(d)));
  }

  static Object[] col2im(KernelContext c) {
    Tensor x = c.tensor(0);
    long[] image = c.tensor(1).toLongArray();
    long[] block = c.tensor(2).toLongArray();
    int k = image.length;
    if (block.length != k) throw c.fail("image_shape and block_shape differ in length");
    long[] dil = c.attrs().getIntsOr("dilations", filled(k, 1));
    long[] pads = c.attrs().getIntsOr("pads", filled(2 * k, 0));
    long[] strides = c.attrs().getIntsOr("strides", filled(k, 1));
    if (dil.length != k || strides.length != k || pads.length != 2 * k) throw c.fail("dilations/pads/strides do not match " + k + " spatial dims");
    long bl = Blocks.prod(block, 0, k);
    long n = x.dim(0);
    if (x.dim(1) % bl != 0) throw c.fail("input dim 1 (" + x.dim(1) + ") is not a multiple of prod(block_shape) " + bl);
    long ch = x.dim(1) / bl;
    long[] blocks = new long[k];
    for (int i = 0; i < k; i++) {
      blocks[i] = (image[i] + pads[i] + pads[i + k] - dil[i] * (block[i] - 1) - 1) / strides[i] + 1;
    }
    long nBlocks = Blocks.prod(blocks, 0, k);
    if (x.dim(2) != nBlocks) throw c.fail("input has " + x.dim(2) + " blocks, the geometry gives " + nBlocks);
    long imgSize = Blocks.prod(image, 0, k);
    long[] os = new long[k + 2];
    os[0] = n;
    os[1] = ch;
    System.arraycopy(image, 0, os, 2, k);
    double[] acc = new double[Math.toIntExact(Math.multiplyExact(Math.multiplyExact(n, ch), imgSize))];
    long[] off = new long[k];
    long[] pos = new long[k];
    for (long b = 0; b < n; b++) {
      for (long cc = 0; cc < ch; cc++) {
        for (long kk = 0; kk < bl; kk++) {
          unflatten(kk, block, off);
          for (long l = 0; l < nBlocks; l++) {
            unflatten(l, blocks, pos);
            long flat = 0;
            boolean inside = true;
            for (int i = 0; i < k && inside; i++) {
              long at = pos[i] * strides[i] - pads[i] + off[i] * dil[i];
              inside = at >= 0 && at < image[i];
              flat = flat * image[i] + at;
            }
            if (!inside) continue;
            acc[(int) ((b * ch + cc) * imgSize + flat)] += x.getDouble(((b * ch + cc) * bl + kk) * nBlocks + l);
          }
        }
      }
    }
    Tensor y = Tensor.zeros(c.outputType(0).dtype(), os);
    for (int i = 0; i < acc.length; i++) y.setDouble(i, acc[i]);
    return KernelContext.one(y);
  }

  private static void unflatten(long flat, long[] dims, long[] out) {
    for (int i = dims.length - 1; i >= 0; i--) {
      out[i] = flat % dims[i];
      flat /= dims[i];
    }
  }

  private static long[] filled(int n, long v) {
    long[] a = new long[n];
    java.util.Arrays.fill(a, v);
    return a;
  }
}
