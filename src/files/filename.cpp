// TolTEC file names: a hand-written scanner (no regex), see filename.h.
#include "files/filename.h"

#include <fmt/format.h>

#include <stdexcept>

namespace tolteca::files {

std::string_view to_string(RejectReason r) {
  switch (r) {
    case RejectReason::not_toltec_name: return "not a TolTEC name";
    case RejectReason::current_file_link: return "current-file link";
    case RejectReason::bad_timestamp: return "bad timestamp";
    case RejectReason::bad_number: return "bad number";
  }
  return "?";
}

namespace {

constexpr std::int64_t kMaxNumber = 999'999'999;  // obsnum/subobsnum/scannum upper bound (fits int32)
constexpr int kMaxDigits = 12;                     // leading zeros included

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

NameParse reject(RejectReason r, std::string detail) { return NameRejection{r, std::move(detail)}; }

// Reads one run of digits. Returns the digit count (0 when none); `v` receives the value when the
// count is <= kMaxDigits (longer runs are reported by the caller as bad_number).
inline int read_digits(const char*& p, const char* e, std::int64_t& v) {
  const char* s = p;
  std::int64_t x = 0;
  while (p != e && is_digit(*p)) {
    if (p - s < kMaxDigits) x = x * 10 + (*p - '0');
    ++p;
  }
  v = x;
  return static_cast<int>(p - s);
}

// The numeric quartet part "{obsnum}_{subobsnum}_{scannum}".
struct Numbers {
  std::int64_t obsnum = 0, subobsnum = 0, scannum = 0;
  int sub_width = 0;
};

enum class Step { ok, not_toltec, bad_number };

// Reads "{obsnum}_{subobsnum}_{scannum}" at p; leaves p after the scannum.
Step read_quartet(const char*& p, const char* e, Numbers& n, std::string& why) {
  static constexpr const char* kField[] = {"obsnum", "subobsnum", "scannum"};
  std::int64_t* out[] = {&n.obsnum, &n.subobsnum, &n.scannum};
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      if (p == e || *p != '_') {
        why = fmt::format("expected '_' before the {}", kField[i]);
        return Step::not_toltec;
      }
      ++p;
    }
    int w = read_digits(p, e, *out[i]);
    if (w == 0) {
      why = fmt::format("expected digits for the {}", kField[i]);
      return Step::not_toltec;
    }
    if (w > kMaxDigits || *out[i] > kMaxNumber) {
      why = fmt::format("{} out of range", kField[i]);
      return Step::bad_number;
    }
    if (i == 1) n.sub_width = w;
  }
  return Step::ok;
}

enum class TsStep { ok, not_toltec, bad_timestamp };

