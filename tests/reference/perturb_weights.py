#!/usr/bin/env python3
"""Makes a fresh random checkpoint's weights large enough for a parity test to see errors.

Hugging Face's initialisation (and `sweet init-checkpoint`) draws matrices from N(0, 0.02)
and starts biases at 0 and LayerNorm at (1, 0). With such small weights every attention
score is nearly 0, attention is nearly uniform, and a wrong index (p2c reading delta(j, i)
instead of delta(i, j)) or a bias read from the wrong place changes hidden states by less
than 1e-6, which a 1e-4 parity check cannot see. So, in place: every matrix (2-D and up)
is multiplied by --weight-scale and every 1-D tensor gets N(0, --scale) added. F32 only;
keys, order and shapes are unchanged.

usage: perturb_weights.py MODEL.safetensors [--seed 0] [--scale 0.1] [--weight-scale 10]
"""
import argparse
import json
import struct

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--weight-scale", type=float, default=10.0)
    args = ap.parse_args()
    with open(args.file, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    rng = np.random.default_rng(args.seed)
    blobs = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = data[base + begin: base + end]
        if entry["dtype"] == "F32" and len(entry["shape"]) == 1:
            arr = np.frombuffer(raw, dtype="<f4").astype(np.float64)
            arr = arr + rng.normal(0.0, args.scale, arr.shape)
            raw = arr.astype("<f4").tobytes()
        elif entry["dtype"] == "F32":
            raw = (np.frombuffer(raw, dtype="<f4").astype(np.float64) * args.weight_scale).astype("<f4").tobytes()
        blobs[name] = raw
    # Same layout: offsets unchanged because every tensor keeps its byte size.
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(args.file, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name, entry in sorted(((k, v) for k, v in header.items() if k != "__metadata__"),
                                  key=lambda kv: kv[1]["data_offsets"][0]):
            f.write(blobs[name])


if __name__ == "__main__":
    main()
