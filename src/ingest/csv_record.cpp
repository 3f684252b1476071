#include "ingest/csv_record.h"

namespace tolteca::ingest {

namespace {

bool blank_so_far(const std::string& s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

}  // namespace

// One pass over the record's characters, at the ~80-line limit on purpose: the quoted and unquoted
// states share the position, the current field and the record facts on every character; split into
// functions they would hand all of them back and forth in the tel-csv reader's inner loop.
bool CsvCursor::next(std::vector<std::string>& fields, CsvRecordInfo& info) {
  if (pos_ >= buf_.size()) return false;
  std::size_t used = 0;  // fields in use (the vector keeps its strings' capacity)
  auto field = [&]() -> std::string& {
    if (used == fields.size()) fields.emplace_back();
    return fields[used];
  };
  info = CsvRecordInfo{};
  info.line = line_;
  info.lines = 1;
  last_line_ = line_;
  last_first_end_ = buf_.size();
  bool quoted = false;
  bool spanned = false;
  std::string* cur = &field();
  cur->clear();
  const char* p = buf_.data();
  const std::size_t n = buf_.size();
  std::size_t i = pos_;
  while (i < n) {
    const char c = p[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < n && p[i + 1] == '"') {
          *cur += '"';
          i += 2;
          continue;
        }
        quoted = false;
        ++i;
        if (i < n && p[i] != ',' && p[i] != '\n' && p[i] != '\r') info.text_after_quote = true;
        continue;
      }
      if (c == '\n') {
        if (!spanned) {
          spanned = true;
          last_first_end_ = i + 1;
          info.quote_field = used;
        }
        ++info.lines;
      }
      *cur += c;
      ++i;
      continue;
    }
    if (c == '\n') {
      if (!spanned) last_first_end_ = i + 1;
      ++i;
      break;
    }
    if (c == ',') {
      ++used;
      cur = &field();
      cur->clear();
      ++i;
      continue;
    }
    if (c == '"') {
      if (blank_so_far(*cur)) {
        cur->clear();
        quoted = true;
      } else {
        *cur += '"';  // a quote inside an unquoted field is an ordinary character
      }
      ++i;
      continue;
    }
    // Plain run of characters up to the next delimiter or quote.
    std::size_t j = i + 1;
    while (j < n && p[j] != ',' && p[j] != '\n' && p[j] != '"') ++j;
    cur->append(p + i, j - i);
    i = j;
  }
  if (quoted) info.unterminated = true;
  if (!cur->empty() && cur->back() == '\r' && !quoted) cur->pop_back();
  fields.resize(used + 1);
  pos_ = i;
  line_ += info.lines;
  return true;
}

void CsvCursor::resync_next_line() {
  pos_ = last_first_end_;
  line_ = last_line_ + 1;
}

}  // namespace tolteca::ingest