// Reads `count` numeric fields of fixed widths separated by `sep` ("YYYY_mm_dd_HH_MM_SS" or
// "YYYY-mm-dd"). Missing digits or separators: not_toltec; wrong widths or impossible values:
// bad_timestamp.
inline int d2(const char* p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

TsStep read_time(const char*& p, const char* e, char sep, int count, std::optional<UnixMicros>& t, std::string& why) {
  // Fast path: exactly "YYYY?mm?dd[?HH?MM?SS]" followed by the end or a non-digit.
  const std::ptrdiff_t len = count == 6 ? 19 : 10;
  if (e - p >= len && (e - p == len || !is_digit(p[len]))) {
    static constexpr int kDigits[] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
    static constexpr int kSeps[] = {4, 7, 10, 13, 16};
    const int nd = count == 6 ? 14 : 8, ns = count == 6 ? 5 : 2;
    bool ok = true;
    for (int i = 0; i < nd; ++i) ok &= is_digit(p[kDigits[i]]);
    for (int i = 0; i < ns; ++i) ok &= p[kSeps[i]] == sep;
    if (ok) {
      int y = d2(p) * 100 + d2(p + 2);
      t = count == 6 ? make_utc(y, d2(p + 5), d2(p + 8), d2(p + 11), d2(p + 14), d2(p + 17))
                     : make_utc(y, d2(p + 5), d2(p + 8));
      if (t) {
        p += len;
        return TsStep::ok;
      }
    }
  }
  static constexpr int kWidth[] = {4, 2, 2, 2, 2, 2};
  int v[6] = {0, 0, 0, 0, 0, 0};
  bool widths_ok = true;
  for (int i = 0; i < count; ++i) {
    if (i > 0) {
      if (p == e || *p != sep) {
        why = "incomplete timestamp";
        return TsStep::not_toltec;
      }
      ++p;
    }
    std::int64_t x = 0;
    int w = read_digits(p, e, x);
    if (w == 0) {
      why = "incomplete timestamp";
      return TsStep::not_toltec;
    }
    if (w != kWidth[i]) widths_ok = false;
    v[i] = static_cast<int>(x > 99999 ? 99999 : x);
  }
  if (!widths_ok) {
    why = "timestamp fields have the wrong number of digits";
    return TsStep::bad_timestamp;
  }
  t = make_utc(v[0], v[1], v[2], v[3], v[4], v[5]);
  if (!t) {
    why = count == 3 ? fmt::format("impossible date {:04}-{:02}-{:02}", v[0], v[1], v[2])
                     : fmt::format("impossible date/time {:04}-{:02}-{:02} {:02}:{:02}:{:02}", v[0], v[1], v[2], v[3],
                                   v[4], v[5]);
    return TsStep::bad_timestamp;
  }
  return TsStep::ok;
}

// The master from the directories above the file: ".../{ics,tcs,clip}/{interface}/name".
std::optional<Master> master_from_dir(std::string_view dir) {
  // dir excludes the final '/'. Strip the interface directory, then take the next component.
  while (!dir.empty() && dir.back() == '/') dir.remove_suffix(1);
  auto s1 = dir.rfind('/');
  if (s1 == std::string_view::npos) return std::nullopt;
  std::string_view up = dir.substr(0, s1);
  while (!up.empty() && up.back() == '/') up.remove_suffix(1);
  auto s2 = up.rfind('/');
  std::string_view comp = s2 == std::string_view::npos ? up : up.substr(s2 + 1);
  if (comp == "ics") return Master::ics;
  if (comp == "tcs") return Master::tcs;
  if (comp == "clip") return Master::clip;
  return std::nullopt;
}

bool is_current_link(std::string_view stem) {
  // "toltec0", "toltec12", "hwpr", "tel", "tel_toltec", "tel_toltec2", "toltec_hk", "wyatt", "toltec".
  std::size_t n = stem.size();
  while (n > 0 && is_digit(stem[n - 1])) --n;
  std::string_view base = stem.substr(0, n);
  return base == "toltec" || base == "hwpr" || base == "tel" || base == "tel_toltec" || base == "toltec_hk" ||
         base == "wyatt" || base == "lmt" || base == "tel_toltec_hk";
}

struct SuffixClass {
  DataKindBits kind = 0;
  bool raw_token = false;  // the suffix is exactly a raw suffix (or empty)
  bool ok = true;
};

inline DataKindBits raw_suffix_kind(std::string_view tok) {
  if (tok == "vnasweep") return bits(DataKind::VnaSweep);
  if (tok == "targsweep") return bits(DataKind::TargetSweep);
  if (tok == "tune") return bits(DataKind::Tune);
  if (tok == "timestream") return bits(DataKind::RawTimeStream);
  return 0;
}

// Suffix classification. `nominal_kind` is the kind of a file without suffix.
SuffixClass classify_suffix(std::string_view suffix, DataKindBits nominal_kind) {
  SuffixClass c;
  if (suffix.empty()) {
    c.kind = nominal_kind;
    c.raw_token = true;
    return c;
  }
  auto us = suffix.find('_');
  std::string_view first = us == std::string_view::npos ? suffix : suffix.substr(0, us);
  if (DataKindBits k = raw_suffix_kind(first)) {
    c.kind = k;
    c.raw_token = us == std::string_view::npos;
    return c;
  }
  // Reduction products whose suffix does not start with a raw kind ("_d21.nc", "_processed.nc").
  if (first == "d21" || first == "processed" || first == "kids" || first == "reduced") {
    c.kind = 0;
    c.raw_token = false;
    return c;
  }
  c.ok = false;
  return c;
}

}  // namespace

std::string interface_name(InterfaceKind kind, std::optional<int> roach) {
  switch (kind) {
    case InterfaceKind::toltec: {
      int r = roach.value_or(0);
      std::string s = "toltec";
      if (r >= 10) s += static_cast<char>('0' + r / 10 % 10);
      s += static_cast<char>('0' + (r < 0 ? 0 : r % 10));
      return s;
    }
    case InterfaceKind::hwpr: return "hwpr";
    case InterfaceKind::toltec_hk: return "toltec_hk";
    case InterfaceKind::tel_toltec: return "tel_toltec";
    case InterfaceKind::tel_toltec2: return "tel_toltec2";
    case InterfaceKind::wyatt: return "wyatt";
  }
  return "?";
}

