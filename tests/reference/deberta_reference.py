#!/usr/bin/env python3
"""Independent DeBERTa reference in NumPy (float64), used to check `sweet inspect`.

Written from the DeBERTa paper (He et al., 2021, eqs. 2-4: disentangled attention with
content->position and position->content terms over clipped relative distances) and Hugging
Face's documented behaviour for what the paper leaves open:
  * v1 ("deberta"): fused in_proj laid out head by head as [q_h; k_h; v_h], q_bias / v_bias,
    pos_proj (c2p) and pos_q_proj (p2c, with bias); span = min(T, max_relative_positions)
    and rel_embeddings rows [max_rel - span, max_rel + span).
  * v2/v3 ("deberta-v2"): query_proj / key_proj / value_proj, share_att_key, log-bucketed
    distances (position_buckets), LayerNorm on rel_embeddings (norm_rel_ebd), a convolution
    beside the first layer (conv_kernel_size).
  * p2c reads the same relative distance i - j as c2p (the released code; the paper writes
    delta(j, i)); every term is divided by sqrt(D * (1 + |pos_att_type|)).
  * padding: embeddings are zeroed at padded tokens, a padded query attends to nothing.
  * pooled output: pooler_hidden_act(dense(dropout(h[:, 0]))) (ContextPooler).
Parses safetensors by hand (no safetensors or transformers package needed), runs the
encoder on the input_ids / attention_mask / token_type_ids stored in a `sweet inspect`
output file and compares every hidden state (real tokens) and the pooled output. Exits
non-zero when any differs by more than the tolerance (default 1e-4).

usage: deberta_reference.py CHECKPOINT_DIR INSPECT.h5 [--tol 1e-4]
"""
import math
import sys

import numpy as np

from reference_io import activation, compare_with_inspect, layer_norm


def pos_att_types(cfg):
    t = cfg.get("pos_att_type") or []
    if isinstance(t, str):
        t = [x.strip().lower() for x in t.split("|") if x.strip()]
    return [x.lower() for x in t]


def relative_distance(cfg, T, v2, max_rel):
    """delta(i, j) before the shift by span: i - j, log-bucketed for v2 with buckets."""
    i = np.arange(T)[:, None]
    j = np.arange(T)[None, :]
    rel = (i - j).astype(np.float64)
    buckets = cfg.get("position_buckets", -1) if v2 else -1
    if buckets > 0 and max_rel > 0:
        mid = buckets // 2
        near = np.abs(rel) < mid
        a = np.where(near, mid - 1, np.abs(rel))
        far = np.ceil(np.log(a / mid) / np.log((max_rel - 1) / mid) * (mid - 1)) + mid
        rel = np.where(a <= mid, rel, np.sign(rel) * far)
    return rel.astype(np.int64)


