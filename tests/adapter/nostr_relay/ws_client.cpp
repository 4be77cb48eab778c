// The api_http tests' WebSocket client (Beast over loopback), compiled into this binary too.
#include "tests/adapter/api_http/ws_client.cpp"  // NOLINT(bugprone-suspicious-include)
