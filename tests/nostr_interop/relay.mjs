// A nostr relay built from others' code: @nostr-relay/core (NIP-01 message handling, NIP-33
// replaceable addresses, subscriptions) over @nostr-relay/event-repository-sqlite (a SQLite file,
// so a restarted relay keeps what it stored), behind a `ws` WebSocket server on loopback, every
// incoming message checked by @nostr-relay/validator (schema, id and signature).
//   node relay.mjs PORT DB_FILE
// Prints "listening <port>" once it accepts connections; stops on SIGTERM.
import { WebSocketServer } from 'ws';
import { NostrRelay } from '@nostr-relay/core';
import { EventRepositorySqlite } from '@nostr-relay/event-repository-sqlite';
import { Validator } from '@nostr-relay/validator';

const [portArg, dbFile] = process.argv.slice(2);
if (!portArg || !dbFile) {
  console.error('usage: node relay.mjs PORT DB_FILE');
  process.exit(2);
}

const repository = new EventRepositorySqlite(dbFile);
await repository.init();
const relay = new NostrRelay(repository);
const validator = new Validator();

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(portArg), maxPayload: 256 * 1024 });
wss.on('connection', (ws) => {
  relay.handleConnection(ws, '127.0.0.1');
  ws.on('message', async (data) => {
    try {
      const message = await validator.validateIncomingMessage(data);
      await relay.handleMessage(ws, message);
    } catch (error) {
      ws.send(JSON.stringify(['NOTICE', String(error && error.message ? error.message : error)]));
    }
  });
  ws.on('close', () => relay.handleDisconnect(ws));
  ws.on('error', () => {});
});
wss.on('listening', () => {
  process.stdout.write(`listening ${wss.address().port}\n`);
});

async function stop() {
  wss.close();
  await relay.destroy();
  await repository.destroy();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
