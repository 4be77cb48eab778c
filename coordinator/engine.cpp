#include "coordinator/engine.h"

#include <csignal>

#include "config/base/log.h"
#include "coordinator/engine_ops.h"
#include "coordinator/engine_tx.h"
#include "coordinator/notifications/notifications.h"
#include "coordinator/errors.h"
#include "coordinator/identity/pgp.h"

namespace coordinator {
namespace {

// For logs: the command's name and the order it concerns (0: none).
std::pair<const char*, int64_t> Describe(const Command& command) {
  return std::visit(
      [](const auto& c) -> std::pair<const char*, int64_t> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, GetRobotCmd>) return {"robot", 0};
        else if constexpr (std::is_same_v<T, SetStealthCmd>) return {"stealth", 0};
        else if constexpr (std::is_same_v<T, MakeCmd>) return {"make", 0};
        else if constexpr (std::is_same_v<T, GetOrderCmd>) return {"order", c.order_id};
        else if constexpr (std::is_same_v<T, TakeCmd>) return {"take", c.order_id};
        else if constexpr (std::is_same_v<T, PauseCmd>) return {"pause", c.order_id};
        else if constexpr (std::is_same_v<T, CancelCmd>) return {"cancel", c.order_id};
        else if constexpr (std::is_same_v<T, UpdateInvoiceCmd>) return {"update_invoice", c.order_id};
        else if constexpr (std::is_same_v<T, ConfirmCmd>) return {"confirm", c.order_id};
        else if constexpr (std::is_same_v<T, UndoConfirmCmd>) return {"undo_confirm", c.order_id};
        else if constexpr (std::is_same_v<T, DisputeCmd>) return {"dispute", c.order_id};
        else if constexpr (std::is_same_v<T, RatePlatformCmd>) return {"rate_platform", c.order_id};
        else if constexpr (std::is_same_v<T, StatementCmd>) return {"submit_statement", c.order_id};
        else if constexpr (std::is_same_v<T, ChatGetCmd>) return {"chat", c.order_id};
        else if constexpr (std::is_same_v<T, ChatPostCmd>) return {"chat_post", c.order_id};
        else if constexpr (std::is_same_v<T, RewardCmd>) return {"reward", 0};
        else if constexpr (std::is_same_v<T, ReviewCmd>) return {"review", 0};
        else {
          static_assert(std::is_same_v<T, NotificationsCmd>);
          return {"notifications", 0};
        }
      },
      command);
}

}  // namespace

Engine::Engine(Deps deps) : m_d(std::move(deps)) {
  {
    auto initial = std::make_shared<Snapshot>();
    initial->live_robot_nostr_keys = std::make_shared<const std::set<std::string>>();
    std::atomic_store(&m_snapshot, std::shared_ptr<const Snapshot>(std::move(initial)));
  }
}

Engine::~Engine() { Stop(); }

void Engine::Start() {
  for (const auto& o : m_d.store->LiveOrders()) {
    m_logged_status.insert_or_assign(o.id, o.status);
    Schedule(o.id);
  }
  Recover();
  // After the recovery: the time since the last heartbeat (a crash, a kill, a stop) is an
  // outage; the deadlines it concerns move before any timer runs (engine_outage.cpp).
  NoteDowntimeAtStart();
  Publish();
  m_thread = std::thread([this] { Run(); });
}

