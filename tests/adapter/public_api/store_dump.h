// A dump of every table of a SQLite file, read through a connection of its own opened
// read-only, so that a test can assert that a request changed nothing.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace apistack {

// One line per row, "<table>|<col>=<value>|…", tables by name and rows by rowid; blobs in
// hex. A first line "error: …" if the file cannot be read. The heartbeat table is left out: the
// engine's liveness row (coordinator/engine_outage.cpp) is rewritten every few seconds and when
// a test moves the clock, whatever a request did.
std::vector<std::string> DumpStore(const std::string& db_path);

// The first difference between two dumps, for a failure message ("" if equal).
std::string FirstDifference(const std::vector<std::string>& before, const std::vector<std::string>& after);

// Calls `drain` (the engine's Drain) and dumps the store until two dumps in a row are equal (at
// most ~5 s): the intents a test's set-up started have finished, so a later dump compares a
// request against a store that is still.
void WaitUntilStoreIsStill(const std::function<void()>& drain, const std::string& db_path);

}  // namespace apistack
