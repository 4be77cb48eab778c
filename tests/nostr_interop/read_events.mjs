// Reads a relay the way a nostr client does, with nostr-tools' own verification:
//   node read_events.mjs RELAY_URL PUBKEY_HEX
// Sends REQ {authors: [PUBKEY], kinds: [38383, 38385]}, collects the events until EOSE, checks
// each with nostr-tools verifyEvent (id and BIP-340 signature), and prints one JSON line:
//   {"events": [...], "unverified": [ids of events that failed verifyEvent]}
// Exits 0 when it got EOSE, 1 otherwise.
import WebSocket from 'ws';
import { verifyEvent } from 'nostr-tools/pure';

const [url, pubkey] = process.argv.slice(2);
if (!url || !pubkey) {
  console.error('usage: node read_events.mjs RELAY_URL PUBKEY_HEX');
  process.exit(2);
}

const events = [];
const unverified = [];
const ws = new WebSocket(url);
const timer = setTimeout(() => {
  console.error('no EOSE within 20 s');
  process.exit(1);
}, 20000);
ws.on('open', () => {
  ws.send(JSON.stringify(['REQ', 'read', { authors: [pubkey], kinds: [38383, 38385] }]));
});
ws.on('message', (data) => {
  const message = JSON.parse(String(data));
  if (message[0] === 'EVENT' && message[1] === 'read') {
    const event = message[2];
    if (!verifyEvent(event)) unverified.push(event.id);
    events.push(event);
  } else if (message[0] === 'EOSE' && message[1] === 'read') {
    clearTimeout(timer);
    process.stdout.write(JSON.stringify({ events, unverified }) + '\n');
    ws.close();
    process.exit(0);
  }
});
ws.on('error', (error) => {
  console.error(String(error));
  process.exit(1);
});
