#!/usr/bin/env python3
"""Writes model.wir: a one-block GPT (token + position embedding, layer norm, causal 2-head
attention, tanh-GELU MLP, residuals, LM head) with seeded random weights. Not a trained model:
tests compile it against the reference interpreter, and ./weft trains its AOT cache on it so
the transformer paths (attention, layer norm, GELU recognition, matmul tiling) are preloaded.
Run: python3 examples/tiny-gpt/generate.py (from anywhere); the output is deterministic."""
import os
import random

random.seed(7)
V, S, H, NH, HD, F = 32, 8, 16, 2, 8, 32


def dense(shape, scale=0.3):
    n = 1
    for d in shape:
        n *= d
    vals = ", ".join(f"{random.uniform(-scale, scale):.6f}" for _ in range(n))
    return f"dense<f32[{','.join(map(str, shape))}]> [{vals}]"


L = ['module {',
     '  meta "producer" = "weft examples/tiny-gpt generator (random weights: a shape of gpt for tests and the launcher\'s AOT training, not a trained model)"',
     f'  graph @tiny_gpt(%input_ids: i64[1,{S}]) -> (%logits) {{']


def c(name, shape, scale=0.3):
    L.append(f'    %{name}: f32[{",".join(map(str, shape))}] = constant() {{value = {dense(shape, scale)}}}')


c('tok_emb', [V, H]); c('pos_emb', [S, H])
L.append(f'    %pos: i64[{S}] = constant() {{value = dense<i64[{S}]> [{", ".join(str(i) for i in range(S))}]}}')
c('ln1_w', [H], 0.1); c('ln1_b', [H], 0.1); c('qkv_w', [H, 3 * H]); c('qkv_b', [3 * H], 0.1); c('proj_w', [H, H]); c('proj_b', [H], 0.1)
c('ln2_w', [H], 0.1); c('ln2_b', [H], 0.1); c('fc_w', [H, F]); c('fc_b', [F], 0.1); c('out_w', [F, H]); c('out_b', [H], 0.1); c('head_w', [H, V])
L.append(f'    %scale: f32[] = constant() {{value = dense<f32[]> [{1 / HD ** 0.5:.6f}]}}')
L.append('    %neg: f32[] = constant() {value = dense<f32[]> [-10000.0]}')
mask = ", ".join("true" if j > i else "false" for i in range(S) for j in range(S))
L.append(f'    %causal: bool[1,1,{S},{S}] = constant() {{value = dense<bool[1,1,{S},{S}]> [{mask}]}}')
for n, v in [('c0', 0.044715), ('c1', 0.7978846), ('c2', 1.0), ('c3', 0.5)]:
    L.append(f'    %{n}: f32[] = constant() {{value = dense<f32[]> [{v}]}}')
L += [
    f'    %te: f32[1,{S},{H}] = gather(%tok_emb, %input_ids) {{axis = 0}}',
    f'    %pe: f32[{S},{H}] = gather(%pos_emb, %pos) {{axis = 0}}',
    f'    %x0: f32[1,{S},{H}] = add(%te, %pe)',
    f'    %n1: f32[1,{S},{H}], %n1m: f32[1,{S},1], %n1r: f32[1,{S},1] = layer_norm(%x0, %ln1_w, %ln1_b) {{axis = -1, epsilon = 1.0E-5}}',
    f'    %qkv0: f32[1,{S},{3 * H}] = matmul(%n1, %qkv_w)',
    f'    %qkv: f32[1,{S},{3 * H}] = add(%qkv0, %qkv_b)',
    f'    %q, %k, %v = split(%qkv) {{axis = 2, num_outputs = 3}}',
    f'    %q4: f32[1,{S},{NH},{HD}] = reshape(%q) {{shape = [1, {S}, {NH}, {HD}]}}',
    f'    %k4: f32[1,{S},{NH},{HD}] = reshape(%k) {{shape = [1, {S}, {NH}, {HD}]}}',
    f'    %v4: f32[1,{S},{NH},{HD}] = reshape(%v) {{shape = [1, {S}, {NH}, {HD}]}}',
    f'    %qt: f32[1,{NH},{S},{HD}] = transpose(%q4) {{perm = [0, 2, 1, 3]}}',
    f'    %kt: f32[1,{NH},{HD},{S}] = transpose(%k4) {{perm = [0, 2, 3, 1]}}',
    f'    %vt: f32[1,{NH},{S},{HD}] = transpose(%v4) {{perm = [0, 2, 1, 3]}}',
    f'    %s0: f32[1,{NH},{S},{S}] = matmul(%qt, %kt)',
    f'    %s1: f32[1,{NH},{S},{S}] = mul(%s0, %scale)',
    f'    %s2: f32[1,{NH},{S},{S}] = select(%causal, %neg, %s1)',
    f'    %p: f32[1,{NH},{S},{S}] = softmax(%s2) {{axis = -1}}',
    f'    %o: f32[1,{NH},{S},{HD}] = matmul(%p, %vt)',
    f'    %ot: f32[1,{S},{NH},{HD}] = transpose(%o) {{perm = [0, 2, 1, 3]}}',
    f'    %o3: f32[1,{S},{H}] = reshape(%ot) {{shape = [1, {S}, {H}]}}',
    f'    %pr0: f32[1,{S},{H}] = matmul(%o3, %proj_w)',
    f'    %pr: f32[1,{S},{H}] = add(%pr0, %proj_b)',
    f'    %x1: f32[1,{S},{H}] = add(%x0, %pr)',
    f'    %n2: f32[1,{S},{H}], %n2m: f32[1,{S},1], %n2r: f32[1,{S},1] = layer_norm(%x1, %ln2_w, %ln2_b) {{axis = -1, epsilon = 1.0E-5}}',
    f'    %f0: f32[1,{S},{F}] = matmul(%n2, %fc_w)',
    f'    %f1: f32[1,{S},{F}] = add(%f0, %fc_b)',
    f'    %g0: f32[1,{S},{F}] = mul(%f1, %f1)',
    f'    %g1: f32[1,{S},{F}] = mul(%f1, %g0)',
    f'    %g2: f32[1,{S},{F}] = mul(%c0, %g1)',
    f'    %g3: f32[1,{S},{F}] = add(%f1, %g2)',
    f'    %g4: f32[1,{S},{F}] = mul(%c1, %g3)',
    f'    %g5: f32[1,{S},{F}] = tanh(%g4)',
    f'    %g6: f32[1,{S},{F}] = add(%c2, %g5)',
    f'    %g7: f32[1,{S},{F}] = mul(%f1, %g6)',
    f'    %g8: f32[1,{S},{F}] = mul(%c3, %g7)',
    f'    %m0: f32[1,{S},{H}] = matmul(%g8, %out_w)',
    f'    %m1: f32[1,{S},{H}] = add(%m0, %out_b)',
    f'    %x2: f32[1,{S},{H}] = add(%x1, %m1)',
    f'    %logits: f32[1,{S},{V}] = matmul(%x2, %head_w)',
    '  }', '}']
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'model.wir'), 'w') as out:
    out.write("\n".join(L) + "\n")
