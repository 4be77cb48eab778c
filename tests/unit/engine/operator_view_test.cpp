// What an operator sees of the engine: one log line per order transition (never a secret),
// refused requests, and a bounded queue that answers "busy" instead of growing.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using coordinator::CancelCmd;
using coordinator::TakeCmd;

// Redirects the process' stderr (where base::Log writes) to a file while alive.
class StderrCapture {
 public:
  explicit StderrCapture(std::string path) : m_path(std::move(path)) {
    std::fflush(stderr);
    m_saved = ::dup(2);
    int fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~StderrCapture() { Stop(); }
  std::string Stop() {
    if (m_saved >= 0) {
      std::fflush(stderr);
      ::dup2(m_saved, 2);
      ::close(m_saved);
      m_saved = -1;
    }
    std::ifstream in(m_path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string m_path;
  int m_saved = -1;
};

class OperatorView : public EngineHarness {};

TEST_F(OperatorView, EveryOrderTransitionAndRefusalIsOneLogLineWithoutSecrets) {
  auto& maker = Robot("maker", "alice");
  auto& taker = Robot("taker", "bob");
  StderrCapture capture(m_dir + "/stderr.log");
  int64_t id = MakePublic(maker, SellOrder("100"));
  auto refused = Call(maker, TakeCmd{id, "", std::nullopt});  // one's own order
  ASSERT_FALSE(refused.ok());
  TakeAndLock(taker, id);
  Ok(taker, CancelCmd{id, 6});
  WaitStatus(maker, id, 4);
  const std::string log = capture.Stop();
  const std::string order = "\"order\":\"" + std::to_string(id) + "\"";
  auto has = [&](const std::string& from, const std::string& to) {
    return log.find("\"msg\":\"order status\"," + order + ",\"from\":\"" + from + "\",\"to\":\"" + to + "\"") !=
           std::string::npos;
  };
  EXPECT_TRUE(has("new", "0")) << log;
  EXPECT_TRUE(has("0", "1")) << log;
  EXPECT_TRUE(has("1", "6")) << log;
  EXPECT_TRUE(has("6", "4")) << log;
  EXPECT_NE(log.find("\"msg\":\"request refused\",\"command\":\"take\""), std::string::npos) << log;
  // No robot identity, key, preimage or invoice in any line.
  EXPECT_EQ(log.find(maker.auth.hash_id), std::string::npos);
  EXPECT_EQ(log.find("PGP"), std::string::npos);
  EXPECT_EQ(log.find("lnbcrt"), std::string::npos);
  auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
  for (const auto& h : audit.value()->HoldsOfOrder(id)) EXPECT_EQ(log.find(h.preimage), std::string::npos);
}

TEST_F(OperatorView, AFullQueueAnswersBusyAtOnce) {
  auto& maker = Robot("maker", "alice");
  Ok(maker, coordinator::GetRobotCmd{});
  m_engine->max_queued = 5;
  // Hold the engine's thread inside a reply, so that everything submitted meanwhile queues.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> holding;
  m_engine->Submit(maker.auth, coordinator::GetRobotCmd{}, [&holding, released](base::Result<json>) {
    holding.set_value();
    released.wait();
  });
  holding.get_future().wait();
  int busy = 0;
  std::vector<std::future<base::Result<json>>> answers;
  for (int i = 0; i < 20; ++i) {
    auto p = std::make_shared<std::promise<base::Result<json>>>();
    answers.push_back(p->get_future());
    m_engine->Submit(maker.auth, coordinator::GetRobotCmd{}, [p](base::Result<json> r) { p->set_value(std::move(r)); });
  }
  // Beyond the bound, the refusals come back at once, on the submitting thread.
  for (auto& a : answers) {
    if (a.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      auto r = a.get();
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code, base::Status::kUnavailable);
      ++busy;
    }
  }
  EXPECT_EQ(busy, 15);
  EXPECT_LE(m_engine->QueueDepth(), 5u);
  release.set_value();
  m_engine->Drain();
}

}  // namespace
}  // namespace enginetest
