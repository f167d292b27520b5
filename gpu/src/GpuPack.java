import dev.weft.api.Weft;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.manifest.TensorSpec;
import dev.weft.bundle.safetensors.Safetensors;
import dev.weft.compiler.BundleOutput;
import dev.weft.compiler.CompileOptions;
import dev.weft.compiler.Compiler;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import dev.weft.ir.Module;
import dev.weft.ir.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pack-time half of the GPU check (runs here, on the full Weft class path): for each corpus
 * model, compiles a bundle for the target with the shapes of its test_data_set_0 inputs and
 * converts the test inputs and oracle outputs from ONNX .pb to safetensors keyed by the
 * bundle's input/output names, because the device side (GpuCheck) has only runtime + bundle
 * and no ONNX reader.
 *
 * <p>Usage: GpuPack TARGET PACK_DIR NAME=MODEL.onnx...  Writes PACK_DIR/NAME/{bundle/,
 * inputs.safetensors, expected.safetensors, case.json}.
 */
public final class GpuPack {
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: GpuPack TARGET PACK_DIR NAME=MODEL.onnx...");
      System.exit(2);
    }
    String target = args[0];
    Path pack = Path.of(args[1]);
    for (int a = 2; a < args.length; a++) {
      int eq = args[a].indexOf('=');
      String name = args[a].substring(0, eq);
      Path model = Path.of(args[a].substring(eq + 1));
      packOne(target, pack.resolve(name), name, model);
    }
  }

  private static void packOne(String target, Path dir, String name, Path model) throws Exception {
    OnnxModel om = OnnxModelReader.read(model);
    Set<String> inits = new HashSet<>();
    for (TensorProto t : om.proto().getGraph().getInitializerList()) inits.add(t.getName());
    Path set = model.resolveSibling("test_data_set_0");
    List<Tensor> inputs = new ArrayList<>();
    int k = 0;
    for (ValueInfoProto vi : om.proto().getGraph().getInputList()) {
      if (inits.contains(vi.getName())) continue;
      inputs.add((Tensor) OnnxTestData.read(set.resolve("input_" + k++ + ".pb"), vi.getType()));
    }
    Module m = OnnxImporter.importModel(om);
    List<String> names = m.main().inputs().stream().map(Value::name).toList();
    long t0 = System.nanoTime();
    Compiler.Compilation c = Compiler.compile(m, new CompileOptions(target, Weft.profileOf(names, inputs), null, "fp32"), null);
    Manifest manifest = BundleOutput.write(c, dir.resolve("bundle"));
    double ms = (System.nanoTime() - t0) / 1e6;
    Map<String, Tensor> in = new LinkedHashMap<>();
    for (int i = 0; i < inputs.size(); i++) in.put(manifest.inputs().get(i).name(), inputs.get(i));
    Map<String, Tensor> expected = new LinkedHashMap<>();
    List<TensorSpec> outs = manifest.outputs();
    for (int i = 0; i < outs.size(); i++) {
      Object oracle = OnnxTestData.read(set.resolve("output_" + i + ".pb"), om.proto().getGraph().getOutput(i).getType());
      expected.put(outs.get(i).name(), (Tensor) oracle);
    }
    Safetensors.write(dir.resolve("inputs.safetensors"), in);
    Safetensors.write(dir.resolve("expected.safetensors"), expected);
    StringBuilder j = new StringBuilder("{\"model\": \"" + name + "\", \"onnx\": \"" + model.getFileName() + "\", \"target\": \""
        + target + "\", \"kernels\": " + c.lowered().kernels().size() + ", \"inputs\": [");
    for (int i = 0; i < in.size(); i++) j.append(i > 0 ? ", " : "").append('"').append(manifest.inputs().get(i).name()).append('"');
    j.append("], \"outputs\": [");
    for (int i = 0; i < outs.size(); i++) j.append(i > 0 ? ", " : "").append('"').append(outs.get(i).name()).append('"');
    j.append("]}\n");
    Files.writeString(dir.resolve("case.json"), j.toString());
    System.out.printf("pack %-14s %s: %d kernels, compile %.0f ms%n", name, target, c.lowered().kernels().size(), ms);
  }
}
