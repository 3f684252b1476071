#include "storage/ingest_records.h"

namespace tolteca::storage {

int tel_origin_rank(std::string_view origin) {
  if (origin == "tel_toltec") return 0;
  if (origin == "tel_toltec2") return 1;
  return 2;
}

}  // namespace tolteca::storage