def deberta(cfg, w, ids, mask, types):
    v2 = cfg.get("model_type") == "deberta-v2"
    eps = cfg.get("layer_norm_eps", 1e-7)
    A = cfg["num_attention_heads"]
    H = cfg["hidden_size"]
    D = H // A
    B, T = ids.shape
    kinds = pos_att_types(cfg)
    relative = cfg.get("relative_attention", False)
    max_rel = cfg.get("max_relative_positions", -1)
    if max_rel < 1:
        max_rel = cfg.get("max_position_embeddings", 512)
    m = mask.astype(np.float64)

    # Embeddings: word (+ absolute position) (+ token type) -> projection -> LayerNorm -> zero padding.
    x = w["embeddings.word_embeddings.weight"][ids]
    if cfg.get("position_biased_input", True):
        x = x + w["embeddings.position_embeddings.weight"][np.arange(T)][None]
    if cfg.get("type_vocab_size", 0) > 0:
        x = x + w["embeddings.token_type_embeddings.weight"][types]
    if "embeddings.embed_proj.weight" in w:
        x = x @ w["embeddings.embed_proj.weight"].T
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps) * m[:, :, None]
    embedded = x
    states = [x]

    # Relative embeddings each layer reads: rows P[delta] for delta in [0, 2 span).
    if relative:
        table = w["encoder.rel_embeddings.weight"]
        if v2:
            if "layer_norm" in [p.strip() for p in cfg.get("norm_rel_ebd", "none").lower().split("|")]:
                table = layer_norm(table, w["encoder.LayerNorm.weight"], w["encoder.LayerNorm.bias"], eps)
            buckets = cfg.get("position_buckets", -1)
            span = buckets if buckets > 0 else max_rel
            P = table[:2 * span]
        else:
            span = min(T, max_rel)
            P = table[max_rel - span: max_rel + span]
        delta = np.clip(relative_distance(cfg, T, v2, max_rel) + span, 0, 2 * span - 1)  # [T, T]
    scale = math.sqrt(D * (1 + len(kinds)))
    allowed = m[:, None, :, None] * m[:, None, None, :]  # [B, 1, Tq, Tk]: both tokens real

    for layer in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."
        sa = p + "attention.self."

        def lin(v, name, bias=True):
            out = v @ w[name + ".weight"].T
            return out + w[name + ".bias"] if bias else out

        def heads(v):  # [B or 1, n, H] -> [B or 1, A, n, D]
            return v.reshape(v.shape[0], v.shape[1], A, D).transpose(0, 2, 1, 3)

        if v2:
            q, k, v = heads(lin(x, sa + "query_proj")), heads(lin(x, sa + "key_proj")), heads(lin(x, sa + "value_proj"))
        else:
            Wqkv = w[sa + "in_proj.weight"].reshape(A, 3, D, H)
            q = np.einsum("bth,adh->batd", x, Wqkv[:, 0]) + w[sa + "q_bias"].reshape(A, D)[None, :, None, :]
            k = np.einsum("bth,adh->batd", x, Wqkv[:, 1])
            v = np.einsum("bth,adh->batd", x, Wqkv[:, 2]) + w[sa + "v_bias"].reshape(A, D)[None, :, None, :]
        scores = np.einsum("baid,bajd->baij", q, k)  # content -> content
        if relative:
            if "c2p" in kinds:
                if v2:
                    Kr = heads(lin(P[None], sa + ("key_proj" if cfg.get("share_att_key") else "pos_key_proj")))[0]
                else:
                    Kr = heads(lin(P[None], sa + "pos_proj", bias=False))[0]  # [A, 2 span, D]
                # content -> position: q_i . Kr[delta(i, j)]
                scores = scores + np.einsum("baid,aijd->baij", q, Kr[:, delta])
            if "p2c" in kinds:
                if v2:
                    Qr = heads(lin(P[None], sa + ("query_proj" if cfg.get("share_att_key") else "pos_query_proj")))[0]
                else:
                    Qr = heads(lin(P[None], sa + "pos_q_proj"))[0]
                # position -> content: k_j . Qr[delta(i, j)] (the released code's index)
                scores = scores + np.einsum("bajd,aijd->baij", k, Qr[:, delta])
        scores = scores / scale
        scores = np.where(allowed > 0, scores, -np.inf)
        top = np.max(np.where(allowed > 0, scores, -1e300), -1, keepdims=True)
        probs = np.where(allowed > 0, np.exp(scores - top), 0.0)
        total = probs.sum(-1, keepdims=True)
        probs = np.divide(probs, total, out=np.zeros_like(probs), where=total > 0)
        ctx = np.einsum("baij,bajd->baid", probs, v).transpose(0, 2, 1, 3).reshape(B, T, H)
        a = layer_norm(lin(ctx, p + "attention.output.dense") + x,
                       w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps)
        h = activation(lin(a, p + "intermediate.dense"), cfg.get("hidden_act", "gelu"))
        x = layer_norm(lin(h, p + "output.dense") + a, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
        if v2 and layer == 0 and cfg.get("conv_kernel_size", 0) > 0:
            K = cfg["conv_kernel_size"]
            G = cfg.get("conv_groups", 1)
            Wc, bc = w["encoder.conv.conv.weight"], w["encoder.conv.conv.bias"]  # [H, H / G, K]
            pad = (K - 1) // 2
            padded = np.pad(embedded, ((0, 0), (pad, pad), (0, 0)))
            per = H // G
            conv = np.zeros((B, T, H)) + bc
            for g in range(G):
                cols = slice(g * per, (g + 1) * per)
                for t in range(K):
                    conv[:, :, cols] += padded[:, t:t + T, cols] @ Wc[cols, :, t].T
            conv = activation(conv * m[:, :, None], cfg.get("conv_act", "tanh"))
            x = layer_norm(x + conv, w["encoder.conv.LayerNorm.weight"], w["encoder.conv.LayerNorm.bias"], eps) * m[:, :, None]
        states.append(x)
    pooled = activation(x[:, 0] @ w["pooler.dense.weight"].T + w["pooler.dense.bias"], cfg.get("pooler_hidden_act", "gelu"))
    return states, pooled


if __name__ == "__main__":
    sys.exit(compare_with_inspect(__doc__, deberta, "deberta."))
