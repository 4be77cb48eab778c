#include "coordinator/identity/robot_identity.h"

#include <array>
#include <cstdint>
#include <string_view>

#include "config/base/encoding.h"

namespace coordinator::identity {
namespace {

// FROZEN. Every robot's nickname depends on the exact content and order of these lists:
// never edit, insert, remove or reorder a word (tests pin nicknames). Adjectives have at most
// 7 letters and nouns at most 8, so adjective + noun + a number below 1000 fits in
// kMaxNicknameLength (18) characters.
constexpr std::array<std::string_view, 298> kAdjectives = {
    "Able",    "Agile",   "Airy",    "Alert",   "Amber",   "Ample",   "Apt",     "Ardent",  "Artful",
    "Astral",  "Atomic",  "Autumn",  "Avid",    "Azure",   "Balmy",   "Bold",    "Bouncy",  "Brainy",
    "Brave",   "Breezy",  "Bright",  "Brisk",   "Bronze",  "Bubbly",  "Busy",    "Calm",    "Candid",
    "Canny",   "Carmine", "Casual",  "Cheery",  "Chief",   "Chill",   "Civil",   "Classic", "Clean",
    "Clear",   "Clever",  "Cobalt",  "Comfy",   "Cool",    "Copper",  "Cosmic",  "Cozy",    "Crafty",
    "Crisp",   "Cubic",   "Curious", "Cyan",    "Dainty",  "Dapper",  "Daring",  "Dashing", "Deft",
    "Devoted", "Digital", "Direct",  "Dizzy",   "Dreamy",  "Dusky",   "Eager",   "Early",   "Earnest",
    "Easy",    "Elated",  "Elegant", "Elfin",   "Epic",    "Exact",   "Fabled",  "Fair",    "Famous",
    "Fancy",   "Fast",    "Festive", "Fiery",   "Fine",    "Firm",    "Fluffy",  "Flying",  "Fond",
    "Frank",   "Free",    "Fresh",   "Frosty",  "Frugal",  "Funky",   "Fuzzy",   "Gallant", "Gentle",
    "Giant",   "Gifted",  "Giddy",   "Glad",    "Gleeful", "Glossy",  "Golden",  "Good",    "Grand",
    "Great",   "Green",   "Happy",   "Hardy",   "Hasty",   "Hearty",  "Helpful", "Heroic",  "Hidden",
    "Honest",  "Humble",  "Icy",     "Ideal",   "Indigo",  "Inky",    "Ionic",   "Ivory",   "Jade",
    "Jazzy",   "Jolly",   "Jovial",  "Joyful",  "Jumpy",   "Just",    "Keen",    "Kind",    "Kindly",
    "Kinetic", "Lavish",  "Lawful",  "Lean",    "Level",   "Light",   "Lively",  "Lofty",   "Logical",
    "Loyal",   "Lucid",   "Lucky",   "Lunar",   "Lush",    "Magic",   "Major",   "Mellow",  "Merry",
    "Mighty",  "Mild",    "Minty",   "Modern",  "Modest",  "Mossy",   "Misty",   "Neat",    "Nimble",
    "Noble",   "Nordic",  "Novel",   "Oaken",   "Olive",   "Onyx",    "Open",    "Optimal", "Orange",
    "Orbital", "Pastel",  "Patient", "Peachy",  "Pearly",  "Perky",   "Placid",  "Plucky",  "Plush",
    "Polar",   "Polite",  "Posh",    "Prime",   "Proud",   "Punchy",  "Pure",    "Quaint",  "Quick",
    "Quiet",   "Quirky",  "Radiant", "Rapid",   "Rare",    "Ready",   "Regal",   "Rosy",    "Royal",
    "Ruby",    "Rustic",  "Sable",   "Sage",    "Salty",   "Sandy",   "Savvy",   "Scarlet", "Serene",
    "Sharp",   "Shiny",   "Silent",  "Silky",   "Silver",  "Simple",  "Sincere", "Sleek",   "Sleepy",
    "Slick",   "Smart",   "Smooth",  "Snappy",  "Snowy",   "Snug",    "Solar",   "Solid",   "Sonic",
    "Sparky",  "Speedy",  "Spicy",   "Spry",    "Stable",  "Starry",  "Steady",  "Stellar", "Stoic",
    "Stormy",  "Sturdy",  "Suave",   "Sunny",   "Super",   "Swift",   "Tactful", "Tender",  "Thrifty",
    "Tidy",    "Timely",  "Tiny",    "Topaz",   "Tricky",  "True",    "Trusty",  "Tidal",   "Upbeat",
    "Urban",   "Valiant", "Vast",    "Velvet",  "Verdant", "Vibrant", "Vivid",   "Wacky",   "Warm",
    "Wavy",    "Wild",    "Windy",   "Wise",    "Witty",   "Wooden",  "Zany",    "Zealous", "Zen",
    "Zesty",   "Zippy",   "Amiable", "Bashful", "Beaming", "Blithe",  "Bonny",   "Crimson", "Cheeky",
    "Chirpy",  "Dandy",   "Dewy",    "Earthy",  "Fervent", "Flinty",  "Fleet",   "Genial",  "Gusty",
    "Hazel",   "Hushed",  "Jaunty",  "Leafy",   "Lilac",   "Ornate",  "Nifty",   "Nutty",   "Peppy",
    "Pert",    "Rugged",  "Sassy",   "Sunlit",  "Sylvan",  "Tawny",   "Toasty",  "Vernal",  "Wintry",
    "Woolly",
};

constexpr std::array<std::string_view, 281> kNouns = {
    "Acorn",    "Alpaca",   "Anchor",  "Antelope", "Apple",    "Arrow",    "Atlas",    "Atom",    "Aurora",
    "Avocado",  "Axolotl",  "Badger",  "Balloon",  "Bamboo",   "Banjo",    "Beacon",   "Beaver",  "Beetle",
    "Bison",    "Blossom",  "Bobcat",  "Bonsai",   "Boulder",  "Breeze",   "Bridge",   "Buffalo", "Button",
    "Cactus",   "Camel",    "Canoe",   "Canyon",   "Capybara", "Caribou",  "Castle",   "Cedar",   "Cheetah",
    "Chipmunk", "Circuit",  "Clover",  "Coconut",  "Comet",    "Compass",  "Condor",   "Coral",   "Cosmos",
    "Cougar",   "Coyote",   "Crane",   "Cricket",  "Crystal",  "Cyborg",   "Dolphin",  "Donkey",  "Dragon",
    "Dune",     "Eagle",    "Echo",    "Eclipse",  "Ember",    "Emerald",  "Falcon",   "Ferret",  "Fern",
    "Fig",      "Finch",    "Firefly", "Flamingo", "Forest",   "Fossil",   "Fox",      "Galaxy",  "Gadget",
    "Garnet",   "Gazelle",  "Gecko",   "Geyser",   "Giraffe",  "Glacier",  "Gopher",   "Granite", "Griffin",
    "Gull",     "Hamster",  "Harbor",  "Hare",     "Hawk",     "Hedgehog", "Heron",    "Hippo",   "Horizon",
    "Hornet",   "Husky",    "Ibex",    "Iguana",   "Impala",   "Island",   "Jackal",   "Jaguar",  "Jasmine",
    "Jelly",    "Jigsaw",   "Kayak",   "Kernel",   "Kestrel",  "Kettle",   "Kiwi",     "Koala",   "Kraken",
    "Lagoon",   "Lantern",  "Lemur",   "Leopard",  "Lichen",   "Lily",     "Lizard",   "Llama",   "Lobster",
    "Locket",   "Lotus",    "Lynx",    "Magnet",   "Magpie",   "Mammoth",  "Mango",    "Maple",   "Marble",
    "Marmot",   "Meadow",   "Meerkat", "Meteor",   "Mink",     "Minnow",   "Mole",     "Monsoon", "Moose",
    "Moth",     "Mountain", "Narwhal", "Nebula",   "Needle",   "Newt",     "Nova",     "Oasis",   "Ocelot",
    "Octopus",  "Orca",     "Orchid",  "Osprey",   "Otter",    "Owl",      "Oyster",   "Panda",   "Panther",
    "Parrot",   "Pebble",   "Pelican", "Penguin",  "Pepper",   "Petal",    "Phoenix",  "Pigeon",  "Pixel",
    "Planet",   "Platypus", "Pocket",  "Pony",     "Poppy",    "Possum",   "Prism",    "Puffin",  "Puma",
    "Pumpkin",  "Quail",    "Quartz",  "Quasar",   "Quokka",   "Rabbit",   "Raccoon",  "Radar",   "Radish",
    "Rainbow",  "Raven",    "Reef",    "Rhino",    "River",    "Robin",    "Robot",    "Rocket",  "Salmon",
    "Sapphire", "Scarab",   "Seal",    "Sequoia",  "Shark",    "Shell",    "Sloth",    "Snail",   "Sparrow",
    "Sphinx",   "Spruce",   "Squid",   "Stallion", "Starling", "Storm",    "Summit",   "Swan",    "Tapir",
    "Thistle",  "Thunder",  "Tiger",   "Toad",     "Toucan",   "Tornado",  "Tortoise", "Tulip",   "Tundra",
    "Turtle",   "Valley",   "Viper",   "Volcano",  "Vulture",  "Walnut",   "Walrus",   "Wasp",    "Weasel",
    "Whale",    "Willow",   "Wizard",  "Wombat",   "Yak",      "Yeti",     "Zebra",    "Zephyr",  "Widget",
    "Sprocket", "Bolt",     "Gear",    "Piston",   "Rotor",    "Servo",    "Sensor",   "Diode",   "Laser",
    "Photon",   "Quark",    "Neutron", "Proton",   "Vector",   "Matrix",   "Cipher",   "Beagle",  "Poodle",
    "Corgi",    "Puppy",    "Kitten",  "Tabby",    "Pangolin", "Dingo",    "Bear",     "Wolf",    "Lion",
    "Mouse",    "Frog",     "Crab",    "Ant",      "Bee",      "Duck",     "Goose",    "Swallow", "Lark",
    "Wren",     "Jay",      "Kite",    "Tern",     "Stork",    "Ibis",     "Marlin",   "Tuna",    "Trout",
    "Pike",     "Carp",
};

constexpr size_t kMaxAdjective = 7;
constexpr size_t kMaxNoun = 8;
constexpr uint64_t kNumbers = 1000;  // 0..999, as RoboSats' NickGenerator(max_num=999)
static_assert(kMaxAdjective + kMaxNoun + 3 <= kMaxNicknameLength);

constexpr bool AllShorterThan(const auto& words, size_t max) {
  for (std::string_view w : words) {
    if (w.empty() || w.size() > max) return false;
  }
  return true;
}
static_assert(AllShorterThan(kAdjectives, kMaxAdjective));
static_assert(AllShorterThan(kNouns, kMaxNoun));

// Big-endian 64-bit integer of bytes [offset, offset + 8).
uint64_t ReadU64(const base::Bytes& bytes, size_t offset) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | bytes[offset + i];
  return v;
}

}  // namespace

