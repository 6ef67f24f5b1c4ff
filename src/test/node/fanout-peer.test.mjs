// The Node.js peer (fanout-peer.mjs) does the work it is a baseline for: it decides access per delivery and executes
// each subscriber's own selection. Self-contained (starts its own peer), so `node --test` runs it anywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const BOUND_MS = 10_000;
const STATE = 'subscription { applianceState { applianceId version reported desired } }';
let peer;
let base;
const clients = [];

before(async () => {
  peer = spawn(process.execPath, ['--expose-gc', new URL('./fanout-peer.mjs', import.meta.url).pathname],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    peer.stdout.on('data', (chunk) => {
      out += chunk;
      const listening = /LISTENING (\d+)/.exec(out);
      if (listening) {
        resolve(listening[1]);
      }
    });
    peer.on('exit', (code) => reject(new Error(`the peer exited with ${code} before listening`)));
  });
  base = `127.0.0.1:${port}`;
  await control('/control/access', {
    tokens: { 'owner-token': 'owner', 'guest-token': 'guest', 'other-token': 'other' },
    grants: { owner: { A: 'OWNER' }, guest: { A: 'GUEST' } },
  });
  await publish(1);
});

after(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  peer.stdin.end();
  await once(peer, 'exit');
});

async function control(path, body) {
  const response = await fetch(`http://${base}${path}`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(response.status, 200);
  return response.json();
}

function publish(version) {
  return control('/control/publish', {
    applianceId: 'A', version, reported: { status: `v${version}` }, desired: { targetCelsius: version },
    shadowName: '', updatedAt: new Date().toISOString(), reportedAt: null,
  });
}

/** A subscription of `token`'s user: next() is its next item (or error, or close), failing after BOUND_MS. */
function subscribe(token, query) {
  const client = createClient({
    url: `ws://${base}/graphql`,
    retryAttempts: 0,
    webSocketImpl: class extends WebSocket {
      constructor(url, protocols) {
        super(url, protocols, { headers: { authorization: `Bearer ${token}` } });
      }
    },
  });
  clients.push(client);
  const received = [];
  const waiting = [];
  const deliver = (item) => (waiting.length > 0 ? waiting.shift()(item) : received.push(item));
  client.subscribe({ query }, {
    next: (value) => deliver(value),
    error: (error) => deliver({ error: error?.code ?? String(error) }),
    complete: () => deliver({ complete: true }),
  });
  return {
    next: () => (received.length > 0 ? Promise.resolve(received.shift()) : new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nothing for ${token} within ${BOUND_MS} ms`)), BOUND_MS);
      waiting.push((item) => {
        clearTimeout(timer);
        resolve(item);
      });
    })),
  };
}

test('an owner and a guest with the same document get different frames: desired hidden from the guest', async () => {
  const owner = subscribe('owner-token', STATE);
  const guest = subscribe('guest-token', STATE);
  assert.deepEqual(await owner.next(), { data: { applianceState: {
    applianceId: 'A', version: 1, reported: '{"status":"v1"}', desired: '{"targetCelsius":1}' } } });
  assert.deepEqual(await guest.next(), { data: { applianceState: {
    applianceId: 'A', version: 1, reported: '{"status":"v1"}', desired: null } } });
});

test('a grant removed between two states stops the second for that subscriber only', async () => {
  await control('/control/access', {
    tokens: { 'c-owner-token': 'c-owner', 'c-guest-token': 'c-guest' },
    grants: { 'c-owner': { C: 'OWNER' }, 'c-guest': { C: 'GUEST' } },
  });
  const query = 'subscription { applianceState(applianceId: "C") { version } }';
  const owner = subscribe('c-owner-token', query);
  const guest = subscribe('c-guest-token', query);
  const state = (version) => ({ applianceId: 'C', version, reported: {}, shadowName: '', updatedAt: '' });
  await control('/control/publish', state(1));
  assert.equal((await owner.next()).data.applianceState.version, 1);
  assert.equal((await guest.next()).data.applianceState.version, 1);

  await control('/control/access', { grants: { 'c-guest': { C: null } } });
  assert.equal((await control('/control/publish', state(2))).offered, 1, 'the owner only');
  await control('/control/access', { grants: { 'c-guest': { C: 'GUEST' } } });
  assert.equal((await control('/control/publish', state(3))).offered, 2, 'both again');

  assert.equal((await owner.next()).data.applianceState.version, 2);
  assert.equal((await owner.next()).data.applianceState.version, 3);
  // The guest's next item is version 3: version 2 never reached it (one socket delivers in order).
  assert.equal((await guest.next()).data.applianceState.version, 3);
});

test('a subscriber with a different selection gets its own frame', async () => {
  const narrow = subscribe('owner-token', 'subscription { applianceState { version } }');
  const full = subscribe('owner-token', STATE);
  const [narrowFirst, fullFirst] = [await narrow.next(), await full.next()];
  assert.deepEqual(Object.keys(narrowFirst.data.applianceState), ['version']);
  assert.deepEqual(Object.keys(fullFirst.data.applianceState), ['applianceId', 'version', 'reported', 'desired']);
});

test('a user without a grant is offered nothing, and an unknown token is refused', async () => {
  await control('/control/access', { tokens: { 'b-token': 'b-owner' }, grants: { 'b-owner': { B: 'OWNER' } } });
  const other = subscribe('other-token', STATE);
  const bOwner = subscribe('b-token', 'subscription { applianceState(applianceId: "B") { version } }');
  await control('/control/publish', { applianceId: 'B', version: 1, reported: {}, shadowName: '', updatedAt: '' });
  assert.deepEqual(await bOwner.next(), { data: { applianceState: { version: 1 } } });
  const second = await control('/control/publish', { applianceId: 'B', version: 2, reported: {}, shadowName: '',
    updatedAt: '' });
  assert.equal(second.offered, 1, 'offered to B\'s owner only, not to the user subscribed without a grant');
  assert.deepEqual(await bOwner.next(), { data: { applianceState: { version: 2 } } });

  const forbidden = subscribe('other-token', 'subscription { applianceState(applianceId: "B") { version } }');
  assert.deepEqual((await forbidden.next()).errors.map((error) => error.extensions.code), ['FORBIDDEN']);
  assert.deepEqual(await subscribe('no-such-token', STATE).next(), { error: 4403 });
  assert.ok(other, 'subscribed without a grant');
});
