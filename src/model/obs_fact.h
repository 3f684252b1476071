#pragma once
// The facts the association rules read: one compact row per raw observation,
// and the TargSweep ("cal") pointers of its files. Plain data, no database.
#include <compare>
#include <cstdint>
#include <limits>
#include <string_view>

#include "model/data_kind.h"
#include "model/master.h"
#include "model/quartet.h"

namespace tolteca {

// ObsGoal classes the run rules care about.
enum class GoalClass : std::uint8_t { none = 0, focus = 1, astig = 2 };
// An ObsGoal text's class, case-insensitive: "focus" -> focus, "astig" and
// "astigmatism" -> astig, anything else -> none.
GoalClass goal_class_of(std::string_view obs_goal);

// Start time used when a raw observation has none recorded: before everything.
inline constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();

// Sequence order: start time, then master code (tcs=0 < ics=1 < clip=2),
// obsnum, subobsnum, scannum.
struct SeqPos {
  std::int64_t time = kNoTime;
  std::uint8_t master = 0;
  std::int64_t obsnum = 0;
  std::int32_t subobsnum = 0;
  std::int32_t scannum = 0;
  auto operator<=>(const SeqPos&) const = default;
  bool operator==(const SeqPos&) const = default;

  static constexpr SeqPos lowest(std::int64_t t) { return {t, 0, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::min()}; }
  static constexpr SeqPos highest(std::int64_t t) { return {t, 255, std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int32_t>::max(), std::numeric_limits<std::int32_t>::max()}; }
};

struct ObsFact {
  std::int64_t id = 0;  // products.id
  std::int64_t time = kNoTime;  // obs_start_time, microseconds since the epoch (kNoTime: unknown)
  std::uint8_t master = 0;      // Master code
  std::int64_t obsnum = 0;
  std::int32_t subobsnum = 0;
  std::int32_t scannum = 0;
  DataKindBits kind = 0;
  GoalClass goal = GoalClass::none;
  std::int64_t ingest_seq = 0;

  SeqPos pos() const { return {time, master, obsnum, subobsnum, scannum}; }
  Quartet quartet() const { return {static_cast<Master>(master), obsnum, subobsnum, scannum}; }
  bool has_kind(DataKind k) const { return has(kind, k); }
  bool is_sweep() const { return (kind & kRawSweepBits) != 0; }
  bool operator==(const ObsFact&) const = default;
};

inline bool seq_less(const ObsFact& a, const ObsFact& b) { return a.pos() < b.pos(); }

// One distinct TargSweep pointer of a raw observation's files, with the
// networks (bit r = toltec r) whose files carry it.
struct CalPointer {
  std::int64_t src_id = 0;  // the raw observation whose files point
  std::int64_t obsnum = 0;  // the pointed-to (obsnum, subobsnum, scannum)
  std::int32_t subobsnum = 0;
  std::int32_t scannum = 0;
  std::uint32_t roach_mask = 0;
  bool operator==(const CalPointer&) const = default;
};

}  // namespace tolteca
