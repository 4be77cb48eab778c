#include "coordinator/identity/nickname.h"

#include <cstdint>

#include "coordinator/identity/nickname_words.h"
#include "escrow/crypto/sha256.h"

namespace coordinator::identity {
namespace {

// robonames: `let max_num = 999;` — numbers 0..998.
constexpr uint64_t kMaxNum = 999;
constexpr uint64_t kPerAdjective = kMaxNum * words::kNounCount;
constexpr uint64_t kPool = kPerAdjective * words::kAdjectiveCount;  // 60 778 872 288 < 2^36
// robonames: `let max_iters = 10000;`
constexpr int kMaxTries = 10000;

// robonames: `let nick_id = (int_hash * pool_size) / max_int_hash;` with max_int_hash = 2^256,
// in big integers: the part of hash × pool above 256 bits. Long multiplication by 16-bit digits,
// least significant first: a digit × pool + carry (< pool) stays below 2^52, and the carry out
// of the most significant digit is the quotient.
uint64_t NickId(const escrow::crypto::Hash32& hash) {
  static_assert(kPool < (uint64_t{1} << 36));
  uint64_t carry = 0;
  for (size_t i = hash.size(); i >= 2; i -= 2) {
    const uint64_t digit = (uint64_t{hash[i - 2]} << 8) | hash[i - 1];
    carry = (digit * kPool + carry) >> 16;
  }
  return carry;
}

std::string Spell(uint64_t nick_id) {
  const uint64_t adjective = nick_id / kPerAdjective;
  const uint64_t rest = nick_id % kPerAdjective;
  std::string nick(words::Adjectives()[adjective]);
  nick += words::Nouns()[rest / kMaxNum];
  nick += std::to_string(rest % kMaxNum);
  return nick;
}

}  // namespace

std::optional<std::string> NicknameFromHashId(std::string_view hash_id) {
  std::optional<escrow::crypto::Hash32> hash = escrow::crypto::Hash32FromHex(hash_id);
  if (!hash) return std::nullopt;
  // robonames generate_short_nickname: `let string = hash.to_owned() + "42";
  // hash = sha256_digest(string)?;` — the first time over hash_id as it was given.
  std::string hex(hash_id);
  for (int tries = 0; tries < kMaxTries; ++tries) {
    std::string nick = Spell(NickId(*hash));
    if (nick.size() <= kMaxNicknameLength) return nick;
    hash = escrow::crypto::Sha256(std::string_view(hex + "42"));
    hex = escrow::crypto::ToHex(*hash);  // lower case, as ring's HEXLOWER
  }
  return std::string();
}

std::span<const std::string_view> NicknameAdjectives() { return words::Adjectives(); }
std::span<const std::string_view> NicknameNouns() { return words::Nouns(); }

}  // namespace coordinator::identity
