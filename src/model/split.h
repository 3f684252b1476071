#pragma once
// The one splitter of comma (or other) separated lists: option values ("0,1,2,7-10", "--tables a,b"),
// rule and obs-type lists, aggregated columns. Two forms, because callers differ in whether an empty
// item is an error or nothing:
//   split("a,,b")            -> {"a", "", "b"}   every item (text "" gives one empty item)
//   split_nonempty(" a, ,b", ',', Trim::blanks)  -> {"a", "b"}   empty items dropped, after trimming
#include <string>
#include <string_view>
#include <vector>

namespace tolteca {

// Every item between separators, empty ones included; views into `text`.
std::vector<std::string_view> split(std::string_view text, char sep = ',');

enum class Trim { none, blanks };  // blanks: spaces and tabs at both ends of each item

// The items that are not empty (after trimming when asked), in order.
std::vector<std::string> split_nonempty(std::string_view text, char sep = ',', Trim trim = Trim::none);

}  // namespace tolteca
