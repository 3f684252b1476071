#include "model/query_types.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "model/error.h"
#include "model/product_type.h"

namespace tolteca::query {

std::string compress_numbers(const std::vector<int>& v) {
  std::string out;
  std::size_t i = 0;
  auto add = [&](const std::string& s) {
    if (!out.empty()) out += ',';
    out += s;
  };
  while (i < v.size()) {
    std::size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    if (j - i >= 2) {
      add(fmt::format("{}-{}", v[i], v[j]));
    } else {
      for (std::size_t k = i; k <= j; ++k) add(std::to_string(v[k]));
    }
    i = j + 1;
  }
  return out;
}

const std::vector<std::string>& group_types() {
  static const std::vector<std::string> types = [] {
    std::vector<std::string> v;
    for (std::string_view pt : product_type::groups) v.emplace_back(pt.substr(product_type::prefix.size()));
    return v;
  }();
  return types;
}

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

BadWhereTerm::BadWhereTerm(std::string t, std::size_t p, std::string w)
    : UserError(fmt::format("invalid filter term '{}' at character {}: {}; expected COLUMN OP VALUE with OP one of "
                            "= != < <= > >= like ilike",
                            t, p, w)),
      text(std::move(t)), position(p), why(std::move(w)) {}

WhereTerm parse_where(const std::string& text) {
  auto fail = [&](std::size_t pos, const std::string& why) -> WhereTerm {
    throw BadWhereTerm(text, pos + 1, why);
  };
  std::size_t p = 0;
  auto skip = [&] {
    while (p < text.size() && std::isspace(static_cast<unsigned char>(text[p]))) ++p;
  };
  skip();
  std::size_t c0 = p;
  while (p < text.size() && (std::isalnum(static_cast<unsigned char>(text[p])) || text[p] == '_')) ++p;
  if (p == c0) return fail(p, "expected a column name");
  WhereTerm t;
  t.column = lower(text.substr(c0, p - c0));
  skip();
  std::size_t o0 = p;
  if (p < text.size() && std::isalpha(static_cast<unsigned char>(text[p]))) {
    while (p < text.size() && std::isalpha(static_cast<unsigned char>(text[p]))) ++p;
    t.op = lower(text.substr(o0, p - o0));
    if (t.op != "like" && t.op != "ilike") return fail(o0, fmt::format("unknown operator '{}'", t.op));
  } else {
    while (p < text.size() && std::string_view("=!<>").find(text[p]) != std::string_view::npos) ++p;
    t.op = text.substr(o0, p - o0);
    if (t.op == "==") t.op = "=";
    if (t.op == "<>") t.op = "!=";
    static const char* ops[] = {"=", "!=", "<", "<=", ">", ">="};
    if (std::none_of(std::begin(ops), std::end(ops), [&](const char* o) { return t.op == o; }))
      return fail(o0, t.op.empty() ? "expected an operator" : fmt::format("unknown operator '{}'", t.op));
  }
  skip();
  if (p >= text.size()) return fail(p, "expected a value");
  std::string v = text.substr(p);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
  t.value = v;
  return t;
}

std::optional<ExportFormat> parse_export_format(const std::string& text) {
  auto t = lower(text);
  if (t == "csv") return ExportFormat::csv;
  if (t == "parquet" || t == "pq") return ExportFormat::parquet;
  if (t == "json" || t == "ndjson") return ExportFormat::json;
  return std::nullopt;
}

std::optional<ExportFormat> export_format_from_path(const std::string& path) {
  auto dot = path.rfind('.');
  auto slash = path.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return std::nullopt;
  return parse_export_format(path.substr(dot + 1));
}

}  // namespace tolteca::query
