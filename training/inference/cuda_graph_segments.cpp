// Batch-1 early exiting as CUDA graphs: see cuda_graph_segments.h. Compiled only against
// a libtorch with CUDA (SWEET_CUDA_GRAPHS). Written on a machine without CUDA headers and
// never compiled there: packaging/gpu-check.sh builds it, retrying without it on failure.
#include "training/inference/cuda_graph_segments.h"

#include <ATen/cuda/CUDAGraph.h>
#include <torch/torch.h>

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "training/runs/cuda_graph_capture.h"

namespace sweet {
namespace {

torch::Tensor cloneIfDefined(const torch::Tensor& t) { return t.defined() ? t.clone() : t; }

void copyIfDefined(torch::Tensor& to, const torch::Tensor& from) {
  if (to.defined() != from.defined())
    throw std::runtime_error("--cuda-graphs: an input tensor is present in one instance and absent in another");
  if (to.defined()) to.copy_(from, /*non_blocking=*/true);
}

// One padded length's graphs: a segment per exit, chained through the pass state each
// leaves in its own memory pool (segment e reads what segment e-1's last replay wrote),
// and the pass without exiting.
struct Chain {
  ModelInput input;  // static: each instance is copied in here
  std::vector<std::unique_ptr<at::cuda::CUDAGraph>> segments;
  std::vector<torch::Tensor> outputs;  // each segment's decision inputs
  std::unique_ptr<at::cuda::CUDAGraph> last;
  torch::Tensor lastOutput;
};

// Records `work` into `graph`; a failure ends the capture and names the length.
template <typename Work>
torch::Tensor captureInto(at::cuda::CUDAGraph& graph, int64_t length, const std::string& what, Work&& work) {
  graph.capture_begin({0, 0}, cudaStreamCaptureModeThreadLocal);
  torch::Tensor out;
  try {
    out = work();
  } catch (const std::exception& e) {
    try {
      graph.capture_end();
    } catch (const std::exception&) {
      // The capture was invalidated by what failed; that failure is the one to report.
    }
    throw std::runtime_error("--cuda-graphs: capturing " + what + " at length " + std::to_string(length) + " failed (" +
                             e.what() + "); run without --cuda-graphs");
  }
  graph.capture_end();
  return out;
}

}  // namespace

struct SegmentGraphs::Impl {
  int64_t exits;
  Segment segment;
  LastExit lastExit;
  c10::cuda::CUDAStream stream;
  std::map<int64_t, std::unique_ptr<Chain>> chains;  // by padded length
  Chain* current = nullptr;  // the chain of the instance being run; null: it runs eagerly

  Impl(int64_t e, const c10::Device& device, Segment s, LastExit l)
      : exits(e), segment(std::move(s)), lastExit(std::move(l)), stream(c10::cuda::getStreamFromPool(false, device.index())) {}

  // The length's chain, captured at its first instance after one eager warm-up pass on
  // the capture stream; null once kMaxSegmentGraphLengths lengths have chains.
  Chain* chainFor(const ModelInput& input) {
    if (input.input_ids.size(0) != 1) throw std::logic_error("SegmentGraphs: batch-1 graphs given a larger batch");
    const int64_t length = input.input_ids.size(1);
    const auto found = chains.find(length);
    if (found != chains.end()) return found->second.get();
    if (chains.size() >= kMaxSegmentGraphLengths) return nullptr;
    auto chain = std::make_unique<Chain>();
    chain->input = {cloneIfDefined(input.input_ids), cloneIfDefined(input.attention_mask),
                    cloneIfDefined(input.token_type_ids)};
    ExitPass warm{chain->input, {}, {}, 0};
    for (int64_t e = 0; e < exits; ++e) segment(warm);
    lastExit(chain->input);
    AutocastCacheOff noCache;
    ExitPass pass{chain->input, {}, {}, 0};
    for (int64_t e = 0; e < exits; ++e) {
      chain->segments.push_back(std::make_unique<at::cuda::CUDAGraph>());
      chain->outputs.push_back(captureInto(*chain->segments.back(), length, "exit " + std::to_string(e + 1) + "'s segment",
                                           [&] { return segment(pass); }));
    }
    chain->last = std::make_unique<at::cuda::CUDAGraph>();
    chain->lastOutput = captureInto(*chain->last, length, "the pass without exiting", [&] { return lastExit(chain->input); });
    return (chains[length] = std::move(chain)).get();
  }

  void load(Chain& chain, const ModelInput& input) {
    copyIfDefined(chain.input.input_ids, input.input_ids);
    copyIfDefined(chain.input.attention_mask, input.attention_mask);
    copyIfDefined(chain.input.token_type_ids, input.token_type_ids);
  }
};

SegmentGraphs::SegmentGraphs(int64_t exits, const c10::Device& device, bool deberta, Segment segment, LastExit lastExit) {
  if (!device.is_cuda())
    throw std::runtime_error("--cuda-graphs needs the model on a CUDA device (it is on " + device.str() + ")");
  if (deberta)
    throw std::runtime_error("--cuda-graphs cannot capture DeBERTa: its relative positions are built on the host and "
                             "copied to the device in every forward pass; run without --cuda-graphs");
  impl_ = std::make_unique<Impl>(exits, device, std::move(segment), std::move(lastExit));
}

SegmentGraphs::~SegmentGraphs() = default;

size_t SegmentGraphs::lengths() const { return impl_->chains.size(); }

torch::Tensor SegmentGraphs::decisionInputs(ExitPass& pass) {
  Impl& m = *impl_;
  const int64_t e = pass.next_exit;
  CaptureStreamScope side(m.stream);
  if (e == 0) {
    m.current = m.chainFor(pass.input);
    if (m.current) m.load(*m.current, pass.input);
  }
  if (!m.current) return {};
  m.current->segments[static_cast<size_t>(e)]->replay();
  pass.next_exit = e + 1;
  return m.current->outputs[static_cast<size_t>(e)];
}

torch::Tensor SegmentGraphs::lastExitLogits(const ModelInput& batch) {
  Impl& m = *impl_;
  CaptureStreamScope side(m.stream);
  Chain* chain = m.chainFor(batch);
  if (!chain) return {};
  m.load(*chain, batch);
  chain->last->replay();
  return chain->lastOutput;
}

}  // namespace sweet
