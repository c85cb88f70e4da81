#!/usr/bin/env python3
"""Python anchors for the training step: what a researcher writes in plain PyTorch for an
Early-Exit BERT (embeddings, L layers, a pooler and a head per exit, summed cross-entropy,
AdamW with clipping), timed the way the workbench's step is compared against it.

Modes (--modes, comma list):
  fp32     eager, explicit softmax attention, fp32 matmuls, AdamW (foreach)
  tf32     the same with TF32 matmuls (CUDA)
  bf16     bf16 autocast + F.scaled_dot_product_attention (bool mask) + AdamW(fused=True)
  hf-fp32  Hugging Face BertModel (sdpa attention) + the same exit heads, fp32
  hf-bf16  the same under bf16 autocast with AdamW(fused=True)
Each step is timed with torch.cuda.synchronize() before and after it, after --warmup
untimed steps; the median of --steps is printed with the MFU against --peak-tflops.
Where a feature is missing (SDPA or fused AdamW on an old torch, transformers not
installed, bf16 on a device without it) the mode says so and falls back or is skipped.

usage: anchor_train_step.py [--device cuda|cpu] [--modes ...] [--batch 32,16] [--seq 128]
                            [--layers 12 --hidden 768 --heads 12 --ffn 3072 --vocab 30522]
                            [--exits 1,4,6,12] [--warmup 5] [--steps 30] [--threads N]
                            [--peak-tflops X] [--flops-only]
One line per (mode, batch) starting "ANCHOR" (key=value, for scripts), then a table.
"""
import argparse
import contextlib
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HAS_SDPA = hasattr(F, "scaled_dot_product_attention")


class Layer(nn.Module):
    def __init__(self, h, heads, ffn, sdpa):
        super().__init__()
        self.heads, self.d, self.sdpa = heads, h // heads, sdpa
        self.q, self.k, self.v = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attn_out, self.ln1 = nn.Linear(h, h), nn.LayerNorm(h, eps=1e-12)
        self.inter, self.out, self.ln2 = nn.Linear(h, ffn), nn.Linear(ffn, h), nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(0.1)

    def forward(self, x, keep):  # keep: bool [B,1,1,T], True where a key is a real token
        B, T, H = x.shape
        split = lambda t: t.view(B, T, self.heads, self.d).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        if self.sdpa:
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, dropout_p=0.1 if self.training else 0.0)
        else:
            scores = (q @ k.transpose(-1, -2) / math.sqrt(self.d)).masked_fill(~keep, torch.finfo(q.dtype).min)
            ctx = self.drop(torch.softmax(scores, -1)) @ v
        a = self.ln1(self.drop(self.attn_out(ctx.transpose(1, 2).reshape(B, T, H))) + x)
        return self.ln2(self.drop(self.out(F.gelu(self.inter(a)))) + a)


class ExitHeads(nn.Module):
    """A pooler (dense + tanh on [CLS]) and a classifier after each exit layer."""

    def __init__(self, h, exits, labels=2):
        super().__init__()
        self.exits = exits
        self.poolers = nn.ModuleList(nn.Linear(h, h) for _ in exits)
        self.classifiers = nn.ModuleList(nn.Linear(h, labels) for _ in exits)
        self.drop = nn.Dropout(0.1)

    def forward(self, hidden_after_layer):  # hidden_after_layer[i-1]: output of layer i
        return [c(self.drop(torch.tanh(p(hidden_after_layer[e - 1][:, 0]))))
                for e, p, c in zip(self.exits, self.poolers, self.classifiers)]


class EarlyExitBert(nn.Module):
    def __init__(self, a, sdpa):
        super().__init__()
        h = a.hidden
        self.word, self.pos, self.token_type = nn.Embedding(a.vocab, h), nn.Embedding(512, h), nn.Embedding(2, h)
        self.ln, self.drop = nn.LayerNorm(h, eps=1e-12), nn.Dropout(0.1)
        self.layers = nn.ModuleList(Layer(h, a.heads, a.ffn, sdpa) for _ in range(max(a.exits)))
        self.heads = ExitHeads(h, a.exits)

    def forward(self, ids, mask, types):
        pos = torch.arange(ids.shape[1], device=ids.device)
        x = self.drop(self.ln(self.word(ids) + self.pos(pos)[None] + self.token_type(types)))
        keep, hidden = mask[:, None, None, :].bool(), []
        for layer in self.layers:
            x = layer(x, keep)
            hidden.append(x)
        return self.heads(hidden)


class HfEarlyExitBert(nn.Module):
    """transformers' BertModel (sdpa attention) with the same exit heads on its hidden states."""

    def __init__(self, a):
        super().__init__()
        from transformers import BertConfig, BertModel
        cfg = BertConfig(vocab_size=a.vocab, hidden_size=a.hidden, num_hidden_layers=max(a.exits),
                         num_attention_heads=a.heads, intermediate_size=a.ffn)
        cfg._attn_implementation = "sdpa"  # transformers 5.x refuses attn_implementation= here
        self.bert = BertModel(cfg, add_pooling_layer=False)
        self.heads = ExitHeads(a.hidden, a.exits)

    def forward(self, ids, mask, types):
        out = self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types, output_hidden_states=True)
        return self.heads(out.hidden_states[1:])


def step_flops(a, batch):
    """6 x (matmul weights of the layers) x tokens, the heads' 6 x weights x rows (pooler and
    classifier see [CLS] only), and attention's QK^T and AV (4 B T^2 H per layer forward, x3
    with the backward). Embedding lookups, LayerNorm and softmax are left out."""
    L, h = max(a.exits), a.hidden
    layer_w = L * (4 * h * h + 2 * h * a.ffn)
    head_w = len(a.exits) * (h * h + 2 * h)
    return 6 * layer_w * batch * a.seq + 6 * head_w * batch + 12 * L * batch * a.seq * a.seq * h


