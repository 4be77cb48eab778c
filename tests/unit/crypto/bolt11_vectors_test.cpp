// BOLT 11's Examples, from ../shared/fixtures/bolt11-vectors.tsv: every valid invoice decodes to
// the values the spec's breakdown gives (written out below, not taken from the decoder),
// re-encodes byte for byte, and re-signs with the spec's key; every invalid one is rejected for
// its own reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "escrow/bolt11.h"
#include "escrow/crypto/bech32.h"
#include "tests/support/test_support.h"

namespace escrow::bolt11 {
namespace {

constexpr char kSpecKey[] = "e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734";
constexpr char kSpecPayee[] = "03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad";
constexpr char kHash[] = "0001020304050607080900010203040506070809000102030405060708090102";
constexpr char kSecret[] = "1111111111111111111111111111111111111111111111111111111111111111";
constexpr uint64_t kTimestamp = 1496314658;
constexpr char kChocolate[] =
    "One piece of chocolate cake, one icecream cone, one pickle, one slice of swiss cheese, one "
    "slice of salami, one lollypop, one piece of cherry pie, one sausage, one cupcake, and one "
    "slice of watermelon";

struct Row {
  bool valid = false;
  std::string title;
  std::string invoice;
};

std::vector<Row> LoadRows() {
  std::vector<Row> rows;
  std::istringstream in(testsupport::ReadFile(testsupport::FixturePath("bolt11-vectors.tsv")));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Row row;
    std::string kind;
    std::getline(fields, kind, '\t');
    std::getline(fields, row.title, '\t');
    std::getline(fields, row.invoice, '\t');
    row.valid = kind == "VALID";
    rows.push_back(row);
  }
  return rows;
}

std::string Lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

crypto::Hash32 H(const char* hex) { return crypto::Hash32FromHex(hex).value(); }

// Base58Check, to turn the spec's legacy fallback addresses into (version, hash160).
std::optional<Fallback> Base58Fallback(const std::string& address) {
  static const std::string kAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  std::vector<uint8_t> num;  // big-endian base 256
  for (char c : address) {
    const size_t digit = kAlphabet.find(c);
    if (digit == std::string::npos) return std::nullopt;
    unsigned carry = static_cast<unsigned>(digit);
    for (auto it = num.rbegin(); it != num.rend(); ++it) {
      carry += 58u * *it;
      *it = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      num.insert(num.begin(), static_cast<uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  for (char c : address) {
    if (c != '1') break;
    num.insert(num.begin(), 0);
  }
  if (num.size() != 25) return std::nullopt;
  const base::Bytes payload(num.begin(), num.begin() + 21);
  const auto check = crypto::Sha256(crypto::Sha256(payload).data(), 32);
  if (!std::equal(check.begin(), check.begin() + 4, num.begin() + 21)) return std::nullopt;
  Fallback f;
  // Version bytes: 0x00 / 0x6f P2PKH (mainnet / testnet), 0x05 / 0xc4 P2SH.
  f.version = (num[0] == 0x00 || num[0] == 0x6f) ? 17 : 18;
  f.program.assign(num.begin() + 1, num.begin() + 21);
  return f;
}

std::optional<Fallback> SegwitFallback(const std::string& address) {
  auto d = crypto::Bech32Decode(address);
  if (!d.ok() || d->data.empty()) return std::nullopt;
  auto program = crypto::ConvertBits(std::vector<uint8_t>(d->data.begin() + 1, d->data.end()), 5, 8, false);
  if (!program.ok()) return std::nullopt;
  return Fallback{d->data[0], *program};
}

RouteHop Hop(const char* pubkey, uint64_t block, uint64_t tx, uint64_t out, uint32_t base,
             uint32_t prop, uint16_t cltv) {
  RouteHop hop;
  hop.pubkey = crypto::PubKeyFromHex(pubkey).value();
  hop.short_channel_id = (block << 40) | (tx << 16) | out;  // BOLT #7 short_channel_id
  hop.fee_base_msat = base;
  hop.fee_proportional_millionths = prop;
  hop.cltv_expiry_delta = cltv;
  return hop;
}

// What the spec's Examples section says about one valid invoice.
struct Expected {
  std::string network = "bc";
  std::optional<uint64_t> amount_msat;
  uint64_t timestamp = kTimestamp;
  std::string payment_hash = kHash;
  std::optional<std::string> description;
  std::optional<std::string> hashed_description;  // the text whose SHA256 is `h`
  uint64_t expiry = 3600;
  uint64_t min_final_cltv = 18;
  std::vector<std::string> fallback_addresses;
  std::vector<RouteHint> routes;
  std::vector<int> features;
  std::optional<std::string> metadata_hex;
  std::string tags;  // field order, one character per field
  // "Signature breakdown": r || s, recovery flag, SHA256 of the signed data. Empty: not given.
  std::string sig;
  int recovery_id = -1;
  std::string signing_hash;
  bool high_s = false;
};

std::map<std::string, Expected> ExpectedByTitle() {
  std::map<std::string, Expected> m;
  const std::vector<int> kBasicFeatures = {8, 14};
  {
    Expected e;
    e.description = "Please consider supporting this project";
    e.features = kBasicFeatures;
    e.tags = "spd9";
    e.sig = "8d3ce9e28357337f62da0162d9454df827f83cfe499aeb1c1db349d4d8112742"
            "5e434ca29929406c23bba1ae8ac6ca32880b38d4bf6ff874024cac34ba9625f1";
    e.recovery_id = 1;
    e.signing_hash = "6daf4d488be41ce7cbb487cab1ef2975e5efcea879b20d421f0ef86b07cbb987";
    m["Please make a donation of any amount"] = e;
    // "Public-key recovery with high-S signature": the same invoice with s negated and the
    // recovery flag kept.
    e.sig = "8d3ce9e28357337f62da0162d9454df827f83cfe499aeb1c1db349d4d8112742"
            "a1bcb35d66d6bf93dc445e51753935cc32a3a411efd8a7c7bd85b25815a01b50";
    e.high_s = true;
    m["Public-key recovery with high-S signature"] = e;
  }
  {
    Expected e;
    e.amount_msat = 250'000'000;  // 2500u
    e.description = "1 cup coffee";
    e.expiry = 60;
    e.features = kBasicFeatures;
    e.tags = "spdx9";
    e.sig = "e59e3ffbd3945e4334879158d31e89b076dff54f3fa7979ae79df2db9dcaf589"
            "6cbfe1a478b8d2307e92c88139464cb7e6ef26e414c4abe33337961ddc5e8ab1";
    e.recovery_id = 1;
    e.signing_hash = "047e24bf270b25d42a56d57b2578faa3a10684641bab817c2851a871cb41dbc0";
    m["Please send $3 for a cup of coffee"] = e;
    e.description = "ナンセンス 1杯";
    e.sig = "bae41ef385e0fc972977c7ea42b12cbd76577d2412919da8a8a22f9577b65077"
            "10c0e96dd78c821dea16453037f717f44aa7e3d196ebb18fbb97307dcb7336c3";
    e.signing_hash = "f140d992ba419578ba9cfe1af85f92df90a76f442fb5e6e09b1f0582534ba87d";
    m["Please send 0.0025 BTC for a cup of nonsense"] = e;
  }
  {
    Expected e;
    e.amount_msat = 2'000'000'000;  // 20m
    e.hashed_description = kChocolate;
    e.features = kBasicFeatures;
    e.tags = "sph9";
    e.sig = "f67a5f696648fa4fb102e1a07b230e54722f8e024cee71e80b4847ac191da3fb"
            "2d2cdb28cc32344d7e9a9cf5c9b6a0ee0582ae46e9938b9c81e344a4dbb5289d";
    e.recovery_id = 1;
    e.signing_hash = "e2ffa444e2979edb639fbdaa384638683ba1a5240b14dd7a150e45a04eea261d";
    m["Now send $24 for an entire list of things"] = e;

    Expected t = e;
    t.network = "tb";
    t.fallback_addresses = {"mk2QpYatsKicvFVuTAQLBryyccRXMUaGHP"};
    t.tags = "shpf9";
    t.sig = "6ca95a74dc32e69ced6175b15a5cc56a92bf19f5dace0f134b7d94d464b9f5cf"
            "6090a18d48b243f289394d17bdf89466d8e6b37df5981f696bc3dd5986e1bee1";
    t.signing_hash = "33bc6642a336097c74299cadfdfdd2e4884a555cf1b4fda72b095382d473d795";
    m["The same, on testnet, with a fallback address"] = t;

    Expected r = e;
    r.fallback_addresses = {"1RustyRX2oai4EYYDpQGWvEL62BBGqN9T"};
    r.routes = {{Hop("029e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255", 66051, 263430, 1800, 1, 20, 3),
                 Hop("039e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255", 197637, 395016, 2314, 2, 30, 4)}};
    r.tags = "sphfr9";
    r.sig = "6a6586db4e8f6d40e3a5bb92e4df5110c627e9ce493af237e20a046b4e86ea20"
            "0178c59564ecf892f33a9558bf041b6ad2cb8292d7a6c351fbb7f2ae2d16b54e";
    r.recovery_id = 0;
    r.signing_hash = "b342d4655b984e53f405fe4d872fb9b7cf54ba538fcd170ed4a5906a9f535064";
    m["On mainnet, with fallback address 1RustyRX2oai4EYYDpQGWvEL62BBGqN9T"] = r;

    Expected p = t;
    p.network = "bc";
    p.fallback_addresses = {"3EktnHQD7RiAE6uzMj2ZifT9YgRrkSgzQX"};
    p.sig = "16810439d1a9bfd5a65acc61340dc92448bb2d456a80b58ce012b73cb5202438"
            "020500c9ab7ef5573a4d174c811f669885ae27f895bb3a3be52c243589f87518";
    p.recovery_id = 1;
    p.signing_hash = "9e93321a775f7dffdca03e61d1ac6e0e356cc63cecd3835271200c1e5b499d29";
    m["On mainnet, with fallback (P2SH)"] = p;

    p.fallback_addresses = {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"};
    p.sig = "5a8bd7b97c1cc9055ee60cf2356621f8752248e037a953886a1782b44a58f5ff"
            "2d94e6bc89b7b514541a3603bb33722b6c08aa1a3639d34becc549a99fea6eae";
    p.recovery_id = 0;
    p.signing_hash = "44fbec32cdac99a1a3cd638ec507dad633a1e5bba514832fd3471e663a157f7b";
    m["On mainnet, with fallback (P2WPKH)"] = p;

    p.fallback_addresses = {"bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"};
    p.sig = "2b3ec248f80301a421817369194f012cdd8af8df1c279981420f9e901e20fa33"
            "09d791e11355e609b59ce4a220852a0cd55ab862b1785a83b206c90fa74d01c8";
    p.recovery_id = 1;
    p.signing_hash = "865a2cc6730e1eeeacd30e6da8e9ab0e9115828d27953ec0c0f985db05da5027";
    m["On mainnet, with fallback (P2WSH)"] = p;
  }
  {
    Expected e;
    e.amount_msat = 967'878'534;  // 9678785340p
    e.timestamp = 1572468703;
    e.payment_hash = "462264ede7e14047e9b249da94fefc47f41f7d02ee9b091815a5506bc8abf75f";
    e.description =
        "Blockstream Store: 88.85 USD for Blockstream Ledger Nano S x 1, \"Back In My Day\" Sticker x 2, "
        "\"I Got Lightning Working\" Sticker x 2 and 1 more items";
    e.expiry = 604800;
    e.min_final_cltv = 10;
    e.routes = {{Hop("03d06758583bb5154774a6eb221b1276c9e82d65bbaceca806d90e20c108f4b1c7", 589390, 3312, 1, 1000, 2500, 40)}};
    e.features = kBasicFeatures;
    e.tags = "pdsxcr9";
    m["Please send 0.00967878534 BTC"] = e;
  }
  {
    Expected e;
    e.amount_msat = 2'500'000'000;  // 25m
    e.description = "coffee beans";
    e.features = {8, 14, 99};
    e.tags = "pds9";
    m["Please send $30 for coffee beans"] = e;
    m["Same, but all upper case."] = e;
    // "2" unknown, "f" version 19, then p, p, h, h, s, s, n, n of the wrong lengths.
    e.tags = "pds92fpphhssnn";
    m["Same, but including fields which must be ignored."] = e;
  }
  {
    Expected e;
    e.amount_msat = 1'000'000'000;  // 10m
    e.description = "payment metadata inside";
    e.metadata_hex = "01fafaf0";
    e.features = {8, 14, 48};
    e.tags = "pdms9";
    m["Please send 0.01 BTC with payment metadata"] = e;
  }
  return m;
}

const Expected* FindExpected(const std::map<std::string, Expected>& table, const std::string& title) {
  for (const auto& [prefix, e] : table) {
    if (title.rfind(prefix, 0) == 0) return &e;
  }
  return nullptr;
}

std::string Tags(const Invoice& inv) {
  std::string s;
  for (const RawField& f : inv.field_order) s.push_back(f.tag);
  return s;
}

TEST(Bolt11Vectors, FixtureHasTheSpecExamples) {
  const auto rows = LoadRows();
  int valid = 0, invalid = 0;
  for (const Row& r : rows) (r.valid ? valid : invalid)++;
  EXPECT_EQ(valid, 15);
  EXPECT_EQ(invalid, 9);
}

TEST(Bolt11Vectors, ValidInvoicesDecodeToTheSpecValues) {
  const auto table = ExpectedByTitle();
  const auto signer = crypto::Signer::FromSecret(H(kSpecKey));
  ASSERT_TRUE(signer.has_value());
  ASSERT_EQ(crypto::ToHex(signer->PublicKey()), kSpecPayee);
  std::string donation;
  for (const Row& row : LoadRows()) {
    if (row.title.rfind("Please make a donation", 0) == 0) donation = row.invoice;
  }
  int checked = 0;
  for (const Row& row : LoadRows()) {
    if (!row.valid) continue;
    SCOPED_TRACE(row.title);
    const Expected* e = FindExpected(table, row.title);
    ASSERT_NE(e, nullptr) << "no expectations written for this row";
    auto decoded = Decode(row.invoice);
    ASSERT_TRUE(decoded.ok()) << decoded.error();
    const Invoice& inv = *decoded;
    ++checked;

    EXPECT_EQ(inv.network_prefix, e->network);
    EXPECT_EQ(inv.amount_msat, e->amount_msat);
    EXPECT_EQ(inv.timestamp, e->timestamp);
    EXPECT_EQ(inv.payment_hash, H(e->payment_hash.c_str()));
    EXPECT_EQ(inv.payment_secret, H(kSecret));
    EXPECT_EQ(inv.description, e->description);
    if (e->hashed_description) {
      EXPECT_EQ(inv.description_hash, crypto::Sha256(*e->hashed_description));
    } else {
      EXPECT_FALSE(inv.description_hash.has_value());
    }
    EXPECT_EQ(inv.expiry_seconds, e->expiry);
    EXPECT_EQ(inv.min_final_cltv_expiry, e->min_final_cltv);

    ASSERT_EQ(inv.fallbacks.size(), e->fallback_addresses.size());
    for (size_t i = 0; i < inv.fallbacks.size(); ++i) {
      const std::string& address = e->fallback_addresses[i];
      auto want = address.rfind("bc1", 0) == 0 ? SegwitFallback(address) : Base58Fallback(address);
      ASSERT_TRUE(want.has_value()) << address;
      EXPECT_EQ(inv.fallbacks[i].version, want->version) << address;
      EXPECT_EQ(base::HexEncode(inv.fallbacks[i].program), base::HexEncode(want->program)) << address;
    }

    ASSERT_EQ(inv.route_hints.size(), e->routes.size());
    for (size_t i = 0; i < inv.route_hints.size(); ++i) {
      ASSERT_EQ(inv.route_hints[i].size(), e->routes[i].size());
      for (size_t k = 0; k < inv.route_hints[i].size(); ++k) {
        const RouteHop& got = inv.route_hints[i][k];
        const RouteHop& want = e->routes[i][k];
        EXPECT_EQ(crypto::ToHex(got.pubkey), crypto::ToHex(want.pubkey));
        EXPECT_EQ(got.short_channel_id, want.short_channel_id);
        EXPECT_EQ(got.fee_base_msat, want.fee_base_msat);
        EXPECT_EQ(got.fee_proportional_millionths, want.fee_proportional_millionths);
        EXPECT_EQ(got.cltv_expiry_delta, want.cltv_expiry_delta);
      }
    }

    for (int bit = 0; bit < static_cast<int>(inv.features.size()) * 5 + 5; ++bit) {
      const bool want = std::find(e->features.begin(), e->features.end(), bit) != e->features.end();
      EXPECT_EQ(inv.HasFeature(bit), want) << "feature bit " << bit;
    }
    if (e->metadata_hex) {
      ASSERT_TRUE(inv.metadata.has_value());
      EXPECT_EQ(base::HexEncode(*inv.metadata), *e->metadata_hex);
    } else {
      EXPECT_FALSE(inv.metadata.has_value());
    }
    EXPECT_FALSE(inv.payee.has_value());  // no example carries `n`: the payee is recovered
    EXPECT_EQ(crypto::ToHex(inv.payee_pubkey), kSpecPayee);
    EXPECT_EQ(Tags(inv), e->tags);

    EXPECT_EQ(crypto::IsHighS(inv.signature.sig), e->high_s);
    if (!e->sig.empty()) {
      EXPECT_EQ(base::HexEncode(inv.signature.sig.data(), inv.signature.sig.size()), e->sig);
      EXPECT_EQ(inv.signature.recovery_id, e->recovery_id);
      EXPECT_EQ(crypto::ToHex(SigningHash(inv)), e->signing_hash);
    }

    // Decode → EncodeWithSignature is byte-identical (lower case).
    EXPECT_EQ(EncodeWithSignature(inv), Lower(row.invoice));

    // Re-signing with the spec's key. RFC 6979 is deterministic, so a low-S vector comes back
    // exactly. The high-S vector cannot: libsecp256k1 only emits low-S signatures, so the
    // re-signed invoice is the low-S original it was derived from ("Please make a donation").
    const std::string resigned = Encode(inv, *signer);
    if (!e->high_s) {
      EXPECT_EQ(resigned, Lower(row.invoice));
    } else {
      EXPECT_NE(resigned, Lower(row.invoice));
      EXPECT_EQ(resigned, donation);
    }
  }
  EXPECT_EQ(checked, 15);
}

TEST(Bolt11Vectors, HighSVectorIsTheDonationWithSNegated) {
  const auto rows = LoadRows();
  auto find = [&](const std::string& prefix) {
    for (const Row& r : rows) {
      if (r.title.rfind(prefix, 0) == 0) return Decode(r.invoice);
    }
    return base::Expected<Invoice, std::string>(base::Err(std::string("row not found")));
  };
  auto donation = find("Please make a donation");
  auto high = find("Public-key recovery with high-S");
  ASSERT_TRUE(donation.ok() && high.ok());
  // r equal, s different, same signed data, same recovered payee.
  EXPECT_TRUE(std::equal(donation->signature.sig.begin(), donation->signature.sig.begin() + 32,
                         high->signature.sig.begin()));
  EXPECT_NE(donation->signature.sig, high->signature.sig);
  EXPECT_EQ(SigningHash(*donation), SigningHash(*high));
  EXPECT_EQ(donation->payee_pubkey, high->payee_pubkey);
  EXPECT_FALSE(crypto::VerifyEcdsa(high->payee_pubkey, SigningHash(*high), high->signature.sig));
  EXPECT_TRUE(crypto::VerifyEcdsa(donation->payee_pubkey, SigningHash(*donation), donation->signature.sig));
}

TEST(Bolt11Vectors, InvalidInvoicesAreRejectedForTheirReason) {
  // One keyword of the reason per row, matched by title prefix.
  const std::pair<const char*, const char*> reasons[] = {
      {"Same, but adding invalid unknown feature 100", "feature bit 100"},
      {"Bech32 checksum is invalid", "checksum"},
      {"Malformed bech32 string (mixed case)", "mixed case"},
      {"Signature is not recoverable", "not recoverable"},
      {"String is too short", "too short"},
      {"Invalid multiplier", "multiplier"},
      {"Invalid sub-millisatoshi precision", "sub-millisatoshi"},
      {"Missing required `s` field", "'s' field"},
      {"Non canonical signature (high-S) with 'n' field defined", "high-S"},
  };
  int checked = 0;
  for (const Row& row : LoadRows()) {
    if (row.valid) continue;
    SCOPED_TRACE(row.title);
    const char* keyword = nullptr;
    for (const auto& [prefix, k] : reasons) {
      if (row.title.rfind(prefix, 0) == 0) keyword = k;
    }
    ASSERT_NE(keyword, nullptr) << "no expected reason written for this row";
    auto decoded = Decode(row.invoice);
    ASSERT_FALSE(decoded.ok());
    EXPECT_FALSE(decoded.error().empty());
    EXPECT_NE(decoded.error().find(keyword), std::string::npos) << decoded.error();
    ++checked;
  }
  EXPECT_EQ(checked, 9);
}

TEST(Bolt11Vectors, HighSWithPayeeFailsOnlyBecauseOfS) {
  // The 'n' example: with s brought back into the lower half (and the string re-encoded), the
  // same invoice verifies against its `n` field, so the rejection above is the high-S rule.
  std::string invoice;
  for (const Row& row : LoadRows()) {
    if (row.title.rfind("Non canonical signature", 0) == 0) invoice = row.invoice;
  }
  ASSERT_FALSE(invoice.empty());
  auto bech = crypto::Bech32Decode(invoice);
  ASSERT_TRUE(bech.ok());
  std::vector<uint8_t> data = bech->data;
  std::vector<uint8_t> sig5(data.end() - 104, data.end());
  auto sig = crypto::ConvertBits(sig5, 5, 8, false);
  ASSERT_TRUE(sig.ok());
  crypto::CompactSig compact{};
  std::copy(sig->begin(), sig->begin() + 64, compact.begin());
  ASSERT_TRUE(crypto::IsHighS(compact));
  // s := n - s.
  static const uint8_t kOrder[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                     0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = kOrder[i] - (*sig)[32 + i] - borrow;
    borrow = d < 0;
    (*sig)[32 + i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
  }
  auto low5 = crypto::ConvertBits(*sig, 8, 5, true);
  ASSERT_TRUE(low5.ok());
  data.resize(data.size() - 104);
  data.insert(data.end(), low5->begin(), low5->end());
  auto decoded = Decode(crypto::Bech32Encode(bech->hrp, data));
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  ASSERT_TRUE(decoded->payee.has_value());
  EXPECT_EQ(crypto::ToHex(*decoded->payee), kSpecPayee);
  EXPECT_EQ(decoded->payee_pubkey, *decoded->payee);
}

}  // namespace
}  // namespace escrow::bolt11
