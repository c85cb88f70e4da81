#!/usr/bin/env python3
"""Independent byte-level BPE reference (GPT-2's published algorithm), used to check the
native tokenizer in training/tokenizers/byte_level_bpe_tokenizer.cpp.

GPT-2's encoder.py splits text with the `regex` module's pattern
    's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+
Debian has no `regex` module and `re` knows no \\p{..}, so the letter and number classes
are spelled out here as explicit code-point ranges gathered with unicodedata, and \\s as
Unicode's White_Space set (what `regex` means by it); the matching itself is `re`'s
backtracking, not a re-implementation of the C++ scanner. Then bytes_to_unicode and the
merge loop, written from the paper's description of encoder.py.

usage: gpt2_bpe_reference.py VOCAB_JSON MERGES_TXT SENTENCES_JSON OUT_JSON
SENTENCES_JSON holds a list of strings; OUT_JSON receives a list of id lists.
"""
import json
import re
import sys
import unicodedata

WHITE_SPACE = ("\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000")


def ranges_of(predicate):
    """A regex character-class body covering every code point where predicate holds."""
    parts, start = [], None
    for cp in range(sys.maxunicode + 2):
        inside = cp <= sys.maxunicode and predicate(chr(cp))
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            end = cp - 1
            parts.append(re.escape(chr(start)) if start == end else f"{re.escape(chr(start))}-{re.escape(chr(end))}")
            start = None
    return "".join(parts)


def build_pattern():
    letters = ranges_of(lambda c: unicodedata.category(c) in ("Lu", "Ll", "Lt", "Lm", "Lo"))
    numbers = ranges_of(lambda c: unicodedata.category(c) in ("Nd", "Nl", "No"))
    s = WHITE_SPACE
    return re.compile(
        rf"'s|'t|'re|'ve|'m|'ll|'d| ?[{letters}]+| ?[{numbers}]+| ?[^{s}{letters}{numbers}]+|[{s}]+(?![^{s}])|[{s}]+")


def bytes_to_unicode():
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    mapping, extra = {}, 0
    for b in range(256):
        if b in printable:
            mapping[b] = chr(b)
        else:
            mapping[b] = chr(256 + extra)
            extra += 1
    return mapping


class Bpe:
    def __init__(self, vocab_path, merges_path):
        with open(vocab_path, encoding="utf-8") as f:
            self.vocab = json.load(f)
        with open(merges_path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines and lines[0].startswith("#version"):
            lines = lines[1:]
        self.ranks = {tuple(line.split(" ")): i for i, line in enumerate(l for l in lines if l)}
        self.byte_char = bytes_to_unicode()
        self.pattern = build_pattern()
        self.cache = {}

    def merge(self, token):
        if token in self.cache:
            return self.cache[token]
        word = list(token)
        while len(word) > 1:
            pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            merged, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    merged.append(word[i] + word[i + 1])
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        self.cache[token] = word
        return word

    def encode(self, text):
        ids = []
        for piece in self.pattern.findall(text):
            token = "".join(self.byte_char[b] for b in piece.encode("utf-8"))
            ids.extend(self.vocab[symbol] for symbol in self.merge(token))
        return ids


def main():
    vocab, merges, sentences_path, out_path = sys.argv[1:5]
    bpe = Bpe(vocab, merges)
    with open(sentences_path, encoding="utf-8") as f:
        sentences = json.load(f)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump([bpe.encode(s) for s in sentences], f)


if __name__ == "__main__":
    main()
