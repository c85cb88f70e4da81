// Off-GUI-thread curve builds: see curve_computation.h.
#include "ui/curve_computation.h"

#include "analysis/exit_rule_traits.h"

#include <utility>

namespace sweet::ui {

CurveComputation::CurveComputation(QObject* parent)
    : QObject(parent),
      builds_(
          this, [](const CurveRequest& request, const std::function<bool()>& stop) { return build(request, stop); },
          [this](std::shared_ptr<CurveModel> model) { Q_EMIT ready(std::move(model)); },
          [this](const QString& message) { Q_EMIT failed(message); }) {}

std::shared_ptr<CurveModel> CurveComputation::build(const CurveRequest& request, const std::function<bool()>& stop) {
  auto model = std::make_shared<CurveModel>();
  model->build(request.runs, request.options, request.groups, stop);
  if (stop && stop()) return model;
  // The markers start at the rule's default: each seed's sweep seeks there here (a pass
  // over its instances, ~10 ms for 7 seeds x 10,000) rather than in the first readout the
  // GUI thread asks for.
  const double start = analysis::exitRuleTraits(request.options.rule).defaultThreshold;
  for (size_t i = 0; i < model->size(); ++i) model->readout(i, start);
  return model;
}

}  // namespace sweet::ui
