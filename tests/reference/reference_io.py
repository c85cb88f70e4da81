"""What the NumPy references share: reading a safetensors file by hand (no safetensors or
transformers package needed), the float64 building blocks every encoder uses, and the
comparison with a `sweet inspect` output file. The models themselves (bert_reference.py,
deberta_reference.py) stay separate and literal."""
import argparse
import json
import math
import struct

import h5py
import numpy as np

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64}


def load_safetensors(path, strip_prefix):
    """Every tensor as float64, keys without `strip_prefix` ("bert.", "deberta.")."""
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
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=np.dtype(DTYPES[entry["dtype"]]).newbyteorder("<"))
        key = name[len(strip_prefix):] if name.startswith(strip_prefix) else name
        tensors[key] = arr.reshape(entry["shape"]).astype(np.float64)
    return tensors


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


_erf = np.vectorize(math.erf)


def activation(x, kind):
    if kind == "gelu":
        return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))
    if kind == "relu":
        return np.maximum(x, 0)
    if kind == "tanh":
        return np.tanh(x)
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))  # gelu_new / tanh


def compare_with_inspect(doc, model, strip_prefix):
    """The scripts' main: CHECKPOINT_DIR INSPECT.h5 [--tol]; `model(cfg, w, ids, mask, types)`
    returns (hidden states, pooled). Returns the exit status."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("inspect_file")
    ap.add_argument("--tol", type=float, default=1e-4)
    args = ap.parse_args()
    cfg = json.load(open(f"{args.checkpoint}/config.json"))
    w = load_safetensors(f"{args.checkpoint}/model.safetensors", strip_prefix)
    with h5py.File(args.inspect_file, "r") as f:
        ids, mask, types = f["input_ids"][()], f["attention_mask"][()], f["token_type_ids"][()]
        hidden, pooled = f["hidden_states"][()], f["pooled"][()]
    states, ref_pooled = model(cfg, w, ids, mask, types)
    worst = 0.0
    keep = mask.astype(bool)  # padded positions are not compared: nobody reads them
    for l, ref in enumerate(states):
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
