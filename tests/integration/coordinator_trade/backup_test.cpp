// Backup and restore during a running trade: `coordctl backup FILE` copies the live database
// (SQLite's online backup API) while coordinatord runs with the seller's escrow held; the
// database is then lost, `coordinatord --restore FILE` starts from the copy, and the trade
// finishes with every sat where it belongs.
#include <filesystem>

#include "tests/integration/coordinator_trade/trade_fixture.h"

namespace coordinator_trade_test {
namespace {

using testsupport::BinaryPath;

TEST_F(CoordinatorTrade, BackupTakenMidTradeRestoresIntoACoordinatorThatFinishesIt) {
  RegisterRobots();
  auto& seller = T("robot");
  auto& buyer = T("other");
  const int64_t seller0 = seller.wallet->LocalSats().value_or(-1);
  const int64_t buyer0 = buyer.wallet->LocalSats().value_or(-1);
  const int64_t id = MakeAndPublish(
      seller, {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}, {"premium", "1"}});
  TakeAndLock(buyer, id, "");
  const int64_t escrow = LockEscrow(seller, id);
  ASSERT_GT(escrow, 0);
  WaitStatus(*buyer.robot, id, 8);

  // The backup, while the coordinator runs.
  const std::string data = m_dir + "/data";
  const std::string backup = m_dir + "/backup.db";
  auto taken = testsupport::Run({BinaryPath("coordctl"), "--data-dir", data, "backup", backup}, m_dir + "/coordctl.log",
                                kWait);
  ASSERT_EQ(taken.code, 0) << taken.out << testsupport::ReadFile(m_dir + "/coordctl.log");
  EXPECT_NE(taken.out.find("integrity ok"), std::string::npos) << taken.out;
  EXPECT_EQ(std::filesystem::status(backup).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // Never over an existing file.
  auto again = testsupport::Run({BinaryPath("coordctl"), "--data-dir", data, "backup", backup}, m_dir + "/coordctl.log",
                                kWait);
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(testsupport::ReadFile(m_dir + "/coordctl.log").find("it must not exist yet"), std::string::npos);

  // The disk is lost: the database and its WAL go (the keys stay: they are restored apart).
  ASSERT_EQ(m_coordinatord->Stop(kWait), std::optional<int>(0));
  m_coordinatord.reset();
  std::filesystem::create_directories(m_dir + "/lost");
  for (const char* f : {"coordinator.db", "coordinator.db-wal", "coordinator.db-shm"}) {
    std::error_code ec;
    std::filesystem::rename(data + "/" + f, m_dir + "/lost/" + f, ec);
  }

  testsupport::CoordinatordOptions restore = m_options;
  restore.extra_args = {"--restore", backup};
  auto restored = testsupport::Coordinatord::Start(m_dir, *m_simln->Node("coordinator"), restore);
  ASSERT_TRUE(restored.ok()) << restored.error();
  m_coordinatord = std::move(restored.value());
  for (auto& [name, t] : m_traders) t.robot->set_api_url(m_coordinatord->api_url());
  EXPECT_NE(testsupport::ReadFile(m_coordinatord->log_path()).find("database restored"), std::string::npos);

  // The trade goes on from the backup's state: the escrow is still held, the buyer gives an
  // invoice, both confirm, the buyer is paid once.
  EXPECT_EQ(Order(*buyer.robot, id).value("status", -1), 8);
  const std::string payout_payreq = SubmitInvoice(buyer, id);
  json done = ConfirmBoth(buyer, seller, id);
  const int64_t payout = done.value("num_satoshis", int64_t{0});
  EXPECT_GT(payout, 0) << done.dump();
  CheckMoney(buyer, buyer0, payout, payout_payreq, seller, seller0, escrow);
}

}  // namespace
}  // namespace coordinator_trade_test
