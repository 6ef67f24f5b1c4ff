// graphql-transport-ws edges with the ws library, the WebSocket of Node apps and of the graphql-ws client: what the
// service answers to a message no client library would send must still be a close frame ws accepts (a close reason
// over 123 bytes is a broken frame to it: it reports 1006 instead of the code).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { url, within } from './support.mjs';

/** Opens a graphql-transport-ws socket, sends the messages, and resolves with how the server closed it. */
async function closeAfter(...messages) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const failed = new Promise((resolve) => socket.on('error', (error) => resolve({ error })));
  await within(new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  }), 'the upgrade');
  for (const message of messages) {
    socket.send(message);
  }
  const outcome = await within(Promise.race([closed, failed]), 'the close');
  assert.equal(outcome.error, undefined, `ws refused the server's frames: ${outcome.error?.message}`);
  return outcome;
}

test('protocol edges: [1,2,3] closes with 4400 and a short reason, which ws accepts (not 1006)', async () => {
  const { code, reason } = await closeAfter('[1,2,3]');
  assert.equal(code, 4400);
  assert.equal(reason, 'Message must be a JSON object');
});

test('protocol edges: an unknown message type closes with 4400', async () => {
  const { code } = await closeAfter(JSON.stringify({ type: 'connection_init' }), JSON.stringify({ type: 'foo' }));
  assert.equal(code, 4400);
});

test('protocol edges: a message over 64 KiB closes with 1009', async () => {
  const { code, reason } = await closeAfter(JSON.stringify({ type: 'ping', payload: { pad: 'x'.repeat(70_000) } }));
  assert.equal(code, 1009);
  assert.equal(reason, 'Message over 65536 bytes');
});
