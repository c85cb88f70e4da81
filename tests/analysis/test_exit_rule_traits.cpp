// Tests for analysis/exit_rule_traits: the table covers every rule under unique names that
// round-trip through the parser, its ranges hold their defaults, and each fact it states
// (threshold events, direction, temperatures, learned scores) is what the replay does.
#include "analysis/exit_policy.h"
#include "analysis/exit_rule_traits.h"
#include "analysis/exit_sweep.h"

#include <QtTest>

#include <cmath>
#include <set>
#include <stdexcept>
#include <string>

using namespace sweet::analysis;

namespace {

constexpr int64_t kExits = 6, kInstances = 40, kClasses = 3;

// Reproducible noise in [0, 1) (a 32-bit LCG), so the logits need no fixture file.
struct Noise {
  uint32_t state;
  double next() {
    state = state * 1664525u + 1013904223u;
    return static_cast<double>(state >> 8) / static_cast<double>(1u << 24);
  }
};

// Later exits grow more certain of a class that earlier ones only lean to, so every rule's
// threshold moves some instances and the extremes of its range send everyone out at the
// first or the last exit.
LogitSet noisyLogits() {
  LogitSet set;
  set.exits = kExits;
  set.instances = kInstances;
  set.classes = kClasses;
  Noise noise{7};
  for (int64_t i = 0; i < kInstances; ++i) set.labels.push_back(i % kClasses);
  set.logits.resize(static_cast<size_t>(kExits * kInstances * kClasses));
  for (int64_t e = 0; e < kExits; ++e)
    for (int64_t i = 0; i < kInstances; ++i)
      for (int64_t c = 0; c < kClasses; ++c) {
        const double lean = c == set.labels[static_cast<size_t>(i)] ? 0.4 * static_cast<double>(e) : 0.0;
        set.logits[static_cast<size_t>((e * kInstances + i) * kClasses + c)] =
            static_cast<float>(lean + 2.0 * noise.next());
      }
  return set;
}

std::vector<float> learnedScores() {
  Noise noise{11};
  std::vector<float> scores(static_cast<size_t>(kExits * kInstances));
  for (float& s : scores) s = static_cast<float>(0.98 * noise.next());
  return scores;
}

ExitReplay replayWithScores(const std::vector<double>& temperatures = {}) {
  ExitReplay replay(noisyLogits(), temperatures);
  replay.setLearnedScores(learnedScores());
  return replay;
}

double meanExit(const ExitAssignment& a) {
  double sum = 0;
  for (int32_t e : a.exitOf) sum += e;
  return sum / static_cast<double>(a.exitOf.size());
}

// Eleven values across the rule's range for this model (every k for an integer parameter).
std::vector<double> valuesAcross(const ExitRuleTraits& t) {
  const ThresholdRange r = t.range(kExits);
  std::vector<double> values;
  if (t.integerParameter())
    for (double k = r.low; k <= r.high; k += 1.0) values.push_back(k);
  else
    for (int j = 0; j <= 10; ++j) values.push_back(r.low + (r.high - r.low) * j / 10.0);
  return values;
}

}  // namespace

class ExitRuleTraitsTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void table_listsEveryRuleOnceUnderUniqueNames() {
    const std::set<ExitRule> every = {ExitRule::Confidence, ExitRule::Entropy, ExitRule::Patience, ExitRule::Learned};
    std::set<ExitRule> listed;
    std::set<std::string> names, displayNames;
    for (const ExitRuleTraits& t : allExitRules()) {
      listed.insert(t.rule);
      names.insert(t.name);
      displayNames.insert(t.displayName);
      QCOMPARE(exitRuleTraits(t.rule).name, t.name);
    }
    QCOMPARE(listed, every);
    QCOMPARE(allExitRules().size(), every.size());
    QCOMPARE(names.size(), every.size());
    QCOMPARE(displayNames.size(), every.size());
    QCOMPARE(std::string(allExitRules().front().name), std::string("confidence"));  // the paper's rule first
  }

  void names_roundTripThroughTheParser() {
    for (const ExitRuleTraits& t : allExitRules()) QCOMPARE(exitRuleFromName(exitRuleName(t.rule)), t.rule);
    // The names `sweet infer --rule` and run files already use.
    QCOMPARE(exitRuleFromName("confidence"), ExitRule::Confidence);
    QCOMPARE(exitRuleFromName("learned"), ExitRule::Learned);
  }

  void unknownName_throwsNamingEveryAcceptedOne() {
    try {
      exitRuleFromName("Confidence");
      QFAIL("a name in the wrong case was accepted");
    } catch (const std::runtime_error& e) {
      const std::string message = e.what();
      QVERIFY(message.find("'Confidence'") != std::string::npos);
      for (const ExitRuleTraits& t : allExitRules()) QVERIFY(message.find(t.name) != std::string::npos);
    }
  }

  void range_containsTheDefault_forEveryModelDepth() {
    for (const ExitRuleTraits& t : allExitRules())
      for (int64_t exits : {2, 4, 12, 24}) {
        const ThresholdRange r = t.range(exits);
        QVERIFY2(r.low < r.high && r.contains(t.defaultThreshold), t.name);
        if (t.integerParameter()) {
          QCOMPARE(t.defaultThreshold, std::round(t.defaultThreshold));
          QCOMPARE(r.high, static_cast<double>(exits));
        }
      }
  }

  // Rules the paper's sweep applies to read confidences: its thresholds run from 1/K to 1.
  void paperSweep_onlyForUnitScoresThatExitAtOrAbove() {
    for (const ExitRuleTraits& t : allExitRules())
      if (t.paperSweep)
        QVERIFY2(t.parameter == ExitParameter::UnitScore && t.sense == ThresholdSense::AtLeast && t.thresholdEvents,
                 t.name);
  }

  void thresholdEvents_matchWhatTheReplayCanSweep() {
    ExitReplay replay = replayWithScores();
    for (const ExitRuleTraits& t : allExitRules()) {
      if (t.thresholdEvents) {
        QVERIFY2(!replay.events(t.rule).empty(), t.name);
        ExitSweep sweep(replay, t.rule);
        QCOMPARE(sweep.rule(), t.rule);
      } else {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, replay.events(t.rule));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ExitSweep{replay, t.rule});
      }
    }
  }

  // AtLeast: raising the threshold keeps instances longer; AtMost: it lets them out sooner.
  // The sweep, which orders events by the sense, lands where a fresh assignment does.
  void sense_isHowTheExitsMoveWithTheThreshold() {
    ExitReplay replay = replayWithScores();
    for (const ExitRuleTraits& t : allExitRules()) {
      const std::vector<double> values = valuesAcross(t);
      std::vector<double> exits;
      for (double v : values) exits.push_back(meanExit(replay.assign(t.rule, v)));
      QVERIFY2(exits.front() != exits.back(), t.name);
      for (size_t j = 1; j < exits.size(); ++j)
        QVERIFY2(t.sense == ThresholdSense::AtLeast ? exits[j] >= exits[j - 1] : exits[j] <= exits[j - 1], t.name);
      if (!t.thresholdEvents) continue;
      ExitSweep sweep(replay, t.rule);
      for (double v : values) {
        sweep.seek(v);
        QCOMPARE(sweep.exitCounts(), replay.assign(t.rule, v).exitCounts);
      }
    }
  }

  void usesTemperatures_isWhetherTemperaturesMoveAnyInstance() {
    ExitReplay raw = replayWithScores();
    ExitReplay scaled = replayWithScores(std::vector<double>(kExits, 2.5));
    for (const ExitRuleTraits& t : allExitRules()) {
      bool moved = false;
      for (double v : valuesAcross(t)) {
        const std::vector<int32_t> before = raw.assign(t.rule, v).exitOf;
        moved = moved || before != scaled.assign(t.rule, v).exitOf;
      }
      QVERIFY2(moved == t.usesTemperatures, t.name);
    }
  }

  void needsLearnedScores_isWhetherAReplayWithoutThemRefuses() {
    ExitReplay replay(noisyLogits());
    for (const ExitRuleTraits& t : allExitRules()) {
      bool refused = false;
      try {
        replay.assign(t.rule, t.defaultThreshold);
      } catch (const std::invalid_argument&) {
        refused = true;
      }
      QVERIFY2(refused == t.needsLearnedScores, t.name);
      QCOMPARE(std::string(t.scoreSource).empty(), t.usesTemperatures);  // else the calibration names it
    }
  }
};

QTEST_GUILESS_MAIN(ExitRuleTraitsTest)
#include "test_exit_rule_traits.moc"
