#!/usr/bin/env bash
# Every GPU check of issue 21 in one call, for a GPU machine lent for minutes: build
# headless against the machine's PyTorch, then train BERT-base EE on RTE (20 and 120 steps,
# fp32 and bf16: ms/step = (wall120 - wall20) / 100), time the Python anchors, run the demo
# on CUDA and `sweet infer --measure` on its EE and MM models at batch 32 and 1, and last
# bench_train_step (the trainer's step beside the same model in Python). CUDA graphs
# (cuda_graphs, `sweet infer --cuda-graphs`; built with -DSWEET_CUDA_GRAPHS=ON, retried
# without should that fail): a 20-step parity check of the losses with and without, batch-1
# `sweet infer --measure` with and without, and bench_train_step with. Each step has its
# own time limit inside one overall budget, continues on failure (its row says FAILED with
# the log's tail), and the table is rewritten after every step, so one call yields
# everything it got to; the steps a short budget cuts are the last ones.
#
#   bash packaging/gpu-check.sh           # on the GPU machine, from the project root
#   bash packaging/gpu-check.sh --smoke   # here, on the CPU: tiny shapes, the same steps
#
# Before the call, here: `bash packaging/gpu-prepare.sh` (the dependency prefix and the data
# in .device/, which the call must carry). Writes $OUT/gpu-check.md (the table) and
# $OUT/logs.tar.gz (every step's log); $OUT defaults to $GPU_CHECK_WORK/out.
# Environment: GPU_CHECK_BUDGET (seconds, default 530), GPU_CHECK_WORK (default
# /tmp/gpu-check), TORCH_DIR (default `python`), PYTHON (default python3), JOBS.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SMOKE=0
[ "${1:-}" = --smoke ] && SMOKE=1
[ $# -le $SMOKE ] || { echo "usage: bash packaging/gpu-check.sh [--smoke]" >&2; exit 2; }
W=${GPU_CHECK_WORK:-/tmp/gpu-check}
OUT=${OUT:-$W/out}
BUDGET=${GPU_CHECK_BUDGET:-530}
LOGS=$W/logs
rm -rf "$LOGS" "$W/rows"; mkdir -p "$LOGS" "$OUT" "$W"
: > "$W/rows"
T0=$SECONDS

if [ $SMOKE = 1 ]; then
  DEVICE=cpu TORCH_DIR=${TORCH_DIR:-/usr/lib/x86_64-linux-gnu/cmake/Torch} PYTHON=${PYTHON:-/usr/bin/python3}
  JOBS=${JOBS:-2} BUILD=${BUILD:-$ROOT/build-cuda-test}
  SHAPE=(--set num_hidden_layers=12 hidden_size=64 num_attention_heads=4 intermediate_size=128)
  BATCH=8 SEQ=32 SHORT=2 LONG=4
  ANCHOR_ARGS=(--layers 12 --hidden 64 --heads 4 --ffn 128 --vocab 1000 --seq 32 --batch 8 --warmup 1 --steps 3 --threads 2)
  BENCH_ARGS=(--quick) DEMO_ARGS=(--methods ee,mm --set max_steps=3 demo_eval_size=64 eval_every=0 gradients.every=0)
  INFER_ARGS=(--batch-size 8,1 --max-instances 16 --repeats 1 --warmup 0)
  export OMP_WAIT_POLICY=PASSIVE
else
  DEVICE=cuda TORCH_DIR=${TORCH_DIR:-python} PYTHON=${PYTHON:-python3}
  JOBS=${JOBS:-$(nproc)} BUILD=${BUILD:-$W/build}
  SHAPE=() BATCH=32 SEQ=128 SHORT=20 LONG=120
  ANCHOR_ARGS=(--batch 32,16)
  BENCH_ARGS=() DEMO_ARGS=()
  # Batch 1 runs the dev set instance by instance: 256 of them keep it within a minute.
  INFER_ARGS=(--batch-size 32,1 --max-instances 256 --repeats 3 --warmup 1)
fi
SWEET=$BUILD/app/sweet

# The data and the dependency prefix travel in .device/ (gpu-prepare.sh); ../shared where
# this is a developer's checkout.
DATA=${SWEET_DATA:-}
for d in .device/data ../shared/data; do [ -z "$DATA" ] && [ -d "$d/glue/RTE" ] && DATA=$(cd "$d" && pwd); done
DEPS=${SWEET_DEPS:-.device/deps}
[ -d "$DEPS" ] && DEPS=$(cd "$DEPS" && pwd)
export SWEET_DEPS=$DEPS  # build-cuda.sh takes it where the system lacks a dependency
export LD_LIBRARY_PATH=$DEPS/lib:$DEPS/lib/extra${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
[ -d /usr/local/cuda/bin ] && export PATH=$PATH:/usr/local/cuda/bin

cell() { sed 's/|/\\|/g' | tr -d '\r' | cut -c1-160 | paste -sd '~' | sed 's/~/<br>/g'; }
row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3" >> "$W/rows"; }
write_table() {
  {
    echo "# GPU check ($(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$([ $SMOKE = 1 ] && echo ', SMOKE on CPU: tiny shapes, numbers meaningless'))"
    echo
    echo "MFU: FLOPs per step = 6 x layer weights x tokens + 6 x head weights x rows + 12 x layers x B x T^2 x H (attention), against 989 TFLOP/s (H100/H200 SXM dense bf16) for every precision."
    echo
    echo "| check | result | status |"
    echo "|---|---|---|"
    cat "$W/rows"
  } > "$OUT/gpu-check.md"
  tar -czf "$OUT/logs.tar.gz" -C "$W" logs 2>/dev/null
}
# step NAME SECONDS CMD...: runs CMD with its log in $LOGS/NAME.log, within SECONDS and the
# overall budget; returns CMD's status (124: out of time). Sets STEP_WALL (seconds).
step() {
  local name=$1 limit=$2 left rc t
  shift 2
  left=$((BUDGET - (SECONDS - T0) - 10))
  [ "$left" -lt "$limit" ] && limit=$left
  if [ "$limit" -lt 5 ]; then
    echo "(skipped: the ${BUDGET}s budget is spent)" > "$LOGS/$name.log"
    STEP_WALL=0
    return 125
  fi
  echo "== $name (limit ${limit}s, at $((SECONDS - T0))s)" >&2
  t=$(date +%s.%N)
  timeout -k 5 "$limit" "$@" > "$LOGS/$name.log" 2>&1
  rc=$?
  STEP_WALL=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
  [ $rc = 124 ] && echo "(stopped after ${limit}s)" >> "$LOGS/$name.log"
  return $rc
}
failed() {  # failed NAME RC: a FAILED cell with the log's tail
  [ "$2" = 125 ] && { echo "SKIPPED: the ${BUDGET} s budget was spent"; return; }
  echo "FAILED (rc $2, $(printf '%.0f' "$STEP_WALL")s): $(tail -n 4 "$LOGS/$1.log" | cell)"
}

# -- the machine
step env 30 bash -c "nvidia-smi; echo GPU: \$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader); echo; $PYTHON -c 'import torch; print(\"torch\", torch.__version__, \"cuda\", torch.version.cuda, torch.cuda.get_device_name(0) if torch.cuda.is_available() else \"no GPU\")'; $PYTHON -c 'import transformers; print(\"transformers\", transformers.__version__)'; nvcc --version | tail -1; g++ --version | head -1; cmake --version | head -1; nproc"
row "machine" "$(grep -E '^GPU:|^torch|^transformers|release|^g\+\+|^cmake' "$LOGS/env.log" | cell)" "$(grep -q '^GPU: .' "$LOGS/env.log" && echo ok || echo 'no GPU')"
write_table

# -- dependencies and build
if [ ! -d "$DEPS" ] && [ -f ../shared/tools/device-deps.sh ]; then
  step deps 120 bash ../shared/tools/device-deps.sh "$DEPS" || row "deps" "$(failed deps $?)" "FAILED"
fi
# CUDA graphs: ON on the GPU (a libtorch without CUDA fails the configure, saying so);
# AUTO in the smoke run, where the CPU libtorch makes it OFF.
GRAPHS_FLAG=ON
[ $SMOKE = 1 ] && GRAPHS_FLAG=AUTO
GRAPHS=1
step build 240 bash packaging/build-cuda.sh "$TORCH_DIR" "$BUILD" -j "$JOBS" --target sweet \
  --target bench_train_step -DSWEET_BUILD_BENCH=ON -DSWEET_CUDA_GRAPHS=$GRAPHS_FLAG
rc=$?
if [ $rc = 0 ]; then row "build (configure + sweet + bench_train_step, -j$JOBS, -DSWEET_CUDA_GRAPHS=$GRAPHS_FLAG)" "$(printf '%.0f' "$STEP_WALL") s" "ok"
else
  row "build with -DSWEET_CUDA_GRAPHS=$GRAPHS_FLAG" "$(failed build $rc)" "FAILED"
  # The CUDA-graph capture and the fused-attention path had never been compiled before
  # this machine: without them the other checks still run, and the rows above keep the
  # compiler's words.
  write_table
  GRAPHS=0
  step build_nographs 200 bash packaging/build-cuda.sh "$TORCH_DIR" "$BUILD" -j "$JOBS" --target sweet \
    --target bench_train_step -DSWEET_BUILD_BENCH=ON -DSWEET_CUDA_GRAPHS=OFF
  rc=$?
  if [ $rc = 0 ]; then row "build with -DSWEET_CUDA_GRAPHS=OFF (no CUDA graphs)" "$(printf '%.0f' "$STEP_WALL") s" "ok"
  else
    row "build with -DSWEET_CUDA_GRAPHS=OFF" "$(failed build_nographs $rc)" "FAILED"
    write_table
    step build_explicit 200 bash packaging/build-cuda.sh "$TORCH_DIR" "$BUILD" -j "$JOBS" --target sweet \
      --target bench_train_step -DSWEET_BUILD_BENCH=ON -DSWEET_CUDA_GRAPHS=OFF -DSWEET_FUSED_ATTENTION=OFF
    rc=$?
    if [ $rc = 0 ]; then row "build with -DSWEET_CUDA_GRAPHS=OFF -DSWEET_FUSED_ATTENTION=OFF (explicit attention)" "$(printf '%.0f' "$STEP_WALL") s" "ok"
    else row "build with -DSWEET_CUDA_GRAPHS=OFF -DSWEET_FUSED_ATTENTION=OFF" "$(failed build_explicit $rc)" "FAILED"; fi
  fi
fi
# Why a CUDA-graph check does not run, or "" when they do.
GRAPHS_SKIP=""
[ $SMOKE = 1 ] && GRAPHS_SKIP="skipped: no CUDA"
[ -z "$GRAPHS_SKIP" ] && [ $GRAPHS = 0 ] && GRAPHS_SKIP="not run: the build with CUDA graphs failed (see the build rows)"
write_table

# -- BERT-base EE on RTE: wall of 120 steps minus wall of 20
flops() {  # FLOPs of one BERT-base EE step at batch $1 (the anchors' formula)
  "$PYTHON" bench/python/anchor_train_step.py --flops-only --batch "$1" --seq "$SEQ" "${ANCHOR_FLOPS_ARGS[@]}" 2>/dev/null
}
ANCHOR_FLOPS_ARGS=()
[ $SMOKE = 1 ] && ANCHOR_FLOPS_ARGS=(--layers 12 --hidden 64 --heads 4 --ffn 128 --vocab 1000)
mfu() { echo "$1 $2" | awk '$1 > 0 && $2 > 0 { printf "%.1f", 100 * $1 / ($2 / 1000) / 989e12 }'; }
BERT=$W/bert-base
declare -A TRAIN_MS=()
if [ ! -x "$SWEET" ]; then
  row "sweet train, demo, infer" "not run: no $SWEET (see the build row)" "FAILED"
elif [ -z "$DATA" ]; then
  row "BERT-base data" "FAILED: no .device/data or ../shared/data (run packaging/gpu-prepare.sh and carry .device)" "FAILED"
else
  step init_bert 60 "$SWEET" init-checkpoint --config "$DATA/configs/bert-base-uncased/config.json" --out "$BERT" \
    --vocab "$DATA/vocab/bert-base-uncased/vocab.txt" "${SHAPE[@]}" || row "init BERT-base" "$(failed init_bert $?)" "FAILED"
  cat > "$W/rte.json" <<JSON
{"task": "rte", "data_dir": "$DATA/glue/RTE", "model": "$BERT", "method": "ee", "exit_layers": [1, 4, 6, 12],
 "batch_size": $BATCH, "max_length": $SEQ, "epochs": 3, "device": "$DEVICE", "save_model": false,
 "output_dir": "$W/runs", "overwrite": true}
JSON
  STEP_FLOPS=$(flops "$BATCH")
  for precision in fp32 bf16; do
    declare -A wall=()
    keynote=""
    for steps in $SHORT $LONG; do
      name=train_${precision}_$steps
      step $name 90 "$SWEET" train "$W/rte.json" --set max_steps=$steps run_name=$name precision=$precision
      rc=$?
      if [ $rc != 0 ] && grep -q "unknown key 'precision'" "$LOGS/$name.log" && [ $precision = fp32 ]; then
        # A build from before the precision key trains in fp32 anyway.
        mv "$LOGS/$name.log" "$LOGS/$name.no-precision-key.log"
        keynote=" (no precision key in this build: its default, fp32)"
        step $name 90 "$SWEET" train "$W/rte.json" --set max_steps=$steps run_name=$name
        rc=$?
      fi
      if [ $rc = 0 ]; then wall[$steps]=$STEP_WALL
      elif grep -q "unknown key 'precision'" "$LOGS/$name.log"; then
        row "sweet train RTE $precision" "not run: this build has no \`precision\` key (issue 21, item 1)" "FAILED"
        break
      else row "sweet train RTE $precision, $steps steps" "$(failed $name $rc)" "FAILED"; fi
    done
    if [ -n "${wall[$SHORT]:-}" ] && [ -n "${wall[$LONG]:-}" ]; then
      ms=$(awk -v a="${wall[$SHORT]}" -v b="${wall[$LONG]}" -v n=$((LONG - SHORT)) 'BEGIN { printf "%.3f", (b - a) * 1000 / n }')
      TRAIN_MS[$precision]=$ms
      row "sweet train, BERT-base EE on RTE, $precision, batch $BATCH x $SEQ (wall $LONG − wall $SHORT steps)" \
        "$(printf '%.1f ms/step (walls %.1f s, %.1f s); MFU %s%%%s' "$ms" "${wall[$LONG]}" "${wall[$SHORT]}" "$(mfu "$STEP_FLOPS" "$ms")" "$keynote")" "ok"
    fi
    unset wall
  done
fi
write_table

# -- CUDA graphs against the eager step: 20 steps each, losses compared row by row
if [ -n "$GRAPHS_SKIP" ]; then
  row "cuda_graphs parity, $SHORT steps of BERT-base EE on RTE" "$GRAPHS_SKIP" "skipped"
elif [ -x "$SWEET" ] && [ -f "$W/rte.json" ]; then
  # One shape for every batch (padded to max_length) and fp32, so the two differ only in
  # the update's rounding (DeviceScalarAdamW); dropout draws from the same generator.
  parity_ok=1
  for graphs in false true; do
    name=parity_graphs_$graphs
    step $name 120 "$SWEET" train "$W/rte.json" --set max_steps=$SHORT run_name=$name precision=fp32 \
      pad_to_multiple_of=$SEQ cuda_graphs=$graphs || { row "cuda_graphs parity, cuda_graphs=$graphs" "$(failed $name $?)" "FAILED"; parity_ok=0; }
  done
  if [ $parity_ok = 1 ]; then
    diff=$("$PYTHON" - "$W/runs/parity_graphs_false.h5" "$W/runs/parity_graphs_true.h5" <<'PY' 2>&1
import sys, h5py, numpy as np
a, b = (h5py.File(f, "r")["train/loss"][()] for f in sys.argv[1:3])
n = min(len(a), len(b))
print("%.3g %d %d" % (np.abs(a[:n] - b[:n]).max() if n else float("nan"), len(a), len(b)))
PY
)
    read -r maxdiff rows_a rows_b <<< "$diff"
    row "cuda_graphs parity: $SHORT steps, fp32, batch $BATCH x $SEQ, per-exit losses with vs without graphs (tolerance 1e-3)" \
      "max |diff| $maxdiff over $rows_a and $rows_b steps" \
      "$(awk -v d="$maxdiff" -v a="$rows_a" -v b="$rows_b" 'BEGIN { print (a == b && a > 0 && d + 0 <= 1e-3 && d == d + 0 ? "ok" : "DIFFERS") }')"
  fi
fi
write_table

# -- the Python anchors
step anchors 150 env PYTHONUNBUFFERED=1 "$PYTHON" bench/python/anchor_train_step.py --device "$DEVICE" "${ANCHOR_ARGS[@]}"
rc=$?
grep '^ANCHOR' "$LOGS/anchors.log" | while read -r _ fields; do
  declare -A f=()
  for kv in $fields; do f[${kv%%=*}]=${kv#*=}; done
  if [ "${f[status]}" = ok ]; then
    mfu=${f[mfu_pct]}; [ "$mfu" = n/a ] || mfu="$mfu%"
    row "Python anchor ${f[mode]}, batch ${f[batch]} x $SEQ" "${f[ms]} ms/step, MFU $mfu$([ "${f[note]}" = - ] || echo " (${f[note]//_/ })")" "ok"
  else
    row "Python anchor ${f[mode]}, batch ${f[batch]}" "${f[status]}: ${f[note]//_/ }" "${f[status]^^}"
  fi
done
grep -q '^ANCHOR' "$LOGS/anchors.log" || row "Python anchors" "$(failed anchors $rc)" "FAILED"
# Issue 21's target: the trainer's step at most 0.8x the best anchor's, same batch.
best=$(grep "^ANCHOR .* batch=$BATCH status=ok" "$LOGS/anchors.log" | sed -E 's/.*mode=([^ ]+).* ms=([0-9.]+).*/\2 \1/' | sort -n | head -1)
for precision in fp32 bf16; do
  [ -n "$best" ] && [ -n "${TRAIN_MS[$precision]:-}" ] || continue
  read -r best_ms best_mode <<< "$best"
  ratio=$(awk -v a="${TRAIN_MS[$precision]}" -v b="$best_ms" 'BEGIN { printf "%.2f", a / b }')
  row "target: sweet train $precision step <= 0.8 x the best Python anchor (batch $BATCH)" \
    "$(printf '%.1f' "${TRAIN_MS[$precision]}") ms / $best_ms ms ($best_mode) = ${ratio}x" \
    "$(awk -v r="$ratio" 'BEGIN { print (r <= 0.8 ? "met" : "not met") }')"
done
write_table

# -- the demo on the device, then real early exiting on its EE and MM models
DEMO=$W/demo
if [ -x "$SWEET" ]; then
step demo 240 "$SWEET" demo --device "$DEVICE" --out "$DEMO" --overwrite "${DEMO_ARGS[@]}"
rc=$?
if [ $rc = 0 ]; then row "sweet demo --device $DEVICE ${DEMO_ARGS[*]}" "$(printf '%.0f' "$STEP_WALL") s" "ok"
else row "sweet demo --device $DEVICE" "$(failed demo $rc)" "FAILED"; fi
write_table
# Plain early exiting, then re-batched (rows continuing past an exit gathered into full
# batches for the next segment: what should pay on a GPU, issue 21 item 4).
for method in ee mm; do
for mode in plain rebatch; do
  model=$(ls -d "$DEMO"/demo-$method-*.model 2>/dev/null | head -1)
  name=infer_${method}_$mode
  label="demo $method"; extra=()
  if [ $mode = rebatch ]; then label="demo $method --rebatch"; extra=(--rebatch); fi
  if [ -z "$model" ]; then row "sweet infer --measure, $label" "FAILED: no demo-$method-*.model in $DEMO" "FAILED"; continue; fi
  step $name 90 "$SWEET" infer "$model" --measure "${extra[@]}" --device "$DEVICE" --no-write "${INFER_ARGS[@]}"
  rc=$?
  # "batch N on DEV ..." then one line per threshold: threshold, exits, layer speedup, measured, ratio, ...
  awk -v m="$label" '
    /^batch [0-9]+ (\(re-batched\) )?on / { b = $2 }
    /without exiting/ { base = $0; sub(/^ */, "", base) }
    $1 ~ /^[0-9.e-]+$/ && $3 ~ /x$/ && $4 ~ /x$/ {
      if (base != "") { printf "| sweet infer --measure, %s, batch %s | %s | ok |\n", m, b, base; base = "" }
      printf "| sweet infer --measure, %s, batch %s, threshold %s | layer-count %s, measured %s, ratio %s, %s inst/s (exits %s) | ok |\n", m, b, $1, $3, $4, $5, $6, $2 }
  ' "$LOGS/$name.log" >> "$W/rows"
  grep -qE '^ +[0-9.e-]+ +[0-9/]+ +[0-9.]+x' "$LOGS/$name.log" || row "sweet infer --measure, $label" "$(failed $name $rc)" "FAILED"
  write_table
done
done
# Batch 1 with and without CUDA graphs of each exit's segment (issue 21 item 4).
model=$(ls -d "$DEMO"/demo-ee-*.model 2>/dev/null | head -1)
if [ -n "$GRAPHS_SKIP" ]; then
  row "sweet infer --measure --cuda-graphs, demo ee, batch 1" "$GRAPHS_SKIP" "skipped"
elif [ -z "$model" ]; then
  row "sweet infer --measure --cuda-graphs, demo ee" "FAILED: no demo-ee-*.model in $DEMO" "FAILED"
else
  for graphs in off on; do
    name=infer_ee_b1_graphs_$graphs
    extra=(); [ $graphs = on ] && extra=(--cuda-graphs)
    step $name 120 "$SWEET" infer "$model" --measure "${extra[@]}" --device "$DEVICE" --no-write --batch-size 1 \
      --max-instances 256 --repeats 3 --warmup 1
    rc=$?
    awk -v m="demo ee, batch 1, graphs $graphs" '
      /without exiting/ { base = $0; sub(/^ */, "", base); printf "| sweet infer --measure, %s | %s | ok |\n", m, base }
      $1 ~ /^[0-9.e-]+$/ && $3 ~ /x$/ && $4 ~ /x$/ {
        printf "| sweet infer --measure, %s, threshold %s | layer-count %s, measured %s, ratio %s, %s inst/s (exits %s) | ok |\n", m, $1, $3, $4, $5, $6, $2 }
    ' "$LOGS/$name.log" >> "$W/rows"
    grep -qE '^ +[0-9.e-]+ +[0-9/]+ +[0-9.]+x' "$LOGS/$name.log" || row "sweet infer --measure, demo ee, batch 1, graphs $graphs" "$(failed $name $rc)" "FAILED"
    write_table
  done
fi
fi

# -- bench_train_step (the trainer's step beside the same model in Python, same precision)
for precision in fp32 bf16; do
  [ -x "$BUILD/bench/bench_train_step" ] || { row "bench_train_step" "not run: not built (see the build row)" "FAILED"; break; }
  name=bench_$precision
  step $name 120 "$BUILD/bench/bench_train_step" --device "$DEVICE" --python "$(command -v "$PYTHON")" \
    --precision $precision "${BENCH_ARGS[@]}"
  rc=$?
  note=$(grep -q '^note: --precision .* ignored' "$LOGS/$name.log" && echo "no precision key in this build: fp32")
  grep -E '^[A-Za-z].* [0-9]+x[0-9]+ +[0-9.]+ ' "$LOGS/$name.log" | while read -r line; do
    label=$(echo "$line" | sed -E 's/ +[0-9.]+ +([0-9.]+|n\/a) +([0-9.]+x|n\/a).*$//')
    read -r cpp py ratio <<< "$(echo "$line" | sed -E 's/^.* ([0-9.]+) +([0-9.]+|n\/a) +([0-9.]+x|n\/a).*$/\1 \2 \3/')"
    row "bench_train_step $precision: $label" "C++ $cpp ms, Python $py ms, ratio $ratio${note:+ ($note)}" "ok"
  done
  grep -qE ' [0-9]+x[0-9]+ +[0-9.]+ ' "$LOGS/$name.log" || row "bench_train_step $precision" "$(failed $name $rc)" "FAILED"
  write_table
  # Without the precision key both passes would be fp32: the second says nothing new.
  [ -n "$note" ] && break
done

# bench_train_step with the step captured as CUDA graphs (BERT-base EE 32 x 128 and 16 x 128),
# beside the eager rows above.
if [ -n "$GRAPHS_SKIP" ]; then
  row "bench_train_step --cuda-graphs" "$GRAPHS_SKIP" "skipped"
elif [ -x "$BUILD/bench/bench_train_step" ]; then
  for precision in fp32 bf16; do
    name=bench_graphs_$precision
    step $name 120 "$BUILD/bench/bench_train_step" --device "$DEVICE" --python "$(command -v "$PYTHON")" \
      --precision $precision --cuda-graphs "${BENCH_ARGS[@]}"
    rc=$?
    grep -E '^[A-Za-z].* [0-9]+x[0-9]+ +[0-9.]+ ' "$LOGS/$name.log" | while read -r line; do
      label=$(echo "$line" | sed -E 's/ +[0-9.]+ +([0-9.]+|n\/a) +([0-9.]+x|n\/a).*$//')
      read -r cpp py ratio <<< "$(echo "$line" | sed -E 's/^.* ([0-9.]+) +([0-9.]+|n\/a) +([0-9.]+x|n\/a).*$/\1 \2 \3/')"
      row "bench_train_step $precision: $label" "C++ $cpp ms, Python $py ms, ratio $ratio" "ok"
    done
    grep -qE ' [0-9]+x[0-9]+ +[0-9.]+ ' "$LOGS/$name.log" || row "bench_train_step --cuda-graphs $precision" "$(failed $name $rc)" "FAILED"
    write_table
  done
fi

echo "== done in $((SECONDS - T0)) s" >&2
row "gpu-check.sh" "$((SECONDS - T0)) s of the ${BUDGET} s budget" "done"
write_table
cat "$OUT/gpu-check.md"
