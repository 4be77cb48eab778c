// Expected<T, E>: a value or an error, for failures that are part of normal operation
// (bad input, an unreachable node). Exceptions stay for programmer bugs and out-of-memory.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

namespace base {

template <class E>
struct Unexpected {
  E error;
};

// Wraps an error so that it converts to any Expected<T, E>: `return base::Err(e);`
template <class E>
Unexpected<std::decay_t<E>> Err(E&& e) {
  return {std::forward<E>(e)};
}

template <class T, class E>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : m_v(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit on purpose
  template <class F>
  Expected(Unexpected<F> e) : m_v(std::in_place_index<1>, E(std::move(e.error))) {}  // NOLINT

  bool ok() const { return m_v.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & { assert(ok()); return std::get<0>(m_v); }
  const T& value() const& { assert(ok()); return std::get<0>(m_v); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(m_v)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok().
  const E& error() const { assert(!ok()); return std::get<1>(m_v); }

 private:
  std::variant<T, E> m_v;
};

// Expected<void, E>: success or an error.
template <class E>
class [[nodiscard]] Expected<void, E> {
 public:
  Expected() = default;
  template <class F>
  Expected(Unexpected<F> e) : m_error(E(std::move(e.error))), m_ok(false) {}  // NOLINT

  bool ok() const { return m_ok; }
  explicit operator bool() const { return ok(); }
  // REQUIRES: !ok().
  const E& error() const { assert(!ok()); return m_error; }

 private:
  E m_error{};
  bool m_ok = true;
};

}  // namespace base
