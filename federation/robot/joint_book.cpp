#include "federation/robot/joint_book.h"

#include <algorithm>
#include <thread>

#include "federation/robot/coordinator_api.h"

namespace federation::robot {
namespace {

int64_t IdOf(const nlohmann::json& o) {
  return o.contains("id") && o["id"].is_number_integer() ? o["id"].get<int64_t>() : 0;
}

void Sort(JointBook& book) {
  std::stable_sort(book.orders.begin(), book.orders.end(), [](const BookEntry& a, const BookEntry& b) {
    if (a.coordinator != b.coordinator) return a.coordinator < b.coordinator;
    return IdOf(a.order) < IdOf(b.order);
  });
}

bool Matches(const nlohmann::json& o, int currency, int type) {
  if (currency != 0 && (!o.contains("currency") || !o["currency"].is_number() || o["currency"].get<int>() != currency))
    return false;
  if (type != 2 && (!o.contains("type") || !o["type"].is_number() || o["type"].get<int>() != type)) return false;
  return true;
}

std::string CoordinatorOf(const nlohmann::json& o) {
  // federationd (federation/book/joint_book.h) tags each order with coordinatorShortAlias.
  for (const char* field : {"coordinatorShortAlias", "coordinator", "short_alias", "shortAlias"}) {
    if (o.contains(field) && o[field].is_string()) return o[field].get<std::string>();
  }
  return {};
}

}  // namespace

JointBook FetchJointBook(const std::vector<CoordinatorRef>& coordinators, int currency, int type,
                         const HttpOptions& options) {
  JointBook book;
  book.sources.resize(coordinators.size());
  std::vector<std::vector<BookEntry>> found(coordinators.size());
  const std::string path = "/api/book/?currency=" + std::to_string(currency) + "&type=" + std::to_string(type);
  std::vector<std::thread> threads;
  threads.reserve(coordinators.size());
  for (size_t i = 0; i < coordinators.size(); ++i) {
    threads.emplace_back([&, i] {
      const CoordinatorRef& c = coordinators[i];
      BookSource& source = book.sources[i];
      source.coordinator = c.short_alias;
      source.url = c.url;
      auto reply = CoordinatorApi(c.short_alias, c.url, options).Public(path);
      if (!reply) {
        source.error = reply.error();
        return;
      }
      if (reply->status == 404 && reply->json.is_object() && reply->json.contains("not_found")) {
        source.ok = true;  // RoboSats: "No orders found, be the first to make one"
        return;
      }
      if (!reply->ok() || !reply->json.is_array()) {
        source.error = reply->Describe();
        return;
      }
      source.ok = true;
      for (const auto& order : reply->json) {
        if (order.is_object()) found[i].push_back(BookEntry{c.short_alias, order});
      }
      source.orders = found[i].size();
    });
  }
  for (auto& t : threads) t.join();
  for (auto& entries : found) {
    for (auto& e : entries) book.orders.push_back(std::move(e));
  }
  Sort(book);
  return book;
}

base::Expected<JointBook, std::string> FetchFederationdBook(const std::string& base_url, int currency, int type,
                                                            const HttpOptions& options) {
  std::string url = base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  CoordinatorApi federationd("federationd", url, options);
  // federationd filters itself (currency, type: RoboSats' ids, 0 / 2 = any).
  auto reply = federationd.Public("/api/book/?currency=" + std::to_string(currency) + "&type=" + std::to_string(type));
  if (!reply) return base::Err(reply.error());
  if (!reply->ok()) return base::Err("federationd " + url + ": " + reply->Describe());
  const nlohmann::json& doc = reply->json;
  const nlohmann::json* orders = nullptr;
  if (doc.is_array()) {
    orders = &doc;
  } else if (doc.is_object() && doc.contains("orders") && doc["orders"].is_array()) {
    orders = &doc["orders"];
  }
  if (orders == nullptr) return base::Err("federationd " + url + ": the answer is not a joint book");
  JointBook book;
  for (const auto& o : *orders) {
    if (!o.is_object() || !Matches(o, currency, type)) continue;
    book.orders.push_back(BookEntry{CoordinatorOf(o), o});
  }
  // Each coordinator's status: GET /api/coordinators/ (status online / slow / offline,
  // last_error, data_age_s). Without it the book is still the book.
  auto coordinators = federationd.Public("/api/coordinators/");
  if (coordinators && coordinators->ok() && coordinators->json.is_array()) {
    for (const auto& c : coordinators->json) {
      if (!c.is_object()) continue;
      BookSource s;
      s.coordinator = CoordinatorOf(c);
      const std::string status = c.value("status", "");
      s.ok = status == "online" || status == "slow";
      if (!s.ok) {
        const std::string error = c.contains("last_error") && c["last_error"].is_string() ? c["last_error"].get<std::string>() : "";
        s.error = "offline" + (error.empty() ? "" : ": " + error);
        if (c.contains("data_age_s") && c["data_age_s"].is_number()) {
          s.error += " (its orders are " + std::to_string(c["data_age_s"].get<int64_t>()) + " s old)";
        }
      }
      book.sources.push_back(std::move(s));
    }
  }
  for (auto& s : book.sources) {
    s.orders = static_cast<size_t>(std::count_if(book.orders.begin(), book.orders.end(),
                                                 [&](const BookEntry& e) { return e.coordinator == s.coordinator; }));
  }
  Sort(book);
  return book;
}

}  // namespace federation::robot
