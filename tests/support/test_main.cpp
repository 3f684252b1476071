// main() of every test program: a header helper first (files/header_helper.h; these programs read
// headers through read_header_isolated, which starts helpers of this same executable), then GoogleTest.
// The helper serves with the FaultEnv its arguments describe (support/fault_env.h): how a test's
// fault reaches the helper process without production code knowing any fault syntax.
#include <gtest/gtest.h>

#include "files/env.h"
#include "files/header_helper.h"
#include "support/fault_env.h"

int main(int argc, char** argv) {
  using namespace tolteca;
  if (files::is_header_helper(argc, argv)) {
    static test::FaultEnv env(files::Env::Default(), test::fault_from_helper_args(files::header_helper_args(argc, argv)));
    files::serve_header_helper(env);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
