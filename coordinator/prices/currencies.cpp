#include "coordinator/prices/currencies.h"

#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "coordinator/prices/bundled_data.h"

namespace coordinator {

bool IsCurrencyCode(std::string_view code) {
  if (code.size() < 3 || code.size() > 4) return false;
  for (char c : code) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

base::Expected<CurrencyTable, std::string> CurrencyTable::Parse(std::string_view json) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return base::Err(std::string("currencies: not valid JSON"));
  if (!doc.is_object()) return base::Err(std::string("currencies: expected a JSON object"));
  CurrencyTable table;
  for (const auto& [key, value] : doc.items()) {
    int id = 0;
    auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (ec != std::errc() || end != key.data() + key.size() || id <= 0) {
      return base::Err("currencies: id '" + key + "' is not a positive integer");
    }
    if (!value.is_string() || !IsCurrencyCode(value.get_ref<const std::string&>())) {
      return base::Err("currencies: id " + key + " has no valid currency code");
    }
    const std::string& code = value.get_ref<const std::string&>();
    if (!table.m_by_id.emplace(id, code).second) return base::Err("currencies: id " + key + " listed twice");
    if (!table.m_by_code.emplace(code, id).second)
      return base::Err("currencies: code " + code + " listed twice");
  }
  return table;
}

const CurrencyTable& CurrencyTable::Bundled() {
  static const CurrencyTable* const kTable = [] {
    auto parsed = Parse(BundledCurrenciesJson());
    // The bundled file is part of the build and tested; failing here is a build bug.
    if (!parsed.ok()) std::abort();
    return new CurrencyTable(std::move(parsed).value());
  }();
  return *kTable;
}

std::optional<std::string_view> CurrencyTable::Code(int id) const {
  auto it = m_by_id.find(id);
  if (it == m_by_id.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<int> CurrencyTable::Id(std::string_view code) const {
  auto it = m_by_code.find(code);
  if (it == m_by_code.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> CurrencyTable::Codes() const {
  std::vector<std::string> codes;
  codes.reserve(m_by_id.size());
  for (const auto& [id, code] : m_by_id) codes.push_back(code);
  return codes;
}

}  // namespace coordinator
