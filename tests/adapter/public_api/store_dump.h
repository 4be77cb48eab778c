// A dump of every table of a SQLite file, read through a connection of its own opened
// read-only, so that a test can assert that a request changed nothing.
#pragma once

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

}  // namespace apistack
