// Data files compiled into coordinator_prices, so that the daemon needs none at run time:
// CMake reads currencies.json and rates.example.json from this folder into bundled_data.cpp
// (generated from bundled_data.cpp.in; see coordinator/CMakeLists.txt).
#pragma once

#include <string_view>

namespace coordinator {

// coordinator/prices/currencies.json: RoboSats' currency ids, {"1": "USD", …}.
std::string_view BundledCurrenciesJson();
// coordinator/prices/rates.example.json: the offline price table, {"USD": 97000.0, …}.
std::string_view BundledRatesJson();

}  // namespace coordinator