def make_optimizer(params, fused, notes):
    if fused:
        try:
            return torch.optim.AdamW(params, lr=2e-5, weight_decay=0.0, fused=True)
        except (TypeError, RuntimeError, ValueError) as e:
            notes.append(f"fused AdamW unavailable ({str(e).splitlines()[0][:60]}): foreach")
    return torch.optim.AdamW(params, lr=2e-5, weight_decay=0.0)


def run_mode(mode, a, batch, dev):
    notes = []
    bf16 = mode in ("bf16", "hf-bf16")
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = mode == "tf32"
    if mode == "tf32" and dev.type != "cuda":
        notes.append("TF32 is CUDA-only: plain fp32 here")
    torch.manual_seed(0)
    if mode.startswith("hf"):
        model = HfEarlyExitBert(a)
    else:
        if mode == "bf16" and not HAS_SDPA:
            notes.append(f"torch {torch.__version__} has no scaled_dot_product_attention: explicit attention")
        model = EarlyExitBert(a, sdpa=mode == "bf16" and HAS_SDPA)
    model.to(dev).train()
    opt = make_optimizer(model.parameters(), fused=bf16, notes=notes)
    ids = torch.randint(5, a.vocab, (batch, a.seq), device=dev)
    mask = torch.ones(batch, a.seq, dtype=torch.long, device=dev)
    types = torch.zeros(batch, a.seq, dtype=torch.long, device=dev)
    labels = torch.randint(0, 2, (batch,), device=dev)
    cast = torch.autocast(dev.type, dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    times = []
    for s in range(a.warmup + a.steps):
        sync()
        t0 = time.perf_counter()
        with cast:
            loss = sum(F.cross_entropy(l.float(), labels) for l in model(ids, mask, types))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sync()
        if s >= a.warmup:
            times.append((time.perf_counter() - t0) * 1000)
    if not math.isfinite(loss.item()):
        notes.append("loss not finite")
    return statistics.median(times), step_flops(a, batch), notes


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--modes", default="fp32,tf32,bf16,hf-fp32,hf-bf16")
    p.add_argument("--batch", default="32", help="comma list of batch sizes")
    for name, default in (("seq", 128), ("layers", 12), ("hidden", 768), ("heads", 12), ("ffn", 3072),
                          ("vocab", 30522), ("warmup", 5), ("steps", 30), ("threads", 0)):
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--exits", default="1,4,6,12")
    p.add_argument("--flops-only", action="store_true", help="print the FLOPs of one step per batch size and stop")
    p.add_argument("--peak-tflops", type=float, default=None,
                   help="peak for MFU (default: 989, the H100/H200 SXM dense bf16 figure, on CUDA; none on CPU)")
    a = p.parse_args()
    known = ("fp32", "tf32", "bf16", "hf-fp32", "hf-bf16")
    unknown = [m for m in a.modes.split(",") if m not in known]
    if unknown:
        p.error(f"unknown mode(s) {', '.join(unknown)} (known: {', '.join(known)})")
    a.exits = sorted(int(x) for x in a.exits.split(","))
    if a.exits[-1] != a.layers:
        p.error(f"the last exit ({a.exits[-1]}) must be the last layer ({a.layers})")
    if a.flops_only:
        print(" ".join(str(step_flops(a, int(b))) for b in a.batch.split(",")))
        return 0
    dev = torch.device(a.device)
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    peak = a.peak_tflops if a.peak_tflops is not None else (989.0 if dev.type == "cuda" else None)
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"anchors: torch {torch.__version__}, {name}, seq {a.seq}, exits {a.exits}, "
          f"median of {a.steps} after {a.warmup} warm-up; MFU vs {peak or 'n/a'} TFLOP/s", flush=True)
    rows = []
    for batch in (int(b) for b in a.batch.split(",")):
        for mode in a.modes.split(","):
            if mode.startswith("hf"):
                try:
                    import transformers
                except ImportError:
                    print(f"ANCHOR mode={mode} batch={batch} status=skipped note=transformers_not_installed", flush=True)
                    continue
            if mode.endswith("bf16") and dev.type == "cuda" and not torch.cuda.is_bf16_supported():
                print(f"ANCHOR mode={mode} batch={batch} status=skipped note=no_bf16_on_this_GPU", flush=True)
                continue
            try:
                ms, flops, notes = run_mode(mode, a, batch, dev)
            except Exception as e:  # one failing mode must not hide the others' numbers
                why = f"{type(e).__name__}: {str(e).splitlines()[0][:100] if str(e) else ''}"
                print(f"ANCHOR mode={mode} batch={batch} status=failed note={why.replace(' ', '_')}", flush=True)
                continue
            tflops = flops / (ms / 1000) / 1e12
            mfu = f"{100 * tflops / peak:.1f}" if peak else "n/a"
            note = "; ".join(notes)
            print(f"ANCHOR mode={mode} batch={batch} status=ok ms={ms:.2f} tflops={tflops:.3g} mfu_pct={mfu} "
                  f"note={note.replace(' ', '_') or '-'}", flush=True)
            rows.append((mode, batch, ms, tflops, mfu, note))
    print(f"\n| mode | batch | ms / step | TFLOP/s | MFU % | note |\n|---|---|---|---|---|---|")
    for mode, batch, ms, tflops, mfu, note in rows:
        print(f"| {mode} | {batch} | {ms:.1f} | {tflops:.3g} | {mfu} | {note} |")
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main())
