#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/<target>/ from the project's real inputs (the
fixtures named below). Run from anywhere: `tests/fuzz/make_corpus.py`; it replaces the seeds it
writes and leaves other files alone. The nostr relay's signed EVENT seeds come from
`FUZZ_PRINT_EVENTS=1 build-fuzz/fuzz/fuzz_nostr_relay` (pasted below: the fuzzer cannot sign)."""
import hashlib, json, os, pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared")) / "fixtures"
OUT = ROOT / "tests/fuzz/corpus"
IDENT = ROOT / "tests/unit/identity/fixtures"
LND = ROOT / "tests/adapter/lnd_wire/fixtures"


def seed(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / name).write_bytes(data)


def text(path):
    return pathlib.Path(path).read_text()


# --- BOLT 11: every vector of the BOLT (valid and invalid), lower and upper case.
for i, line in enumerate(text(SHARED / "bolt11-vectors.tsv").splitlines()):
    if line.startswith("#") or not line.strip():
        continue
    kind, _title, invoice = line.split("\t")[:3]
    seed("bolt11", f"{kind.lower()}_{i:02d}", invoice)
seed("bolt11", "upper_00", text(SHARED / "bolt11-vectors.tsv").splitlines()[3].split("\t")[2].upper())

# --- base91: the reference vectors (a sample) and the robot token hash.
rows = [l.split("\t") for l in text(IDENT / "base91_vectors.tsv").splitlines() if l and not l.startswith("#")]
for i, row in enumerate(rows[:: max(1, len(rows) // 24)][:24]):
    seed("base91", f"vector_{i:02d}", row[2])
token = text(IDENT / "robot_token.txt").strip()

# --- Authorization header: a first request as openpgp.js makes it, and the short form.
first = text(IDENT / "openpgpjs_auth_header.txt").strip()
seed("auth_header", "first_request", first)
short = first.split(" | ")[0]
seed("auth_header", "token_only", short)
seed("auth_header", "token_spaces", "  " + short + "  ")
seed("auth_header", "empty", "")
seed("auth_header", "no_private", first.split(" | Private")[0])

# --- PGP: signed invoices (byte 0: verify), keys (2: public, 3: private).
for name in ["invoice_signed_robot.asc", "openpgpjs_invoice_signed.asc", "invoice_signed_rsa.asc",
             "invoice_signed_other.asc"]:
    seed("pgp_signed", "verify_" + name, b"\x00" + (IDENT / name).read_bytes())
for name in ["robot_pub.asc", "openpgpjs_pub.asc", "expired_pub.asc", "revoked_pub.asc", "two_keys_pub.asc",
             "unprotected_pub.asc"]:
    seed("pgp_signed", "public_" + name, b"\x02" + (IDENT / name).read_bytes())
for name in ["robot_sec.asc", "unprotected_sec.asc", "other_sec.asc"]:
    seed("pgp_signed", "private_" + name, b"\x03" + (IDENT / name).read_bytes())

# --- federation.json: the real file, one entry of it, and small shapes.
fed_text = text(SHARED / "robosats/federation.json")
seed("federation_json", "robosats_federation.json", fed_text)
fed = json.loads(fed_text)
for key in list(fed)[:3]:
    seed("federation_json", f"entry_{key}.json", json.dumps({key: fed[key]}, indent=2))
seed("federation_json", "empty_object.json", "{}")
seed("federation_json", "not_object.json", "[1, 2]")

# --- YAML config (byte 0 even: coordinatord, odd: federationd).
seed("config_yaml", "coordinator_example", b"\x00" + (ROOT / "config/coordinator.example.yaml").read_bytes())
seed("config_yaml", "federationd_example", b"\x01" + (ROOT / "config/federationd.example.yaml").read_bytes())
seed("config_yaml", "coordinator_small", b"\x00trade:\n  bond_size:\n    default: 3\nlightning:\n  backend: lnd\n")
seed("config_yaml", "coordinator_empty", b"\x00")
seed("config_yaml", "federationd_empty", b"\x01")

# --- LND REST answers (byte 0 picks the parser, as lnd_json.cpp's switch).
parsers = {"getinfo.json": 0, "add_hold_invoice_resp.json": 1, "add_invoice_response.json": 2,
           "invoice_open.json": 3, "invoice_accepted.json": 3, "invoice_settled.json": 3,
           "invoice_canceled.json": 3, "payreq_route_hints.json": 4, "payment_succeeded.json": 5,
           "payment_failed.json": 5, "payment_in_flight.json": 5, "channel_balance.json": 6,
           "error_already_paid.json": 8, "error_legacy.json": 8, "error_macaroon.json": 8,
           "error_not_found.json": 8}
for name, selector in parsers.items():
    seed("lnd_json", name, bytes([selector]) + (LND / name).read_bytes())
seed("lnd_json", "route_fee.json", b"\x07" + b'{"routing_fee_msat": "1000", "time_lock_delay": "144", "failure_reason": "FAILURE_REASON_NONE"}')
seed("lnd_json", "decimal", b"\x0918446744073709551615")

# --- LND streams (byte 0 seeds the chunking, byte 1 the stream: even invoices, odd payments).
for seedbyte in (0, 7, 200):
    seed("lnd_stream", f"subscribe_invoice_{seedbyte}", bytes([seedbyte, 0]) + (LND / "stream_subscribe_invoice.ndjson").read_bytes())
    seed("lnd_stream", f"track_payment_{seedbyte}", bytes([seedbyte, 1]) + (LND / "stream_track_payment.ndjson").read_bytes())
seed("lnd_stream", "crlf_and_blank", b"\x05\x01" + (LND / "stream_track_payment.ndjson").read_bytes().replace(b"\n", b"\r\n\n  \n"))
seed("lnd_stream", "stream_error", b"\x03\x00" + b'{"error": {"code": 5, "message": "unable to locate invoice", "details": []}}\n')

# --- Public API requests, as the RoboSats client (v0.8.6 frontend) sends them.
auth = "Authorization: " + first
auth_short = "Authorization: " + short
JSONCT = "Content-Type: application/json"
signed_invoice = text(IDENT / "openpgpjs_invoice_signed.asc")
def req(name, line, headers, body=""):
    seed("public_api", name, line + "\n" + "".join(h + "\n" for h in headers) + "\n" + body)
req("info", "GET /api/info/", [])
req("book", "GET /api/book/?currency=1&type=2", ["Accept-Encoding: gzip, deflate"])
req("book_bad", "GET /api/book/?currency=abc&type=7", [])
req("limits", "GET /api/limits/", [])
req("price", "GET /api/price/", [])
req("ticks", "GET /api/ticks/?start=01-01-2024&end=31-12-2024", [])
req("historical", "GET /api/historical/", [])
req("devfund", "GET /api/devfund/?start=1704067200&end=1704153600", [])
req("robot_first", "GET /api/robot/", [auth])
req("robot", "GET /api/robot/", [auth_short])
req("robot_noauth", "GET /api/robot/", [])
make = {"type": 1, "currency": 1, "amount": "150", "has_range": False, "min_amount": None, "max_amount": None,
        "payment_method": "Revolut Instant SEPA", "is_explicit": False, "premium": 2.5, "satoshis": None,
        "public_duration": 86340, "escrow_duration": 10800, "bond_size": 3, "latitude": None, "longitude": None,
        "password": None, "description": None}
req("make", "POST /api/make/", [auth_short, JSONCT], json.dumps(make))
make_range = dict(make, has_range=True, amount=None, min_amount="21", max_amount="101.7", latitude=41.39,
                  longitude=2.17, password="secret", description="Cash in Barcelona")
req("make_range", "POST /api/make/", [auth_short, JSONCT], json.dumps(make_range))
make_explicit = dict(make, is_explicit=True, satoshis=120000, premium=None)
req("make_explicit", "POST /api/make/", [auth_short, JSONCT], json.dumps(make_explicit))
req("make_form", "POST /api/make/", [auth_short, "Content-Type: application/x-www-form-urlencoded"],
    "type=0&currency=2&amount=20.5&payment_method=SEPA&premium=-1.5&bond_size=2.5")
req("order_get", "GET /api/order/?order_id=5", [auth_short])
for action in [{"action": "take", "amount": None}, {"action": "take", "amount": "50.00", "password": "secret"},
               {"action": "pause"}, {"action": "cancel"}, {"action": "cancel", "cancel_status": 1},
               {"action": "update_invoice", "invoice": signed_invoice, "routing_budget_ppm": 1000},
               {"action": "confirm"}, {"action": "undo_confirm"}, {"action": "dispute"},
               {"action": "rate_platform", "rating": 5},
               {"action": "submit_statement", "statement": "I sent the fiat; here is the receipt."},
               {"action": "update_address", "address": "bc1q…", "mining_fee_rate": 3}]:
    req("order_" + action["action"] + ("_" + str(len(json.dumps(action)))), "POST /api/order/?order_id=5",
        [auth_short, JSONCT], json.dumps(action))
req("chat_get", "GET /api/chat/?order_id=5&offset=0", [auth_short])
req("chat_post", "POST /api/chat/", [auth_short, JSONCT],
    json.dumps({"PGP_message": "-----BEGIN PGP MESSAGE-----\n\nwV4D\n-----END PGP MESSAGE-----", "order_id": 5, "offset": 3}))
req("reward", "POST /api/reward/", [auth_short, JSONCT], json.dumps({"invoice": signed_invoice, "routing_budget_ppm": 1000}))
req("review", "POST /api/review/", [auth_short, JSONCT], json.dumps({"pubkey": "a" * 64}))
req("notifications", "GET /api/notifications/?created_at=2024-06-01T12:00:00", [auth_short])
req("stealth", "POST /api/stealth/", [auth_short, JSONCT], json.dumps({"wantsStealth": True}))
req("options", "OPTIONS /api/make/", ["Origin: http://example.onion"])
req("not_found", "GET /api/nothing/", [])
req("wrong_method", "PUT /api/book/", [])
req("bad_json", "POST /api/make/", [auth_short, JSONCT], '{"type": 1,')
req("bad_type", "POST /api/make/", [auth_short, "Content-Type: text/plain"], "type=1")

# --- nostr messages on /relay/, one per line, as the RoboSats client and other relays send them.
now = 1760000000
nostr = {
    "req_book": [["REQ", "subscribeBook", {"authors": ["PEER", "OWN"], "kinds": [38383], "since": now - 30 * 3600}]],
    "req_info": [["REQ", "info", {"authors": ["OWN"], "kinds": [38385]}]],
    "req_tags": [["REQ", "b", {"kinds": [38383], "#s": ["pending"], "#f": ["USD", "EUR"], "limit": 10}],
                 ["CLOSE", "b"]],
    "req_ids": [["REQ", "x", {"ids": ["00" * 32]}, {"#d": ["own-order-1"]}], ["REQ", "x", {}], ["CLOSE", "x"]],
    "bad": [["NOPE"], ["REQ"], ["CLOSE"], ["EVENT", {}], ["REQ", "", {}]],
}
# The keys and signed events of the relay under test (see the docstring).
import subprocess
binary = ROOT / "build-fuzz/fuzz/fuzz_nostr_relay"
if binary.exists():
    printed = subprocess.run([binary], env=dict(os.environ, FUZZ_PRINT_EVENTS="1"), capture_output=True,
                             text=True, check=True).stdout.splitlines()
    events = [l for l in printed if l.startswith("[")]
    keys = dict(l.split(" ") for l in printed if l.startswith(("own ", "peer ")))
    for name, msgs in nostr.items():
        body = "\n".join(json.dumps(m) for m in msgs)
        seed("nostr_relay", name, body.replace('"PEER"', json.dumps(keys["peer"])).replace('"OWN"', json.dumps(keys["own"])))
    seed("nostr_relay", "event_peer_order", events[0])
    seed("nostr_relay", "event_own_newer_then_req", events[1] + "\n" + json.dumps(
        ["REQ", "s", {"authors": [keys["own"]], "kinds": [38383]}]))
    seed("nostr_relay", "req_then_event", json.dumps(["REQ", "live", {"kinds": [38383]}]) + "\n" + events[0])
    seed("nostr_relay", "event_twice", events[0] + "\n" + events[0])