void Engine::Stop() {
  {
    std::lock_guard lock(m_mu);
    if (m_stopping) return;
    m_stopping = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
  // Answer what never ran.
  std::deque<Item> left;
  {
    std::lock_guard lock(m_mu);
    left.swap(m_queue);
  }
  for (auto& item : left) {
    if (auto* c = std::get_if<CommandItem>(&item)) {
      c->reply(base::Err(base::Status::Error(base::Status::kUnavailable, "The coordinator is shutting down")));
    } else if (auto* a = std::get_if<AdminItem>(&item)) {
      a->reply(base::Err(base::Status::Error(base::Status::kUnavailable, "The coordinator is shutting down")));
    } else if (auto* d = std::get_if<DrainItem>(&item)) {
      d->done->set_value();
    }
  }
}

void Engine::CrashPoint(const char* stage, IntentKind kind) const {
  if (m_d.crash_point.empty()) return;
  const char* name = "?";
  switch (kind) {
    case IntentKind::kAddHold: name = "add_hold"; break;
    case IntentKind::kSettleHold: name = "settle"; break;
    case IntentKind::kCancelHold: name = "cancel"; break;
    case IntentKind::kPay: name = "pay"; break;
    case IntentKind::kPayReward: name = "pay_reward"; break;
    case IntentKind::kPayDevTax: name = "pay_dev_tax"; break;
  }
  if (m_d.crash_point != std::string(stage) + ":" + name) return;
  base::Log(base::LogLevel::kWarn, "engine", "test crash point reached: SIGKILL", {{"point", m_d.crash_point}});
  ::raise(SIGKILL);
}

void Engine::Post(Item item) {
  {
    std::lock_guard lock(m_mu);
    m_queue.push_back(std::move(item));
  }
  m_cv.notify_one();
}

size_t Engine::QueueDepth() const {
  std::lock_guard lock(m_mu);
  return m_queue.size();
}

void Engine::Submit(Auth auth, Command command, Reply reply) {
  {
    std::unique_lock lock(m_mu);
    if (m_stopping) {
      lock.unlock();
      reply(base::Err(base::Status::Error(base::Status::kUnavailable, "The coordinator is shutting down")));
      return;
    }
    if (m_queue.size() >= max_queued) {
      lock.unlock();
      reply(base::Err(base::Status::Error(base::Status::kUnavailable,
                                          "The coordinator is busy right now. Please try again in a few seconds")));
      return;
    }
  }
  Post(CommandItem{std::move(auth), std::move(command), std::move(reply)});
}

void Engine::Tick() { Post(TickItem{}); }
void Engine::Reconcile() { Post(ReconcileItem{}); }

void Engine::Drain() {
  auto done = std::make_shared<std::promise<void>>();
  auto fut = done->get_future();
  {
    std::lock_guard lock(m_mu);
    if (m_stopping && !m_thread.joinable()) return;
  }
  Post(DrainItem{done});
  fut.wait();
}

void Engine::Run() {
  auto next_tick = std::chrono::steady_clock::now() + tick_interval;
  for (;;) {
    Item item;
    {
      std::unique_lock lock(m_mu);
      m_cv.wait_until(lock, next_tick, [&] { return m_stopping || !m_queue.empty(); });
      if (m_stopping) return;
      if (m_queue.empty()) {
        lock.unlock();
        next_tick = std::chrono::steady_clock::now() + tick_interval;
        OnTimers();
        continue;
      }
      item = std::move(m_queue.front());
      m_queue.pop_front();
    }
    std::visit(
        [&](auto& it) {
          using T = std::decay_t<decltype(it)>;
          if constexpr (std::is_same_v<T, CommandItem>) Handle(it);
          else if constexpr (std::is_same_v<T, AdminItem>) Handle(it);
          else if constexpr (std::is_same_v<T, HoldUpdate>) Handle(it);
          else if constexpr (std::is_same_v<T, IntentResult>) Handle(it);
          else if constexpr (std::is_same_v<T, TickItem>) OnTimers();
          else if constexpr (std::is_same_v<T, ReconcileItem>) {
            m_last_reconcile = {};
            OnTimers();
          } else if constexpr (std::is_same_v<T, DrainItem>) it.done->set_value();
        },
        item);
    if (std::chrono::steady_clock::now() >= next_tick) {
      next_tick = std::chrono::steady_clock::now() + tick_interval;
      OnTimers();
    }
  }
}

bool Engine::Transact(const std::function<void(Tx&)>& body, Tx** out) {
  Store& store = *m_d.store;
  auto tx = std::make_unique<Tx>(store, m_d.clock->NowSeconds());
  auto begun = store.Begin();
  if (!begun.ok()) {
    base::Log(base::LogLevel::kError, "engine", "store begin failed", {{"error", begun.error()}});
    return false;
  }
  try {
    body(*tx);
    if (!tx->abort) {
      // Every status change of the transaction tells the robots concerned, in the same commit.
      Ops ops(*this, *tx);
      for (const auto& [id, before] : std::map(tx->status_before)) {
        auto after = tx->store.OrderById(id);
        if (after && (!before || *before != after->status)) {
          notifications::OnStatusChange(ops, *after, before);
          PublishOrderEvent(*tx, *after);
        }
      }
      if (m_d.on_orders_written && !tx->status_before.empty()) {
        std::vector<int64_t> ids;
        for (const auto& entry : tx->status_before) ids.push_back(entry.first);
        tx->after_commit.push_back([this, ids = std::move(ids)] { m_d.on_orders_written(ids); });
      }
    }
  } catch (const StoreFailure& e) {
    base::Log(base::LogLevel::kError, "engine", "transition aborted", {{"error", e.what()}});
    store.Rollback();
    return false;
  }
  if (tx->abort) {
    store.Rollback();
    return false;
  }
  auto committed = store.Commit();
  if (!committed.ok()) {
    base::Log(base::LogLevel::kError, "engine", "commit failed", {{"error", committed.error()}});
    store.Rollback();
    return false;
  }
  for (auto& f : tx->after_commit) f();
  for (const auto& intent : tx->new_intents) {
    base::Log(base::LogLevel::kDebug, "engine", "intent decided",
              {{"intent", std::to_string(intent.id)},
               {"kind", std::to_string(static_cast<int>(intent.kind))},
               {"order", std::to_string(intent.order_id)}});
    CrashPoint("commit", intent.kind);
    Execute(intent, /*redrive=*/false);
  }
  for (int64_t id : tx->touched_orders) Schedule(id);
  if (!tx->touched_orders.empty()) Publish();
  if (out) {
    m_last_tx = std::move(tx);
    *out = m_last_tx.get();
  }
  return true;
}

void Engine::Handle(CommandItem& c) {
  const int64_t now = m_d.clock->NowSeconds();
  Store& store = *m_d.store;

  // 1. The robot: found by its token, or created on its first request (own transaction, so
  //    the robot exists even if its first command is refused, as in RoboSats).
  std::optional<Robot> robot;
  if (!c.auth.hash_id.empty()) {
    robot = store.RobotByHashId(c.auth.hash_id);
    if (!robot) {
      if (!c.auth.keys) {
        c.reply(base::Err(Error(err::kFirstRequestNeedsKeys)));
        return;
      }
      if (auto other = store.RobotByPublicKey(c.auth.keys->public_key); other && other->active_order_id != 0) {
        // RoboSats 1055: a public key already used by another active robot.
        c.reply(base::Err(Error(err::kBadKeys, "Invalid keys: this public key belongs to another active robot")));
        return;
      }
      // RoboSats: the keys of a robot's first request are checked once, when it is created
      // (7002 bad keys, 1056 a key made less than 12 hours ago).
      auto pub = identity::ValidatePublicKey(c.auth.keys->public_key, now);
      if (!pub.ok()) {
        c.reply(base::Err(pub.error()));
        return;
      }
      auto priv = identity::ValidateEncryptedPrivateKey(c.auth.keys->encrypted_private_key, pub->fingerprint);
      if (!priv.ok()) {
        c.reply(base::Err(priv));
        return;
      }
      Robot r;
      r.id = store.NewId(Table::kRobot);
      r.hash_id = c.auth.hash_id;
      r.nickname = c.auth.keys->nickname;
      r.public_key = c.auth.keys->public_key;
      r.encrypted_private_key = c.auth.keys->encrypted_private_key;
      r.nostr_pubkey = c.auth.keys->nostr_pubkey;
      r.created_at = now;
      r.last_seen_at = now;
      auto put = store.Put(r);
      if (!put.ok()) {
        base::Log(base::LogLevel::kError, "engine", "robot insert failed", {{"error", put.error()}});
        c.reply(base::Err(base::Status::Error(base::Status::kInternal, "Internal error")));
        return;
      }
      robot = r;
    }
  }

  // 2. The command, in one transaction with every intent it decides. A refused command
  //    rolls back: it leaves nothing behind.
  base::Result<nlohmann::json> result = base::Err(base::Status::Error(base::Status::kInternal, "Internal error"));
  Tx* done = nullptr;
  bool committed = Transact(
      [&](Tx& tx) {
        result = Dispatch(tx, robot ? &*robot : nullptr, c.command);
        if (!result.ok()) tx.abort = true;
      },
      &done);
  if (result.ok()) {
    // One line per request handled (debug): the command and its order, never the robot.
    auto [name, order_id] = Describe(c.command);
    base::Log(base::LogLevel::kDebug, "engine", "request handled",
              {{"command", name}, {"order", std::to_string(order_id)}});
  } else {
    // What an operator needs to follow a refused request: never the robot's identity.
    auto [name, order_id] = Describe(c.command);
    base::Log(base::LogLevel::kInfo, "engine", "request refused",
              {{"command", name}, {"order", std::to_string(order_id)},
               {"code", std::to_string(result.error().code)}, {"message", result.error().message}});
  }
  ReplyAfter(committed ? done : nullptr, committed, std::move(result), std::move(c.reply));
}

void Engine::ReplyAfter(Tx* done, bool committed, base::Result<nlohmann::json> result, Reply reply) {
  if (!committed || done == nullptr || done->reply_after_intent == 0 || !done->deferred_answer) {
    reply(std::move(result));
    return;
  }
  if (!m_running_intents.count(done->reply_after_intent)) {
    reply(done->deferred_answer());
    return;
  }
  m_waiting[done->reply_after_intent].push_back(
      [reply = std::move(reply), answer = done->deferred_answer] { reply(answer()); });
}

void Engine::SubmitAdmin(AdminActor actor, AdminCommand command, Reply reply) {
  {
    std::unique_lock lock(m_mu);
    if (m_stopping) {
      lock.unlock();
      reply(base::Err(base::Status::Error(base::Status::kUnavailable, "The coordinator is shutting down")));
      return;
    }
  }
  Post(AdminItem{std::move(actor), std::move(command), std::move(reply)});
}

void Engine::Handle(AdminItem& a) {
  base::Result<nlohmann::json> result = base::Err(base::Status::Error(base::Status::kInternal, "Internal error"));
  Tx* done = nullptr;
  bool committed = Transact(
      [&](Tx& tx) {
        result = DispatchAdmin(tx, a.actor, a.command);
        if (!result.ok()) tx.abort = true;
      },
      &done);
  ReplyAfter(committed ? done : nullptr, committed, std::move(result), std::move(a.reply));
}

void Engine::Handle(IntentResult& r) {
  m_running_intents.erase(r.intent_id);
  if (!Transact(r.apply_tx, nullptr)) {
    // The node's answer could not be recorded (the store refused the transaction): the intent
    // is still open. Carry it out again later — settle and cancel are idempotent, a payment is
    // looked up by its hash first — rather than leave it open until a restart.
    base::Log(base::LogLevel::kWarn, "engine", "intent result not recorded; will re-drive",
              {{"intent", std::to_string(r.intent_id)}});
    m_intent_retry_at[r.intent_id] =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count() +
        intent_retry_interval.count();
  }
  if (auto it = m_waiting.find(r.intent_id); it != m_waiting.end()) {
    auto waiting = std::move(it->second);
    m_waiting.erase(it);
    for (auto& w : waiting) w();
  }
}

}  // namespace coordinator
