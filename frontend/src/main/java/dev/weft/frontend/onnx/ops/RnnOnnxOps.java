package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.NnLowering.*;

import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Value;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** LSTM, GRU and RNN onto the custom ops lstm, gru, rnn (same operands, attributes and results). */
public final class RnnOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable t) {
    for (int v : new int[] {1, 7, 14, 22}) t.add("LSTM", v, (n, c) -> lower(n, c, "lstm", 8, 4));
    for (int v : new int[] {1, 3, 7, 14, 22}) t.add("GRU", v, (n, c) -> lower(n, c, "gru", 6, 3));
    for (int v : new int[] {1, 7, 14, 22}) t.add("RNN", v, (n, c) -> lower(n, c, "rnn", 6, 1));
  }

  static List<Value> lower(OnnxNode n, ImportContext c, String op, int maxIn, int gates) {
    Map<String, Attribute> m = pass(n, "direction", "activations", "activation_alpha", "activation_beta", "clip", "layout",
        "input_forget", "linear_before_reset", "hidden_size");
    if (!m.containsKey("hidden_size")) {
      Dim h = n.required(2).tensorType().shape().dim(2);
      if (!h.isStatic()) throw c.fail(n, "hidden_size is absent and R's last dim is not static");
      m.put("hidden_size", Attribute.of(h.size()));
    }
    if (n.version() < 7 && op.equals("lstm") && n.attrInt("output_sequence", 0) != 0) {
      // output_sequence only controlled whether Y was produced; Y is always produced here.
    }
    Value[] ins = NnOnnxOps.inputs(n, maxIn);
    return outs(n, c.builder().op(op, Arrays.asList(ins), m));
  }

  static int unused(int g) { return g; }
}
