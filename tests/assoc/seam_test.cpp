// The association vocabulary (model/assoc_type.h, model/product_type.h), the
// engine's typed errors (facts, no flag names) and how the CLI phrases them,
// and the store's trace option (filled by the CLI from TOLTECA_ASSOC_TRACE).
#include <gtest/gtest.h>

#include <string>

#include "assoc/engine.h"
#include "assoc/errors.h"
#include "assoc/named.h"
#include "assoc/state.h"
#include "storage/duckdb/session.h"
#include "sim/synthetic.h"
#include "model/assoc_type.h"
#include "model/product_type.h"
#include "storage/duckdb/assoc_store.h"
#include "support/test_support.h"

using namespace tolteca;

namespace {

bool names_a_flag(const std::exception& e) { return std::string(e.what()).find("--") != std::string::npos; }

}  // namespace

TEST(AssocVocabulary, OneNamePerTypeAndTheProductAndEdgeTypes) {
  EXPECT_EQ(assoc_type_name(AssocType::cal_group), "cal_group");
  EXPECT_EQ(assoc_type_name(AssocType::cal_obs), "raw_obs_cal_obs");
  EXPECT_EQ(group_product_type(AssocType::focus_group), product_type::focus_group);
  EXPECT_EQ(group_product_type(AssocType::cal_obs), "");
  EXPECT_EQ(assoc_edge_type(AssocType::drivefit), "dpa_drivefit_raw_obs");
  EXPECT_EQ(assoc_edge_type(AssocType::cal_obs), edge_type::raw_obs_cal_obs);
  for (AssocType t : kGroupTypes) {
    EXPECT_TRUE(is_group(t));
    EXPECT_EQ(group_type_of_product(group_product_type(t)), t);
  }
  EXPECT_FALSE(group_type_of_product(product_type::raw_obs).has_value());
  EXPECT_FALSE(group_type_of_product(product_type::named_group).has_value());
}

TEST(AssocVocabulary, ParseAcceptsNamesAndAliasesOnly) {
  for (AssocType t : kAssocTypes) EXPECT_EQ(parse_assoc_type(assoc_type_name(t)), t);
  EXPECT_EQ(parse_assoc_type("cal"), AssocType::cal_group);
  EXPECT_EQ(parse_assoc_type("dp_astig_group"), AssocType::astig_group);
  EXPECT_EQ(parse_assoc_type("cal_edges"), AssocType::cal_obs);
  EXPECT_EQ(parse_assoc_type("dpa_raw_obs_cal_obs"), AssocType::cal_obs);
  // As before the vocabulary moved: member edge kinds are not type names.
  EXPECT_FALSE(parse_assoc_type("dpa_cal_group_raw_obs").has_value());
  EXPECT_FALSE(parse_assoc_type("bogus").has_value());
}

TEST(AssocErrors, LibraryErrorsCarryFactsAndNameNoFlag) {
  try {
    assoc::parse_assoc_types("cal_group, bogus");
    ADD_FAILURE() << "no throw";
  } catch (const assoc::UnknownAssocType& e) {
    EXPECT_EQ(e.item, "bogus");
    EXPECT_FALSE(names_a_flag(e)) << e.what();
  }
  EXPECT_THROW(assoc::parse_assoc_types(" , "), assoc::NoAssocTypes);

  storage::OpenOptions o;
  o.mode = storage::OpenMode::Create;
  auto s = storage::duckdb::Session::open("duckdb:///:memory:", o);
  auto store = storage::duckdb::make_assoc_store(*s);
  assoc::StreamOptions so;
  so.batch_size = 0;
  try {
    assoc::stream(*store, so);
    ADD_FAILURE() << "no throw";
  } catch (const assoc::NonPositiveStreamSize& e) {
    EXPECT_EQ(e.field, assoc::NonPositiveStreamSize::Field::batch_size);
    EXPECT_EQ(e.value, 0);
    EXPECT_FALSE(names_a_flag(e)) << e.what();
  }
  try {
    assoc::StateStore st(*store, {assoc::StateBackend::filesystem, ""});
    ADD_FAILURE() << "no throw";
  } catch (const assoc::StateDirMissing& e) {
    EXPECT_FALSE(names_a_flag(e)) << e.what();
  }
  try {
    assoc::add_to_named_group(*store, "nosuch", {"ics-1"});
    ADD_FAILURE() << "no throw";
  } catch (const assoc::NamedGroupMissing& e) {
    EXPECT_EQ(e.name, "nosuch");
    EXPECT_EQ(std::string(e.what()).find("tolteca_db"), std::string::npos) << e.what();
  }
}

TEST(AssocErrors, ReadOnlyStoreRefusesWrites) {
  test::TempDir tmp;
  const std::string url = "duckdb:///" + (tmp / "r.duckdb").string();
  {
    storage::OpenOptions o;
    o.mode = storage::OpenMode::Create;
    storage::duckdb::Session::open(url, o);
  }
  storage::OpenOptions o;
  o.mode = storage::OpenMode::ReadOnly;
  auto s = storage::duckdb::Session::open(url, o);
  auto store = storage::duckdb::make_assoc_store(*s);
  ASSERT_TRUE(store->read_only());
  try {
    assoc::generate(*store, {});
    ADD_FAILURE() << "no throw";
  } catch (const assoc::ReadOnlyStore& e) {
    EXPECT_EQ(e.operation, assoc::ReadOnlyStore::Operation::generate);
    EXPECT_FALSE(names_a_flag(e)) << e.what();
  }
  EXPECT_THROW(assoc::reset_state(*store, {}), assoc::ReadOnlyStore);
  assoc::GenerateOptions dry;
  dry.dry_run = true;
  EXPECT_EQ(assoc::generate(*store, dry).mode, "full");  // a dry run reads only
}

// The CLI phrases the same facts with its flags (unchanged messages).
TEST(AssocErrors, TheCliPhrasesThemWithItsFlags) {
  test::TempDir tmp;
  const std::string url = "duckdb:///" + (tmp / "r.duckdb").string();
  ASSERT_EQ(test::run_cli({"db", "init", "--db", url}).exit_code, 0);
  auto r = test::run_cli({"assoc", "stream", "--batch-size", "0", "--db", url});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--batch-size must be positive"), std::string::npos) << r.err;
  r = test::run_cli({"assoc", "generate", "--types", ",", "--db", url});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--types is empty; valid: cal_group, drivefit, focus_group, astig_group, raw_obs_cal_obs"),
            std::string::npos)
      << r.err;
  r = test::run_cli({"assoc", "group", "delete", "nosuch", "--db", url});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no named group 'nosuch' (see 'tolteca_db assoc group list')"), std::string::npos) << r.err;
}

// TOLTECA_ASSOC_TRACE is read by the CLI (no getenv in the library): the
// store prints its queries only when the option is set.
TEST(AssocStoreOptions, TraceIsAnOptionTheCliFills) {
  test::TempDir tmp;
  const std::string url = "duckdb:///" + (tmp / "r.duckdb").string();
  ASSERT_EQ(test::run_cli({"db", "init", "--db", url}).exit_code, 0);
  auto quiet = test::run_cli({"assoc", "state", "--db", url});
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("[assoc sql"), std::string::npos) << quiet.err;
  auto traced = test::run_cli({"assoc", "state", "--db", url}, {"TOLTECA_ASSOC_TRACE=1"});
  EXPECT_EQ(traced.exit_code, 0) << traced.err;
  EXPECT_NE(traced.err.find("[assoc sql"), std::string::npos) << traced.err;
  EXPECT_EQ(traced.out, quiet.out);
}
