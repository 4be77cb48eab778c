// basE91 against reference vectors made with npm base-ex 0.8.1 (the encoder RoboSats clients
// use; fixtures/gen_base91_vectors.mjs), plus round trips of random data.
#include "coordinator/identity/base91.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "identity_fixtures.h"

namespace coordinator::identity {
namespace {

struct Vector {
  std::string direction;  // "encode" or "decode"
  std::string hex;
  std::string text;
  std::string note;
};

std::vector<Vector> LoadVectors() {
  std::vector<Vector> vectors;
  std::istringstream in(identity_test::Fixture("base91_vectors.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    size_t start = 0;
    for (size_t tab = line.find('\t'); tab != std::string::npos; tab = line.find('\t', start)) {
      cols.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    cols.push_back(line.substr(start));
    if (cols.size() != 4) throw std::runtime_error("bad vector line: " + line);
    vectors.push_back({cols[0], cols[1], cols[2], cols[3]});
  }
  return vectors;
}

TEST(Base91, MatchesBaseExVectors) {
  const std::vector<Vector> vectors = LoadVectors();
  size_t encodes = 0;
  size_t decodes = 0;
  for (const Vector& v : vectors) {
    const std::optional<base::Bytes> bytes = base::HexDecode(v.hex);
    ASSERT_TRUE(bytes.has_value()) << v.note;
    if (v.direction == "encode") {
      ++encodes;
      EXPECT_EQ(Base91Encode(*bytes), v.text) << v.note;
      const std::optional<base::Bytes> back = Base91Decode(v.text);
      ASSERT_TRUE(back.has_value()) << v.note;
      EXPECT_EQ(*back, *bytes) << v.note;
    } else {
      ASSERT_EQ(v.direction, "decode");
      ++decodes;
      const std::optional<base::Bytes> decoded = Base91Decode(v.text);
      ASSERT_TRUE(decoded.has_value()) << v.note << ": " << v.text;
      EXPECT_EQ(base::HexEncode(*decoded), v.hex) << v.note << ": " << v.text;
    }
  }
  // The file is what we think it is.
  EXPECT_GE(encodes, 500u);
  EXPECT_GE(decodes, 200u);
}

TEST(Base91, KnownValues) {
  // Also in the vectors; spelled out so that a broken fixture file cannot hide them.
  EXPECT_EQ(Base91Encode(base::Bytes{}), "");
  EXPECT_EQ(Base91Encode(base::Bytes{0x00}), "AA");
  EXPECT_EQ(Base91Encode(base::Bytes{0xff}), "/C");
  EXPECT_EQ(Base91Encode(*base::HexDecode("00010203040506070809")), ":C#(:C?hVB$MA");
  const std::string text = "hello world";
  EXPECT_EQ(Base91Encode(reinterpret_cast<const uint8_t*>(text.data()), text.size()), "TPwJh>Io2Tv!lE");
}

TEST(Base91, RoundTripsRandomData) {
  std::mt19937_64 rng(20240101);
  for (size_t len = 0; len < 2000; len += 1 + len / 8) {
    for (int rep = 0; rep < 8; ++rep) {
      base::Bytes data(len);
      for (uint8_t& b : data) b = static_cast<uint8_t>(rng());
      const std::string text = Base91Encode(data);
      for (char c : text) ASSERT_TRUE(IsBase91Char(c));
      const std::optional<base::Bytes> back = Base91Decode(text);
      ASSERT_TRUE(back.has_value());
      ASSERT_EQ(*back, data) << "length " << len;
    }
  }
}

TEST(Base91, RejectsCharactersOutsideTheAlphabet) {
  for (std::string_view bad : {"AB C", "AB\nC", "AB-C", "AB'C", "AB\\C", "\xc3\xa9"}) {
    EXPECT_FALSE(Base91Decode(bad).has_value()) << bad;
  }
  size_t count = 0;
  for (int c = 0; c < 256; ++c) count += IsBase91Char(static_cast<char>(c)) ? 1 : 0;
  EXPECT_EQ(count, 91u);
  EXPECT_FALSE(IsBase91Char('-'));
  EXPECT_FALSE(IsBase91Char('\''));
  EXPECT_FALSE(IsBase91Char('\\'));
  EXPECT_FALSE(IsBase91Char(' '));
  EXPECT_TRUE(IsBase91Char('"'));
  EXPECT_TRUE(IsBase91Char('~'));
}

}  // namespace
}  // namespace coordinator::identity
