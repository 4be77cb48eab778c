// simln's persistence: one SQLite file (WAL, synchronous=NORMAL, foreign keys on) holding the
// whole NetworkState. Records are written whole (upsert) inside one transaction per mutation.
// WAL + NORMAL survives a killed process (every committed transaction is in the WAL); only an
// OS crash or power cut may lose the last transactions — the right trade for a simulator.
// Preimages and node seeds are stored: the file is the simulated nodes' wallet, like LND's
// channel.db, and must be protected like one.
#pragma once

#include <memory>
#include <string>

#include "config/base/expected.h"
#include "escrow/simln/state.h"

struct sqlite3;

namespace escrow::simln {

class Store {
 public:
  using Status = base::Expected<void, std::string>;

  // Opens or creates `path` and migrates the schema to the current version. Fails on a file
  // written by a newer schema version or that is not a simln store.
  static base::Expected<std::unique_ptr<Store>, std::string> Open(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // True if the store has never been initialised (no meta row).
  base::Expected<bool, std::string> IsEmpty();
  // Reads everything. REQUIRES: !IsEmpty().
  base::Expected<NetworkState, std::string> Load();

  // Transactions: every Save* between Begin and Commit lands atomically or not at all.
  Status Begin();
  Status Commit();
  void Rollback();  // best effort; a failed rollback leaves SQLite's own recovery in charge

  Status SaveMeta(const MetaRec& meta);
  Status SaveNode(const NodeRec& node);
  Status SaveChannel(const ChannelRec& channel);
  Status SaveInvoice(const InvoiceRec& invoice);
  Status SavePayment(const PaymentRec& payment);

 private:
  explicit Store(sqlite3* db) : m_db(db) {}
  Status Migrate();
  sqlite3* m_db = nullptr;
};

}  // namespace escrow::simln
