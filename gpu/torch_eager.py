#!/usr/bin/env python3
"""Merges GpuCheck's JSON lines with PyTorch timings of the same models and prints one JSON
line per model.

usage: torch_eager.py PACK_DIR WEFT_JSONL

For each weft line, PACK_DIR/<model>/model.pt.xz (the corpus's TorchScript file, xz-compressed
at pack time) is loaded with torch.jit.load and run on cuda with the same inputs (inputs.safetensors,
ordered by case.json). TorchScript's optimizer is switched off (torch.jit.optimized_execution(
False)), so the graph runs op by op as eager PyTorch would. Timed with CUDA events, median of
up to 200 runs after 10 warm-ups: torch_median_ms keeps inputs and outputs on the GPU;
torch_e2e_median_ms includes copying inputs in and outputs back, as weft_median_ms does.
Without torch, CUDA or model.pt the line says why under "torch".
"""
import json
import lzma
import os
import shutil
import statistics
import sys


def torch_times(case_dir):
    try:
        import torch
        from safetensors.numpy import load_file
    except Exception as e:  # the check still reports Weft's numbers
        return {"torch": "not importable: %s" % e}
    if not torch.cuda.is_available():
        return {"torch": "torch has no CUDA device"}
    packed = os.path.join(case_dir, "model.pt.xz")
    if not os.path.exists(packed):
        return {"torch": "no model.pt.xz in the pack (left out to fit the carry)"}
    pt = os.path.join("/tmp", "weft-%s.pt" % os.path.basename(case_dir))
    with lzma.open(packed) as src, open(pt, "wb") as dst:
        shutil.copyfileobj(src, dst)
    with open(os.path.join(case_dir, "case.json")) as f:
        case = json.load(f)
    arrays = load_file(os.path.join(case_dir, "inputs.safetensors"))
    expected = load_file(os.path.join(case_dir, "expected.safetensors"))
    host = [torch.from_numpy(arrays[n].copy()) for n in case["inputs"]]
    dev = [t.cuda() for t in host]
    model = torch.jit.load(pt, map_location="cuda").eval()

    def flat(o):
        if isinstance(o, torch.Tensor):
            return [o]
        out = []
        for x in o:
            out += flat(x)
        return out

    with torch.no_grad(), torch.jit.optimized_execution(False):
        outs = flat(model(*dev))
        want = torch.from_numpy(expected[case["outputs"][0]].copy()).cuda()
        got = outs[0].reshape(want.shape).to(want.dtype)
        err = (got - want).abs().max().item()

        def median_ms(fn):
            for _ in range(10):
                fn()
            torch.cuda.synchronize()
            times = []
            for _ in range(200):
                a = torch.cuda.Event(enable_timing=True)
                b = torch.cuda.Event(enable_timing=True)
                a.record()
                fn()
                b.record()
                b.synchronize()
                times.append(a.elapsed_time(b))
                if sum(times) > 3000:
                    break
            return statistics.median(times), len(times)

        on_device, n = median_ms(lambda: model(*dev))
        e2e, _ = median_ms(lambda: [o.cpu() for o in flat(model(*[t.cuda() for t in host]))])
    return {"torch": "torchscript, optimized_execution off", "torch_version": torch.__version__,
            "torch_max_abs_err_out0": err, "torch_median_ms": round(on_device, 4),
            "torch_e2e_median_ms": round(e2e, 4), "torch_runs": n}


def main():
    pack, weft_jsonl = sys.argv[1], sys.argv[2]
    with open(weft_jsonl) as f:
        lines = [json.loads(l) for l in f if l.startswith("{")]
    for rec in lines:
        try:
            rec.update(torch_times(os.path.join(pack, rec["model"])))
        except Exception as e:
            rec["torch"] = "failed: %s: %s" % (type(e).__name__, e)
        print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
