#!/usr/bin/env python3
"""Python PyTorch eager baseline for bench_train_step: the same Early-Exit BERT (exits,
poolers, heads), the same AdamW step with clipping, the same shapes and thread count, on
Debian's python3-torch (the same libtorch build as the C++ side).

usage: train_step_baseline.py LAYERS HIDDEN HEADS FFN VOCAB BATCH SEQ STEPS THREADS EXITS(comma list)
                              [PRECISION (fp32, tf32, bf16 or fp16; default fp32) [DEVICE (default cpu)]]
Prints one line: median step time in milliseconds. bf16/fp16 run the forward pass under
torch.autocast (no loss scaling), tf32 sets TF32 matmuls, as bench_train_step does.
"""
import contextlib
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, h, heads, ffn):
        super().__init__()
        self.heads, self.d = heads, h // heads
        self.q, self.k, self.v = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attn_out, self.ln1 = nn.Linear(h, h), nn.LayerNorm(h, eps=1e-12)
        self.inter, self.out, self.ln2 = nn.Linear(h, ffn), nn.Linear(ffn, h), nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(0.1)

    def forward(self, x, bias):
        B, T, H = x.shape
        split = lambda t: t.view(B, T, self.heads, self.d).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        probs = self.drop(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.d) + bias, -1))
        ctx = (probs @ v).transpose(1, 2).reshape(B, T, H)
        a = self.ln1(self.drop(self.attn_out(ctx)) + x)
        return self.ln2(self.drop(self.out(F.gelu(self.inter(a)))) + a)


class EarlyExitBert(nn.Module):
    def __init__(self, layers, h, heads, ffn, vocab, exits, labels=2):
        super().__init__()
        self.word, self.pos, self.token_type = nn.Embedding(vocab, h), nn.Embedding(512, h), nn.Embedding(2, h)
        self.ln, self.drop = nn.LayerNorm(h, eps=1e-12), nn.Dropout(0.1)
        self.layers = nn.ModuleList(Layer(h, heads, ffn) for _ in range(layers))
        self.exits = exits
        self.poolers = nn.ModuleList(nn.Linear(h, h) for _ in exits)
        self.heads = nn.ModuleList(nn.Linear(h, labels) for _ in exits)

    def forward(self, ids, mask, types):
        T = ids.shape[1]
        x = self.drop(self.ln(self.word(ids) + self.pos(torch.arange(T, device=ids.device))[None] + self.token_type(types)))
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        out, e = [], 0
        for i, layer in enumerate(self.layers, start=1):
            x = layer(x, bias)
            if i == self.exits[e]:
                out.append(self.heads[e](self.drop(torch.tanh(self.poolers[e](x[:, 0])))))
                e += 1
        return out


def main():
    L, H, A, F_, V, B, T, steps, threads = map(int, sys.argv[1:10])
    exits = [int(x) for x in sys.argv[10].split(",")]
    precision = sys.argv[11] if len(sys.argv) > 11 else "fp32"
    device = torch.device(sys.argv[12] if len(sys.argv) > 12 else "cpu")
    torch.set_num_threads(threads)
    if precision == "tf32":
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    low = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    torch.manual_seed(0)
    model = EarlyExitBert(L, H, A, F_, V, exits).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.0)
    ids = torch.randint(5, V, (B, T)).to(device)
    mask = torch.ones(B, T, dtype=torch.long, device=device)
    types = torch.zeros(B, T, dtype=torch.long, device=device)
    labels = torch.randint(0, 2, (B,)).to(device)
    times = []
    for s in range(steps + 1):  # the first step warms up allocators and is not timed
        sync()
        t0 = time.perf_counter()
        with torch.autocast(device.type, dtype=low) if low else contextlib.nullcontext():
            losses = torch.stack([F.cross_entropy(l.float(), labels) for l in model(ids, mask, types)])
        opt.zero_grad()
        losses.sum().backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        losses.detach().tolist()
        opt.step()
        sync()
        if s > 0:
            times.append((time.perf_counter() - t0) * 1000)
    print(f"{statistics.median(times):.2f}")


if __name__ == "__main__":
    main()
