// A PriceSource over one public price API (providers.h), fetched with libcurl, optionally
// through Tor's SOCKS5h port.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "config/base/clock.h"
#include "coordinator/prices/price_source.h"
#include "federation/prices/providers.h"

namespace federation {

struct HttpPriceSourceOptions {
  Provider provider = Provider::kYadio;
  // "" = the provider's public API (DefaultBaseUrl); tests point it at a local server.
  std::string base_url;
  // "" = direct; else "socks5h://host:port" (anything else is refused).
  std::string proxy;
  // Per HTTP request (criptoya makes one request per currency).
  std::chrono::milliseconds timeout{20'000};
  // The codes to keep; empty = every currency of CurrencyTable::Bundled().
  std::vector<std::string> currencies;
};

// Returns the source, or why it cannot exist (a proxy that is not socks5h://). Tables carry
// `clock`'s now at the end of the fetch, and BTC = 1. The clock must outlive the source.
base::Expected<std::unique_ptr<coordinator::PriceSource>, std::string> MakeHttpPriceSource(
    HttpPriceSourceOptions options, const base::Clock& clock);

}  // namespace federation

namespace federation {

// One source per provider name ("yadio", … as in prices.http.providers), sharing `proxy` and
// `timeout`. Fails on an unknown name or a refused proxy.
base::Expected<std::vector<std::unique_ptr<coordinator::PriceSource>>, std::string> MakeHttpPriceSources(
    const std::vector<std::string>& provider_names, const std::string& proxy,
    std::chrono::milliseconds timeout, const base::Clock& clock);

}  // namespace federation
