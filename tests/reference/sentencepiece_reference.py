#!/usr/bin/env python3
"""Token ids from the sentencepiece library itself (Debian's python3-sentencepiece), used
to check the native SentencePiece tokenizer. It runs in its own process: libsentencepiece
and libtorch cannot share one (their protobuf copies clash).

usage: sentencepiece_reference.py SPM_MODEL SENTENCES_JSON OUT_JSON
       sentencepiece_reference.py --train TEXT_FILE RULE OUT_MODEL
The first form writes, for the list of strings in SENTENCES_JSON, a list of id lists to
OUT_JSON. The second trains a small unigram model (600 pieces, byte fallback, the
user-defined symbol [MASK]) with normalisation rule RULE (nmt_nfkc, identity, ...), so
the tests also cover models other than the one DeBERTa ships.
"""
import io
import json
import sys

import sentencepiece


def encode(model, sentences_path, out_path):
    processor = sentencepiece.SentencePieceProcessor(model_file=model)
    with open(sentences_path, encoding="utf-8") as f:
        sentences = json.load(f)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump([processor.encode(s) for s in sentences], f)


def train(text_file, rule, out_model):
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        input=text_file, model_writer=model, model_type="unigram", vocab_size=600, byte_fallback=True,
        character_coverage=0.99, normalization_rule_name=rule, user_defined_symbols=["[MASK]"], minloglevel=2)
    with open(out_model, "wb") as f:
        f.write(model.getvalue())


def main():
    if sys.argv[1] == "--train":
        train(*sys.argv[2:5])
    else:
        encode(*sys.argv[1:4])


if __name__ == "__main__":
    main()
