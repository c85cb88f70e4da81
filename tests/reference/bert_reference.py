#!/usr/bin/env python3
"""Independent BERT reference in NumPy (float64), used to check `sweet inspect`.

Reads a Hugging Face checkpoint folder (config.json + model.safetensors, parsed here by
hand: no safetensors or transformers package needed), runs the encoder on the input_ids /
attention_mask / token_type_ids stored in an `sweet inspect` output file, and compares
every hidden state and the pooled output. Exits non-zero when any differs by more than
the tolerance (default 1e-4).

usage: bert_reference.py CHECKPOINT_DIR INSPECT.h5 [--tol 1e-4]
"""
import math
import sys

import numpy as np

from reference_io import activation, compare_with_inspect, layer_norm


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
        h = activation(lin(a, "intermediate.dense"), cfg.get("hidden_act", "gelu"))
        x = layer_norm(lin(h, "output.dense") + a, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
        states.append(x)
    pooled = np.tanh(x[:, 0] @ w["pooler.dense.weight"].T + w["pooler.dense.bias"])
    return states, pooled


if __name__ == "__main__":
    sys.exit(compare_with_inspect(__doc__, bert, "bert."))
