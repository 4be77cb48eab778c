// federationd's web page in headless Chromium (Debian's chromium, driven by npm playwright-core;
// tests/browser/federation_page.mjs): filtering by currency shows orders from all three
// coordinators with their badges, and the offline coordinator is marked.
#include <cstdlib>

#include "tests/integration/federation/federation_fixture.h"

namespace federation_test {
namespace {

std::string BrowserDir() {
  return (std::filesystem::path(__FILE__).parent_path() / "../../browser").lexically_normal().string();
}

class FederationPage : public FederationCluster {
 protected:
  void SetUp() override {
    m_gamma_delay = std::chrono::milliseconds(0);
    FederationCluster::SetUp();
  }
};

TEST_F(FederationPage, FiltersByCurrencyShowsEveryCoordinatorAndMarksTheOfflineOne) {
  if (!std::filesystem::exists("/usr/bin/chromium") || !std::filesystem::exists("/usr/bin/node")) {
    GTEST_SKIP() << "needs Debian's chromium and nodejs (ops/setup installs them)";
  }
  ASSERT_TRUE(WaitAllInBook());
  // beta goes offline: its orders stay, marked.
  ASSERT_EQ(m_coordinators["beta"]->Stop(kWait), std::optional<int>(0));
  ASSERT_TRUE(testsupport::WaitUntil([&] { return Coordinators()["beta"]["status"] == "offline"; }, kWait, 100ms));

  const std::string dir = BrowserDir();
  // `npm ci` once (offline-safe: an installed node_modules is kept).
  if (!std::filesystem::exists(dir + "/node_modules/playwright-core")) {
    auto ci = testsupport::Run({"/usr/bin/env", "sh", "-c", "cd '" + dir + "' && npm ci --no-audit --no-fund 1>&2"},
                               m_dir + "/npm.log", 300s);
    ASSERT_EQ(ci.code, 0) << "npm ci failed: " << testsupport::ReadFile(m_dir + "/npm.log");
  }
  const std::string shot = m_dir + "/federation_page.png";
  auto run = testsupport::Run({"/usr/bin/node", dir + "/federation_page.mjs", m_url, shot, m_dir + "/chromium-profile"},
                              m_dir + "/browser.log", 240s);
  EXPECT_EQ(run.code, 0) << run.out << testsupport::ReadFile(m_dir + "/browser.log");
  EXPECT_NE(run.out.find(" passed, 0 failed"), std::string::npos) << run.out;
  EXPECT_TRUE(std::filesystem::exists(shot));
  if (const char* keep = std::getenv("FEDERATION_SCREENSHOT")) std::filesystem::copy_file(shot, keep,
                                                                    std::filesystem::copy_options::overwrite_existing);
}

}  // namespace
}  // namespace federation_test
