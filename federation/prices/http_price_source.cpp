#include "federation/prices/http_price_source.h"

#include <atomic>

#include "coordinator/prices/currencies.h"
#include "federation/prices/http_get.h"

namespace federation {

namespace {

class HttpPriceSource final : public coordinator::PriceSource {
 public:
  HttpPriceSource(HttpPriceSourceOptions options, const base::Clock& clock)
      : m_options(std::move(options)), m_clock(clock) {
    if (m_options.base_url.empty()) m_options.base_url = std::string(DefaultBaseUrl(m_options.provider));
    while (!m_options.base_url.empty() && m_options.base_url.back() == '/') m_options.base_url.pop_back();
    if (m_options.currencies.empty()) m_options.currencies = coordinator::CurrencyTable::Bundled().Codes();
    m_wanted.insert(m_options.currencies.begin(), m_options.currencies.end());
  }

  std::string Name() const override { return std::string(ProviderName(m_options.provider)); }

  base::Expected<coordinator::PriceTable, std::string> Fetch() override {
    auto rates = FetchRates();
    if (!rates.ok()) return base::Err(Name() + ": " + rates.error());
    coordinator::PriceTable table;
    table.prices = std::move(rates).value();
    table.prices.insert_or_assign("BTC", 1.0);
    table.fetched_at = m_clock.Now();
    return table;
  }

  void Interrupt() override { m_interrupted = true; }

 private:
  HttpGetOptions GetOptions() const {
    HttpGetOptions o;
    o.timeout = m_options.timeout;
    o.proxy = m_options.proxy;
    o.cancel = &m_interrupted;
    return o;
  }

  // The body of a 2xx answer.
  base::Expected<std::string, std::string> Get(const std::string& path,
                                               std::vector<std::string> headers = {}) {
    HttpGetOptions o = GetOptions();
    o.headers = std::move(headers);
    std::string url = m_options.base_url + path;
    auto response = HttpGet(url, o);
    if (!response.ok()) return base::Err(response.error());
    if (response->status < 200 || response->status > 299) {
      return base::Err("GET " + url + ": HTTP " + std::to_string(response->status));
    }
    return std::move(response->body);
  }

  base::Expected<Rates, std::string> FetchRates() {
    switch (m_options.provider) {
      case Provider::kYadio: {
        auto body = Get(std::string(kYadioPath));
        if (!body.ok()) return base::Err(body.error());
        return ParseYadio(*body, m_wanted);
      }
      case Provider::kBlockchain: {
        auto body = Get(std::string(kBlockchainPath));
        if (!body.ok()) return base::Err(body.error());
        return ParseBlockchain(*body, m_wanted);
      }
      case Provider::kBitpay: {
        // RoboSats api/utils.py: headers = {"X-Accept-Version": "2.0.0", "Content-type": "application/json"}
        auto body =
            Get(std::string(kBitpayPath), {"X-Accept-Version: 2.0.0", "Content-Type: application/json"});
        if (!body.ok()) return base::Err(body.error());
        return ParseBitpay(*body, m_wanted);
      }
      case Provider::kCriptoya: return FetchCriptoya();
    }
    return base::Err(std::string("unknown provider"));
  }

  // One request per supported currency; the currencies that answer make the table.
  base::Expected<Rates, std::string> FetchCriptoya() {
    Rates rates;
    std::string first_error;
    for (std::string_view code : kCriptoyaCurrencies) {
      if (m_wanted.find(code) == m_wanted.end()) continue;
      auto body = Get(std::string(kCriptoyaPathPrefix) + std::string(code));
      base::Expected<double, std::string> price =
          body.ok() ? ParseCriptoya(*body) : base::Expected<double, std::string>(base::Err(body.error()));
      if (price.ok()) {
        rates.emplace(std::string(code), *price);
      } else if (first_error.empty()) {
        first_error = std::string(code) + ": " + price.error();
      }
      if (m_interrupted) break;
    }
    if (rates.empty())
      return base::Err(first_error.empty() ? std::string("no wanted currency is quoted") : first_error);
    return rates;
  }

  HttpPriceSourceOptions m_options;
  const base::Clock& m_clock;
  CodeSet m_wanted;
  std::atomic<bool> m_interrupted{false};
};

}  // namespace

base::Expected<std::unique_ptr<coordinator::PriceSource>, std::string> MakeHttpPriceSource(
    HttpPriceSourceOptions options, const base::Clock& clock) {
  auto proxy_ok = CheckProxyUrl(options.proxy);
  if (!proxy_ok.ok()) return base::Err(std::string(ProviderName(options.provider)) + ": " + proxy_ok.error());
  std::unique_ptr<coordinator::PriceSource> source =
      std::make_unique<HttpPriceSource>(std::move(options), clock);
  return source;
}

}  // namespace federation

namespace federation {

base::Expected<std::vector<std::unique_ptr<coordinator::PriceSource>>, std::string> MakeHttpPriceSources(
    const std::vector<std::string>& provider_names, const std::string& proxy,
    std::chrono::milliseconds timeout, const base::Clock& clock) {
  std::vector<std::unique_ptr<coordinator::PriceSource>> sources;
  for (const std::string& name : provider_names) {
    std::optional<Provider> provider = ProviderFromName(name);
    if (!provider) return base::Err("unknown price provider '" + name + "'");
    HttpPriceSourceOptions options;
    options.provider = *provider;
    options.proxy = proxy;
    options.timeout = timeout;
    auto source = MakeHttpPriceSource(std::move(options), clock);
    if (!source.ok()) return base::Err(source.error());
    sources.push_back(std::move(source).value());
  }
  return sources;
}

}  // namespace federation