namespace {

// A reason the name is not a TolTEC name (nullopt: go on).
using Fail = std::optional<NameRejection>;
Fail fail(RejectReason r, std::string detail) { return NameRejection{r, std::move(detail)}; }

Fail from_step(Step st, std::string& why) {
  switch (st) {
    case Step::ok: return std::nullopt;
    case Step::not_toltec: return fail(RejectReason::not_toltec_name, why);
    case Step::bad_number: return fail(RejectReason::bad_number, why);
  }
  return std::nullopt;
}

Fail from_ts(TsStep st, std::string& why) {
  switch (st) {
    case TsStep::ok: return std::nullopt;
    case TsStep::not_toltec: return fail(RejectReason::not_toltec_name, why);
    case TsStep::bad_timestamp: return fail(RejectReason::bad_timestamp, why);
  }
  return std::nullopt;
}

// The interface prefix ("toltec7_", "toltec_hk_", "tel_toltec_", "hwpr_", "wyatt_"): sets out.kind
// (and out.roach, out.date_first); date_form when the date comes first ("{prefix}_{YYYY-mm-dd}_…").
Fail read_prefix(std::string_view stem, const char*& p, const char* e, ParsedName& out, bool& date_form) {
  date_form = false;
  const char c0 = stem.empty() ? '\0' : stem[0];
  if (c0 == 't' && stem.size() > 6 && is_digit(stem[6]) && starts_with(stem, "toltec")) {
    out.kind = InterfaceKind::toltec;
    p += 6;
    std::int64_t r = 0;
    const char* s = p;
    int w = read_digits(p, e, r);
    if (p == e || *p != '_') {
      if (p == e && is_current_link(stem)) return fail(RejectReason::current_file_link, "link to the file being written");
      return fail(RejectReason::not_toltec_name, "expected '_' after the network number");
    }
    if (w > 2 || r > 12 || (w == 2 && *s == '0'))
      return fail(RejectReason::bad_number, fmt::format("network number '{}' is not 0..12", std::string_view(s, w)));
    out.roach = static_cast<int>(r);
    ++p;
  } else if (c0 == 't' && starts_with(stem, "toltec_hk_")) {
    out.kind = InterfaceKind::toltec_hk;
    p += 10;
    // The older form puts the date first: digits followed by '-'.
    const char* q = p;
    while (q != e && is_digit(*q)) ++q;
    date_form = q != e && *q == '-';
    out.date_first = date_form;
  } else if (starts_with(stem, "tel_toltec2_")) {
    out.kind = InterfaceKind::tel_toltec2;
    p += 12;
    date_form = true;
  } else if (starts_with(stem, "tel_toltec_")) {
    out.kind = InterfaceKind::tel_toltec;
    p += 11;
    date_form = true;
  } else if (starts_with(stem, "hwpr_")) {
    out.kind = InterfaceKind::hwpr;
    p += 5;
  } else if (starts_with(stem, "wyatt_")) {
    out.kind = InterfaceKind::wyatt;
    p += 6;
    date_form = true;
  } else {
    if (is_current_link(stem)) return fail(RejectReason::current_file_link, "link to the file being written");
    return fail(RejectReason::not_toltec_name, "unknown interface prefix");
  }
  return std::nullopt;
}

// "{YYYY-mm-dd}_{obsnum}_{subobsnum}_{scannum}" (telescope, wyatt, old housekeeping names).
Fail read_date_form(const char*& p, const char* e, ParsedName& out, Numbers& n) {
  std::string why;
  if (auto f = from_ts(read_time(p, e, '-', 3, out.file_time, why), why)) return f;
  if (p == e || *p != '_') return fail(RejectReason::not_toltec_name, "expected '_' after the date");
  ++p;
  if (auto f = from_step(read_quartet(p, e, n, why), why)) return f;
  if (p != e) return fail(RejectReason::not_toltec_name, "unexpected text after the scannum");
  return std::nullopt;
}

// "{obsnum}_{subobsnum}_{scannum}_{YYYY_mm_dd_HH_MM_SS}[_{suffix}]" (network, hwpr, housekeeping).
Fail read_timestamp_form(const char*& p, const char* e, ParsedName& out, Numbers& n) {
  std::string why;
  if (auto f = from_step(read_quartet(p, e, n, why), why)) return f;
  if (p == e || *p != '_') return fail(RejectReason::not_toltec_name, "expected '_' before the timestamp");
  ++p;
  if (auto f = from_ts(read_time(p, e, '_', 6, out.file_time, why), why)) return f;
  if (p != e) {
    if (*p != '_' || p + 1 == e) return fail(RejectReason::not_toltec_name, "unexpected text after the timestamp");
    ++p;
    for (const char* q = p; q != e; ++q)
      if (!is_alnum(*q) && *q != '_') return fail(RejectReason::not_toltec_name, "unexpected character in the suffix");
    if (e[-1] == '_') return fail(RejectReason::not_toltec_name, "suffix ends with '_'");
    out.suffix.assign(p, e);
  }
  return std::nullopt;
}

// out.data_kind and out.is_raw from the interface and the suffix.
Fail set_kind(ParsedName& out, bool is_nc) {
  switch (out.kind) {
    case InterfaceKind::toltec:
    case InterfaceKind::hwpr:
    case InterfaceKind::toltec_hk: {
      DataKindBits nominal = out.kind == InterfaceKind::toltec_hk ? 0 : bits(DataKind::RawTimeStream);
      SuffixClass c = classify_suffix(out.suffix, nominal);
      if (!c.ok) return fail(RejectReason::not_toltec_name, fmt::format("unknown suffix '{}'", out.suffix));
      out.data_kind = c.kind;
      out.is_raw = c.raw_token && is_nc;
      break;
    }
    case InterfaceKind::tel_toltec:
    case InterfaceKind::tel_toltec2:
      out.data_kind = bits(DataKind::LmtTel);
      out.is_raw = is_nc;
      break;
    case InterfaceKind::wyatt:
      out.data_kind = 0;
      out.is_raw = is_nc;
      break;
  }
  return std::nullopt;
}

}  // namespace

