#!/usr/bin/env python3
"""Independent BERT reference in NumPy (float64), used to check `sweet inspect`.

Reads a Hugging Face checkpoint folder (config.json + model.safetensors, parsed here by
hand: no safetensors or transformers package needed), runs the encoder on the input_ids /
attention_mask / token_type_ids stored in an `sweet inspect` output file, and compares
every hidden state and the pooled output. Exits non-zero when any differs by more than
the tolerance (default 1e-4).

usage: bert_reference.py CHECKPOINT_DIR INSPECT.h5 [--tol 1e-4]
"""
import argparse
import json
import math
import struct
import sys

import h5py
import numpy as np

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64}


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = data[base + begin: base + end]
        if entry["dtype"] == "BF16":  # widen bf16 to f32 by shifting into the high half
            u16 = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            arr = u16.view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=np.dtype(DTYPES[entry["dtype"]]).newbyteorder("<"))
        tensors[name[5:] if name.startswith("bert.") else name] = arr.reshape(entry["shape"]).astype(np.float64)
    return tensors


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


_erf = np.vectorize(math.erf)


def gelu(x, kind):
    if kind == "gelu":
        return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))
    if kind == "relu":
        return np.maximum(x, 0)
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def bert(cfg, w, ids, mask, types):
    eps = cfg.get("layer_norm_eps", 1e-12)
    n_heads = cfg["num_attention_heads"]
    B, T = ids.shape
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][np.arange(T)][None]
    if "embeddings.token_type_embeddings.weight" in w:
        x = x + w["embeddings.token_type_embeddings.weight"][types]
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    states = [x]
    bias = np.where(mask[:, None, None, :] > 0, 0.0, -1e30)
    H = x.shape[-1]
    D = H // n_heads
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        lin = lambda v, name: v @ w[p + name + ".weight"].T + w[p + name + ".bias"]
        split = lambda v: v.reshape(B, T, n_heads, D).transpose(0, 2, 1, 3)
        q, k, v = (split(lin(x, "attention.self." + n)) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(D) + bias
        scores = scores - scores.max(-1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(-1, keepdims=True)
        ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(B, T, H)
        a = layer_norm(lin(ctx, "attention.output.dense") + x,
                       w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps)
        h = gelu(lin(a, "intermediate.dense"), cfg.get("hidden_act", "gelu"))
        x = layer_norm(lin(h, "output.dense") + a, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
        states.append(x)
    pooled = np.tanh(x[:, 0] @ w["pooler.dense.weight"].T + w["pooler.dense.bias"])
    return states, pooled


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("inspect_file")
    ap.add_argument("--tol", type=float, default=1e-4)
    args = ap.parse_args()
    cfg = json.load(open(f"{args.checkpoint}/config.json"))
    w = load_safetensors(f"{args.checkpoint}/model.safetensors")
    with h5py.File(args.inspect_file, "r") as f:
        ids, mask, types = f["input_ids"][()], f["attention_mask"][()], f["token_type_ids"][()]
        hidden, pooled = f["hidden_states"][()], f["pooled"][()]
    states, ref_pooled = bert(cfg, w, ids, mask, types)
    worst = 0.0
    for l, ref in enumerate(states):
        keep = mask.astype(bool)  # padded positions are not compared: nobody reads them
        diff = np.abs(hidden[l][keep] - ref[keep]).max()
        worst = max(worst, diff)
        print(f"layer {l:2d}: max |diff| = {diff:.3e}")
    pdiff = np.abs(pooled - ref_pooled).max()
    worst = max(worst, pdiff)
    print(f"pooled  : max |diff| = {pdiff:.3e}")
    if worst > args.tol:
        print(f"FAIL: {worst:.3e} > tolerance {args.tol:.0e}")
        return 1
    print(f"OK: every hidden state within {args.tol:.0e} of the NumPy reference")
    return 0


if __name__ == "__main__":
    sys.exit(main())
