#include "federation/watchdog/consistency.h"

#include <cmath>
#include <set>

namespace federation {

namespace cn = coordinator::nostr;

nlohmann::json Discrepancy::ToJson() const {
  return {{"coordinator", coordinator}, {"order_id", order_id}, {"kind", kind}, {"detail", detail}, {"since_ms", since_ms}};
}

namespace {

std::optional<double> Number(const std::string& s) {
  try {
    size_t used = 0;
    double v = std::stod(s, &used);
    if (used != s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

bool Close(const std::optional<double>& a, const std::optional<double>& b) {
  if (!a.has_value() || !b.has_value()) return a.has_value() == b.has_value();
  const double x = a.value_or(0), y = b.value_or(0);
  return std::fabs(x - y) <= 1e-6 * std::max(1.0, std::fabs(x));
}

std::string Fmt(const std::optional<double>& v) {
  if (!v.has_value()) return "none";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.8g", v.value_or(0));
  return buf;
}

std::optional<double> NumberAt(const cn::Tag& t, size_t i) {
  if (t.size() <= i) return std::nullopt;
  return Number(t[i]);
}

const cn::Tag* FindTag(const cn::Event& e, const std::string& name) {
  for (const auto& t : e.tags) {
    if (!t.empty() && t[0] == name) return &t;
  }
  return nullptr;
}

std::vector<std::string> SplitSpaces(const std::string& s) {  // Python's str.split(" ")
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t sp = s.find(' ', start);
    out.push_back(s.substr(start, sp == std::string::npos ? std::string::npos : sp - start));
    if (sp == std::string::npos) return out;
    start = sp + 1;
  }
}

}  // namespace

std::optional<int64_t> OrderIdOfEvent(const cn::Event& e) {
  auto source = cn::TagValue(e, "source");
  if (!source) return std::nullopt;
  const size_t slash = source->rfind('/');
  const std::string tail = slash == std::string::npos ? *source : source->substr(slash + 1);
  if (tail.empty() || tail.size() > 18) return std::nullopt;
  for (char c : tail) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return std::stoll(tail);
}

std::vector<Discrepancy> Compare(const std::string& coordinator, const std::vector<BookOrder>& book,
                                 const std::vector<cn::Event>& events, int64_t now_s,
                                 const std::function<std::string(int)>& currency_code) {
  std::vector<Discrepancy> out;
  // The newest event of each order (a relay may hold stale ones next to the latest).
  std::map<int64_t, const cn::Event*> latest;
  for (const auto& e : events) {
    if (e.kind != 38383) continue;
    auto id = OrderIdOfEvent(e);
    if (!id) continue;
    auto& slot = latest[*id];
    if (!slot || e.created_at > slot->created_at) slot = &e;
  }
  auto says_public = [now_s](const cn::Event& e) {
    if (cn::TagValue(e, "s") != "pending") return false;
    auto exp = cn::TagValue(e, "expiration");
    if (exp) {
      auto v = Number(*exp);
      if (v && *v <= static_cast<double>(now_s)) return false;
    }
    return true;
  };
  std::set<int64_t> in_book;
  for (const auto& o : book) {
    in_book.insert(o.id);
    auto it = latest.find(o.id);
    if (it == latest.end() || !says_public(*it->second)) {
      out.push_back({coordinator, o.id, "missing_event",
                     it == latest.end() ? "public in /api/book/, no signed event"
                                        : "public in /api/book/, its event says " +
                                              cn::TagValue(*it->second, "s").value_or("nothing"),
                     0});
      continue;
    }
    const cn::Event& e = *it->second;
    std::vector<std::string> diffs;
    const std::string k = o.type == 1 ? "sell" : "buy";
    if (cn::TagValue(e, "k") != k) diffs.push_back("k: book " + k + ", event " + cn::TagValue(e, "k").value_or("none"));
    const std::string f = currency_code ? currency_code(o.currency) : "";
    if (!f.empty() && cn::TagValue(e, "f") != f) {
      diffs.push_back("f: book " + f + ", event " + cn::TagValue(e, "f").value_or("none"));
    }
    if (const cn::Tag* fa = FindTag(e, "fa")) {
      if (o.has_range) {
        const std::optional<double> lo = NumberAt(*fa, 1);
        const std::optional<double> hi = NumberAt(*fa, 2);
        if (fa->size() != 3 || !Close(lo, o.min_amount) || !Close(hi, o.max_amount)) {
          diffs.push_back("fa: book " + Fmt(o.min_amount) + "-" + Fmt(o.max_amount) + ", event " + Fmt(lo) + "-" + Fmt(hi));
        }
      } else {
        const std::optional<double> a = NumberAt(*fa, 1);
        if (fa->size() != 2 || !Close(a, o.amount)) diffs.push_back("fa: book " + Fmt(o.amount) + ", event " + Fmt(a));
      }
    } else {
      diffs.push_back("fa: missing");
    }
    if (const cn::Tag* pm = FindTag(e, "pm")) {
      std::vector<std::string> methods(pm->begin() + 1, pm->end());
      if (methods != SplitSpaces(o.payment_method)) diffs.push_back("pm: book '" + o.payment_method + "', event differs");
    } else {
      diffs.push_back("pm: missing");
    }
    const std::optional<double> premium = Number(cn::TagValue(e, "premium").value_or(""));
    if (!Close(premium, o.premium)) diffs.push_back("premium: book " + Fmt(o.premium) + ", event " + Fmt(premium));
    if (!diffs.empty()) {
      std::string detail;
      for (const auto& d : diffs) detail += (detail.empty() ? "" : "; ") + d;
      out.push_back({coordinator, o.id, "field_differs", detail, 0});
    }
  }
  for (const auto& [id, e] : latest) {
    if (in_book.count(id) || !says_public(*e)) continue;
    out.push_back({coordinator, id, "missing_in_book", "its signed event says pending, /api/book/ does not list it", 0});
  }
  return out;
}

std::vector<Discrepancy> ConsistencyWatchdog::Observe(const std::string& coordinator, std::vector<Discrepancy> now_seen,
                                                      int64_t now_ms) {
  auto& tracked = m_tracked[coordinator];
  std::map<std::pair<int64_t, std::string>, Tracked> next;
  for (auto& d : now_seen) {
    auto key = std::make_pair(d.order_id, d.kind);
    auto it = tracked.find(key);
    Tracked t;
    t.d = std::move(d);
    t.d.since_ms = it == tracked.end() ? now_ms : it->second.d.since_ms;
    t.reported = it != tracked.end() && it->second.reported;
    next[key] = std::move(t);
  }
  tracked = std::move(next);
  std::vector<Discrepancy> fresh;
  for (auto& [key, t] : tracked) {
    if (!t.reported && now_ms - t.d.since_ms >= m_grace_ms) {
      t.reported = true;
      fresh.push_back(t.d);
    }
  }
  return fresh;
}

std::vector<Discrepancy> ConsistencyWatchdog::Reported(int64_t now_ms) const {
  std::vector<Discrepancy> out;
  for (const auto& [coordinator, tracked] : m_tracked) {
    for (const auto& [key, t] : tracked) {
      if (now_ms - t.d.since_ms >= m_grace_ms) out.push_back(t.d);
    }
  }
  return out;
}

}  // namespace federation