std::string HashId(const escrow::crypto::Hash32& token_sha256) {
  const std::string token_sha256_hex = base::HexEncode(token_sha256.data(), token_sha256.size());
  const escrow::crypto::Hash32 second = escrow::crypto::Sha256(std::string_view(token_sha256_hex));
  return base::HexEncode(second.data(), second.size());
}

std::optional<std::string> NicknameFromHashId(std::string_view hash_id) {
  if (hash_id.size() != 64) return std::nullopt;
  const std::optional<base::Bytes> bytes = base::HexDecode(hash_id);
  if (!bytes) return std::nullopt;
  // Three independent 64-bit slices of the digest pick the adjective, the noun and the
  // number; the modulo bias (< 2^-55) does not matter.
  std::string nickname(kAdjectives[ReadU64(*bytes, 0) % kAdjectives.size()]);
  nickname += kNouns[ReadU64(*bytes, 8) % kNouns.size()];
  nickname += std::to_string(ReadU64(*bytes, 16) % kNumbers);
  return nickname;
}

RobotIdentity DeriveRobotIdentity(const escrow::crypto::Hash32& token_sha256) {
  RobotIdentity identity;
  identity.token_sha256_hex = base::HexEncode(token_sha256.data(), token_sha256.size());
  identity.hash_id = HashId(token_sha256);
  identity.nickname = NicknameFromHashId(identity.hash_id).value_or(std::string());
  return identity;
}

std::span<const std::string_view> NicknameAdjectives() { return kAdjectives; }
std::span<const std::string_view> NicknameNouns() { return kNouns; }

}  // namespace coordinator::identity
