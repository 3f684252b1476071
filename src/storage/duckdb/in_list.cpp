#include "storage/duckdb/in_list.h"

#include <fmt/format.h>

namespace tolteca::storage::duckdb {

namespace {

std::string join_ints(const std::vector<std::int64_t>& v) {
  std::string s;
  s.reserve(v.size() * 8);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(v[i]);
  }
  return s;
}

std::string unnest_ints(const std::vector<std::int64_t>& v) {
  std::string out("unnest(CAST(string_split('");
  out.append(join_ints(v)).append("', ',') AS BIGINT[]))");
  return out;
}

template <class T>
std::string placeholders(const std::vector<T>& v, std::vector<Value>& params) {
  if (v.empty()) return "(NULL)";
  // (Built with append/push_back: GCC 12's -Wrestrict misfires on `+= i ? ", ?" : "?"` once inlined.)
  std::string sql("(");
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) sql.append(", ");
    sql.push_back('?');
    params.emplace_back(v[i]);
  }
  sql.push_back(')');
  return sql;
}

}  // namespace

std::string in_list(const std::vector<std::int64_t>& v) {
  if (v.empty()) return "(NULL)";
  // (Built with append: GCC 12's -Wrestrict misfires on `"(" + s + ")"` once inlined.)
  std::string out("(");
  if (v.size() <= kLiteralListMax) {
    out.append(join_ints(v));
  } else {
    out.append("SELECT ").append(unnest_ints(v));
  }
  out.push_back(')');
  return out;
}

std::string in_list(const std::vector<std::string>& v) {
  if (v.empty()) return "(NULL)";
  bool has_separator = false;
  for (const auto& s : v) has_separator = has_separator || s.find('\x1f') != std::string::npos;
  std::string out;
  if (v.size() <= kLiteralListMax || has_separator) {
    out.push_back('(');
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) out.push_back(',');
      out.append(quote_literal(v[i]));
    }
    out.push_back(')');
    return out;
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back('\x1f');
    out.append(v[i]);
  }
  return "(SELECT unnest(string_split(" + quote_literal(out) + ", chr(31))))";
}

std::string in_cond(const std::string& col, const std::vector<std::int64_t>& sorted_unique) {
  if (sorted_unique.size() <= kLiteralListMax) return col + " IN " + in_list(sorted_unique);
  return fmt::format("{0} BETWEEN {1} AND {2} AND {0} IN {3}", col, sorted_unique.front(), sorted_unique.back(),
                     in_list(sorted_unique));
}

std::string int_table(const std::vector<std::int64_t>& v) {
  std::string out("(SELECT ");
  out.append(unnest_ints(v)).append(" AS x)");
  return out;
}

std::string bound_in_list(const std::vector<std::int64_t>& v, std::vector<Value>& params) {
  return placeholders(v, params);
}
std::string bound_in_list(const std::vector<std::string>& v, std::vector<Value>& params) {
  return placeholders(v, params);
}

}  // namespace tolteca::storage::duckdb
