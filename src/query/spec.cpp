#include "query/spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>

namespace tolteca::query {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string describe(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return "end of spec";
  char c = text[pos];
  if (std::isprint(static_cast<unsigned char>(c))) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02x}", static_cast<unsigned char>(c));
}

class Parser {
 public:
  explicit Parser(std::string_view text) : t_(text) {}

  ObsSpec parse() {
    ObsSpec spec;
    spec.text = std::string(t_);
    if (t_.empty()) fail(0, "empty spec; expected an obsnum, a set '{…}', a range '[…]' or 'latest'");
    // Leading word: a master, or 'latest'.
    if (std::isalpha(static_cast<unsigned char>(peek()))) {
      std::size_t start = p_;
      while (p_ < t_.size() && std::isalpha(static_cast<unsigned char>(t_[p_]))) ++p_;
      std::string word = lower(t_.substr(start, p_ - start));
      if (word == "latest") {
        spec.latest = true;
        parse_tail(spec);
        return spec;
      }
      auto m = parse_master(word);
      if (!m)
        fail(start, fmt::format("unknown master '{}'; expected tcs, ics or clip, 'latest', or a number",
                                t_.substr(start, p_ - start)));
      spec.master = m;
      if (p_ >= t_.size()) fail(p_, "expected '-' and an obsnum after the master");
      if (t_[p_] != '-') fail(p_, fmt::format("unexpected {} after the master; expected '-'", describe(t_, p_)));
      ++p_;
      if (p_ + 6 <= t_.size() && lower(t_.substr(p_, 6)) == "latest" &&
          (p_ + 6 == t_.size() || !std::isalnum(static_cast<unsigned char>(t_[p_ + 6])))) {
        p_ += 6;
        spec.latest = true;
        parse_tail(spec);
        return spec;
      }
    }
    spec.obsnum = parse_number("obsnum", std::numeric_limits<std::int64_t>::max());
    if (p_ < t_.size() && t_[p_] == '-') {
      ++p_;
      spec.subobsnum = parse_number("subobsnum", std::numeric_limits<std::int32_t>::max());
      if (p_ < t_.size() && t_[p_] == '-') {
        ++p_;
        spec.scannum = parse_number("scannum", std::numeric_limits<std::int32_t>::max());
        scannum_given_ = true;
      }
    }
    parse_tail(spec);
    return spec;
  }

 private:
  char peek() const { return p_ < t_.size() ? t_[p_] : '\0'; }

  [[noreturn]] void fail(std::size_t pos, const std::string& reason) const {
    throw SpecError(std::string(t_), pos, reason);
  }

  void skip_blanks() {
    while (p_ < t_.size() && is_blank(t_[p_])) ++p_;
  }

  // After the quartet part: optional '/iface', then the end.
  void parse_tail(ObsSpec& spec) {
    if (p_ < t_.size() && t_[p_] == '/') {
      std::size_t start = ++p_;
      while (p_ < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[p_])) || t_[p_] == '_')) ++p_;
      if (p_ == start) fail(start, fmt::format("expected a network number or an interface name after '/', got {}",
                                               describe(t_, start)));
      auto word = t_.substr(start, p_ - start);
      auto iface = normalize_interface(word);
      if (!iface)
        fail(start, fmt::format("unknown interface '{}'; expected a network 0-12, toltec0..toltec12, hwpr, "
                                "toltec_hk, tel_toltec, tel_toltec2 or wyatt",
                                word));
      spec.interface = iface;
      if (iface->rfind("toltec", 0) == 0 && iface->size() > 6 && is_digit((*iface)[6]))
        spec.roach = std::stoi(iface->substr(6));
    }
    if (p_ < t_.size()) {
      std::string what = spec.interface ? "end of spec"
                         : (spec.latest || !spec.scannum.is_all() || scannum_given_) ? "'/' or end of spec"
                                                                                     : "'-', '/' or end of spec";
      fail(p_, fmt::format("unexpected {}; expected {}", describe(t_, p_), what));
    }
  }

  std::int64_t parse_int(const char* field, std::int64_t max) {
    std::size_t start = p_;
    if (p_ >= t_.size() || !is_digit(t_[p_])) fail(p_, fmt::format("expected a digit for {}, got {}", field, describe(t_, p_)));
    std::int64_t v = 0;
    while (p_ < t_.size() && is_digit(t_[p_])) {
      int d = t_[p_] - '0';
      if (v > (max - d) / 10) fail(start, fmt::format("{} {} is too large", field, t_.substr(start, p_ - start + 1)));
      v = v * 10 + d;
      ++p_;
    }
    return v;
  }

  NumberSel parse_number(const char* field, std::int64_t max) {
    if (p_ >= t_.size())
      fail(p_, fmt::format("expected {} (a number, a set '{{…}}' or a range '[…]'), got end of spec", field));
    char c = t_[p_];
    if (is_digit(c)) return NumberSel::value(parse_int(field, max));
    if (c == '{') return parse_set(field, max);
    if (c == '[') return parse_range(field, max);
    fail(p_, fmt::format("expected {} (a number, a set '{{…}}' or a range '[…]'), got {}", field, describe(t_, p_)));
  }

  NumberSel parse_set(const char* field, std::int64_t max) {
    std::size_t open = p_++;
    skip_blanks();
    if (peek() == '}') {
      ++p_;
      return NumberSel::all();
    }
    NumberSel sel;
    sel.kind = NumberSel::Kind::set;
    for (;;) {
      skip_blanks();
      sel.values.push_back(parse_int(field, max));
      skip_blanks();
      if (p_ >= t_.size()) fail(open, fmt::format("set for {} is not closed with '}}'", field));
      if (t_[p_] == ',') {
        ++p_;
        continue;
      }
      if (t_[p_] == '}') {
        ++p_;
        break;
      }
      fail(p_, fmt::format("unexpected {} in the set for {}; expected ',' or '}}'", describe(t_, p_), field));
    }
    std::sort(sel.values.begin(), sel.values.end());
    sel.values.erase(std::unique(sel.values.begin(), sel.values.end()), sel.values.end());
    if (sel.values.size() == 1) return NumberSel::value(sel.values[0]);
    return sel;
  }

  NumberSel parse_range(const char* field, std::int64_t max) {
    std::size_t open = p_++;
    NumberSel sel;
    sel.kind = NumberSel::Kind::range;
    auto optional_int = [&]() -> std::optional<std::int64_t> {
      skip_blanks();
      if (is_digit(peek())) {
        auto v = parse_int(field, max);
        skip_blanks();
        return v;
      }
      return std::nullopt;
    };
    auto expect_close_or = [&](char alt) {
      if (p_ >= t_.size()) fail(open, fmt::format("range for {} is not closed with ']'", field));
      char ch = t_[p_];
      if (ch == ']' || ch == alt) return ch;
      fail(p_, fmt::format("unexpected {} in the range for {}; expected a number, {}']'", describe(t_, p_), field,
                           alt ? fmt::format("'{}' or ", alt) : std::string()));
    };
    sel.start = optional_int();
    char ch = expect_close_or(':');
    ++p_;
    if (ch == ']') {
      // "[]" = all; "[5]" is a single value written as a range.
      if (!sel.start) return NumberSel::all();
      return NumberSel::value(*sel.start);
    }
    sel.stop = optional_int();
    ch = expect_close_or(':');
    ++p_;
    if (ch == ':') {
      std::size_t step_pos = p_;
      skip_blanks();
      step_pos = p_;
      auto step = optional_int();
      if (step) {
        if (*step == 0) fail(step_pos, fmt::format("the step of the range for {} must be at least 1", field));
        sel.step = *step;
      }
      expect_close_or('\0');
      ++p_;
    }
    if (sel.start && sel.stop && *sel.stop <= *sel.start)
      fail(open, fmt::format("empty range for {}: stop {} is not after start {} (ranges are half-open)", field,
                             *sel.stop, *sel.start));
    if (!sel.start && !sel.stop && sel.step == 1) return NumberSel::all();
    return sel;
  }

  std::string_view t_;
  std::size_t p_ = 0;
  bool scannum_given_ = false;
};

}  // namespace

