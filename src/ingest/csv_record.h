#pragma once
// One CSV record at a time from an in-memory buffer (RFC 4180 quoting: a field
// that starts with '"' runs to the matching '"', "" is a literal quote, and a
// quoted field may span lines). The caller decides what a record that ran past
// the end of its first line means: the telescope catalogue has no multi-line
// fields, so tel_csv.cpp treats such a record with the wrong number of columns
// as one malformed line and resumes at the next line with resync_next_line().
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tolteca::ingest {

struct CsvRecordInfo {
  std::int64_t line = 0;     // 1-based physical line where the record starts
  std::int64_t lines = 0;    // physical lines it consumed (1 unless a quoted field spans lines)
  bool unterminated = false;  // a quoted field was still open at the end of the input
  std::size_t quote_field = 0;  // 0-based column of the first quoted field that ran past its line
  // A closing quote followed by something other than ',' or the end of the line (`"a"b`): kept as
  // text (abc), but a record that spans lines this way is a stray quote, not a multi-line field.
  bool text_after_quote = false;
};

class CsvCursor {
 public:
  explicit CsvCursor(std::string_view buf) : buf_(buf) {}
  // Reads the next record into `fields` (reused; no allocation once warm). False at end of input.
  bool next(std::vector<std::string>& fields, CsvRecordInfo& info);
  // Discards what the last record consumed after its first line: parsing resumes at the line after
  // the record's first line (which is then counted once, as the caller's malformed row).
  void resync_next_line();

 private:
  std::string_view buf_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 1;            // line number at pos_
  std::size_t last_first_end_ = 0;   // offset just after the last record's first line
  std::int64_t last_line_ = 0;
};

}  // namespace tolteca::ingest
