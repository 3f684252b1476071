// The CLI's output printers, in-process: the streamed JSON array is byte for byte the whole one.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "cli/output.h"

namespace tolteca::cli {
namespace {

std::string whole(const nlohmann::json& arr) {
  std::ostringstream out;
  print_json(out, arr);
  return out.str();
}

std::string streamed(const nlohmann::json& arr) {
  std::ostringstream out;
  JsonArrayPrinter p(out);
  for (const auto& e : arr) p.add(e);
  p.finish();
  return out.str();
}

TEST(JsonArrayPrinter, EmptyAndSimpleArraysMatchTheWholeDump) {
  EXPECT_EQ(streamed(nlohmann::json::array()), whole(nlohmann::json::array()));
  const auto arr = nlohmann::json::parse(R"([{"a": 1, "b": [], "c": {}, "d": [1, [2, {"e": null}]],
      "s": "line\nbreak \"quoted\" ü"}, 3, "x", [], {}])");
  EXPECT_EQ(streamed(arr), whole(arr));
}

// Property: random nested values stream exactly as they dump.
TEST(JsonArrayPrinter, RandomNestedArraysMatchTheWholeDump) {
  std::mt19937 rng(7);
  std::function<nlohmann::json(int)> value = [&](int depth) -> nlohmann::json {
    switch (std::uniform_int_distribution<int>(0, depth > 3 ? 3 : 5)(rng)) {
      case 0: return nullptr;
      case 1: return std::uniform_int_distribution<int>(-1000, 1000)(rng);
      case 2: return std::uniform_real_distribution<double>(-1, 1)(rng);
      case 3: return std::string(std::uniform_int_distribution<int>(0, 5)(rng), "a\n\"b"[rng() % 4]);
      case 4: {
        auto a = nlohmann::json::array();
        for (int i = std::uniform_int_distribution<int>(0, 3)(rng); i > 0; --i) a.push_back(value(depth + 1));
        return a;
      }
      default: {
        auto o = nlohmann::json::object();
        for (int i = std::uniform_int_distribution<int>(0, 3)(rng); i > 0; --i)
          o[std::string(1, static_cast<char>('a' + i))] = value(depth + 1);
        return o;
      }
    }
  };
  for (int trial = 0; trial < 300; ++trial) {
    auto arr = nlohmann::json::array();
    for (int i = std::uniform_int_distribution<int>(0, 6)(rng); i > 0; --i) arr.push_back(value(1));
    ASSERT_EQ(streamed(arr), whole(arr)) << arr.dump();
  }
}

}  // namespace
}  // namespace tolteca::cli