SpecError::SpecError(std::string spec, std::size_t position, const std::string& reason)
    : UserError(fmt::format("invalid observation spec '{}' at character {}: {}", spec, position + 1, reason)),
      spec_(std::move(spec)),
      position_(position),
      reason_(reason) {}

ObsSpec parse_spec(std::string_view text) {
  // Trim surrounding blanks (shell quoting leftovers); positions refer to the trimmed text.
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return Parser(text).parse();
}

std::vector<ObsSpec> parse_specs(const std::vector<std::string>& texts) {
  std::vector<ObsSpec> out;
  out.reserve(texts.size());
  for (const auto& t : texts) out.push_back(parse_spec(t));
  return out;
}

std::string to_string(const NumberSel& sel) {
  switch (sel.kind) {
    case NumberSel::Kind::all: return "[]";
    case NumberSel::Kind::value: return std::to_string(sel.values[0]);
    case NumberSel::Kind::set: return fmt::format("{{{}}}", fmt::join(sel.values, ","));
    case NumberSel::Kind::range: {
      std::string s = "[";
      if (sel.start) s += std::to_string(*sel.start);
      s += ':';
      if (sel.stop) s += std::to_string(*sel.stop);
      if (sel.step != 1) s += fmt::format(":{}", sel.step);
      s += ']';
      return s;
    }
  }
  return "[]";
}

std::string to_string(const ObsSpec& spec) {
  std::string s;
  if (spec.master) s = std::string(to_string(*spec.master)) + "-";
  if (spec.latest) {
    s += "latest";
  } else {
    s += to_string(spec.obsnum);
    if (!spec.subobsnum.is_all() || !spec.scannum.is_all()) s += fmt::format("-{}", to_string(spec.subobsnum));
    if (!spec.scannum.is_all()) s += fmt::format("-{}", to_string(spec.scannum));
  }
  if (spec.interface) s += fmt::format("/{}", *spec.interface);
  return s;
}

std::optional<std::string> normalize_interface(std::string_view text) {
  std::string w = lower(text);
  auto network = [](std::string_view digits) -> std::optional<std::string> {
    if (digits.empty() || digits.size() > 2) return std::nullopt;
    if (!std::all_of(digits.begin(), digits.end(), is_digit)) return std::nullopt;
    if (digits.size() == 2 && digits[0] == '0') return std::nullopt;
    int n = std::stoi(std::string(digits));
    if (n > 12) return std::nullopt;
    return "toltec" + std::to_string(n);
  };
  if (!w.empty() && is_digit(w[0])) return network(w);
  if (w == "hwpr" || w == "toltec_hk" || w == "tel_toltec" || w == "tel_toltec2" || w == "wyatt") return w;
  if (w.rfind("toltec", 0) == 0) return network(std::string_view(w).substr(6));
  return std::nullopt;
}

}  // namespace tolteca::query