NameParse parse_filename(std::string_view path) {
  auto slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::string_view dir = slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
  if (name.empty()) return reject(RejectReason::not_toltec_name, "empty file name");

  auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size())
    return reject(RejectReason::not_toltec_name, "no file extension");
  std::string_view ext = name.substr(dot + 1);
  for (char c : ext)
    if (!is_alnum(c)) return reject(RejectReason::not_toltec_name, "unexpected character in the extension");
  std::string_view stem = name.substr(0, dot);

  ParsedName out;
  const char* p = stem.data();
  const char* e = p + stem.size();
  bool date_form = false;
  if (auto f = read_prefix(stem, p, e, out, date_form)) return std::move(*f);
  Numbers n;
  if (auto f = date_form ? read_date_form(p, e, out, n) : read_timestamp_form(p, e, out, n)) return std::move(*f);
  out.obsnum = n.obsnum;
  out.subobsnum = static_cast<std::int32_t>(n.subobsnum);
  out.scannum = static_cast<std::int32_t>(n.scannum);
  out.subobsnum_width = n.sub_width;
  out.extension.assign(ext);
  if (auto f = set_kind(out, ext == "nc")) return std::move(*f);

  out.interface = interface_name(out.kind, out.roach);
  if (out.kind == InterfaceKind::tel_toltec || out.kind == InterfaceKind::tel_toltec2)
    out.master = Master::tcs;
  else if (!dir.empty())
    out.master = master_from_dir(dir);
  return out;
}


std::string format_filename(const ParsedName& n) {
  if (!n.file_time) throw std::invalid_argument("format_filename: the name has no file time");
  const CivilTime c = civil_from_micros(*n.file_time);
  const int w = n.subobsnum_width > 0 ? n.subobsnum_width : 3;
  fmt::memory_buffer b;
  auto out = std::back_inserter(b);
  auto date_form = [&](std::string_view prefix) {
    fmt::format_to(out, "{}_{:04}-{:02}-{:02}_{:06}_{:0{}}_{:04}.{}", prefix, c.year, c.month, c.day, n.obsnum, n.subobsnum, w,
                   n.scannum, n.extension);
  };
  auto stamp_form = [&](std::string_view prefix) {
    fmt::format_to(out, "{}_{:06}_{:0{}}_{:04}_{:04}_{:02}_{:02}_{:02}_{:02}_{:02}", prefix, n.obsnum, n.subobsnum, w,
                   n.scannum, c.year, c.month, c.day, c.hour, c.minute, c.second);
    if (!n.suffix.empty()) fmt::format_to(out, "_{}", n.suffix);
    fmt::format_to(out, ".{}", n.extension);
  };
  switch (n.kind) {
    case InterfaceKind::toltec:
      stamp_form(interface_name(n.kind, n.roach));
      break;
    case InterfaceKind::hwpr: stamp_form("hwpr"); break;
    case InterfaceKind::toltec_hk:
      if (n.date_first)
        date_form("toltec_hk");
      else
        stamp_form("toltec_hk");
      break;
    case InterfaceKind::tel_toltec: date_form("tel_toltec"); break;
    case InterfaceKind::tel_toltec2: date_form("tel_toltec2"); break;
    case InterfaceKind::wyatt: date_form("wyatt"); break;
  }
  return fmt::to_string(b);
}

std::string format_relative_path(const ParsedName& n) {
  if (n.kind == InterfaceKind::tel_toltec || n.kind == InterfaceKind::tel_toltec2)
    return "tel/" + format_filename(n);
  if (!n.master) throw std::invalid_argument("format_relative_path: the name has no master");
  return fmt::format("toltec/{}/{}/{}", to_string(*n.master), interface_name(n.kind, n.roach), format_filename(n));
}

}  // namespace tolteca::files
