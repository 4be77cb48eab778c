// The word lists of the nickname generator as compiled into coordinator_identity: CMake copies
// nickname_adjectives.txt and nickname_nouns.txt (one word a line) into nickname_words.cpp,
// generated from nickname_words.cpp.in (see coordinator/CMakeLists.txt), which splits them at
// compile time with SplitWordList. Internal to coordinator/identity; nickname.h is the API.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

namespace coordinator::identity::words {

// Pinned sizes: the arithmetic of every nickname depends on them.
inline constexpr size_t kAdjectiveCount = 4832;
inline constexpr size_t kNounCount = 12591;

// `text` split at '\n' into exactly N words. Every word is non-empty and made of ASCII letters
// and '-', and the text ends with '\n'. Used in constant evaluation only: a list that breaks a
// rule (wrong count, a blank line, '\r', a space) fails the build at the throw.
template <size_t N>
consteval std::array<std::string_view, N> SplitWordList(std::string_view text) {
  std::array<std::string_view, N> out{};
  size_t count = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '\n') {
      const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
      if (!letter && c != '-') throw "a word list holds a character other than a letter or '-'";
      continue;
    }
    if (i == start) throw "a word list holds an empty line";
    if (count == N) throw "a word list holds more words than its pinned count";
    out[count++] = text.substr(start, i - start);
    start = i + 1;
  }
  if (start != text.size()) throw "a word list does not end with a newline";
  if (count != N) throw "a word list holds fewer words than its pinned count";
  return out;
}

std::span<const std::string_view, kAdjectiveCount> Adjectives();
std::span<const std::string_view, kNounCount> Nouns();

}  // namespace coordinator::identity::words
