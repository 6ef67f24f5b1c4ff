// An unchanged AWS Amplify v6 app (aws-amplify's own generateClient) pointed at the service's HTTPS endpoint, with
// Cognito-style access tokens from a token provider (userPool mode) or per request (lambda mode), as apps do.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import WebSocket from 'ws';
import {
  CHANGES, HEARTBEAT, Inbox, WAIT_MS, claimedAppliance, describe, inPlace, share, signIn, users, within,
} from './support.mjs';

/** https://host:port/graphql; the service's certificate is trusted through NODE_EXTRA_CA_CERTS. */
const endpoint = process.env.APPLIANCE_SYNC_HTTPS_URL;
assert.ok(endpoint?.startsWith('https://'), 'APPLIANCE_SYNC_HTTPS_URL must be set (NodeClientsIT sets it)');
const owner = users.owner;
const guest = users.amplify;

/** Every frame of the app's realtime sockets, both ways, so tests can see what Amplify itself does not expose. */
class Frames {
  items = [];
  #waiters = [];

  add(direction, text) {
    const frame = { direction, ...JSON.parse(text) };
    this.items.push(frame);
    for (const waiter of [...this.#waiters]) {
      if (waiter.matches(frame)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    }
  }

  /** The first frame from now on that matches. */
  next(matches, what, ms = WAIT_MS) {
    return within(new Promise((resolve) => this.#waiters.push({ matches, resolve })), what, ms);
  }
}

const frames = new Frames();
const protocolsOffered = [];

// Node 20 has no WebSocket global; Amplify uses the global one (a browser's), so the app provides it, as Amplify's
// Node guidance says. It records frames and otherwise is the ws package untouched.
class RecordingWebSocket extends WebSocket {
  constructor(address, protocols) {
    super(address, protocols);
    protocolsOffered.push({ address: String(address), protocols });
    this.addEventListener('message', (event) => frames.add('in', String(event.data)));
  }

  send(data, ...rest) {
    frames.add('out', String(data));
    return super.send(data, ...rest);
  }
}
globalThis.WebSocket = RecordingWebSocket;

/** An access token as Amplify's token providers hand it over. */
function accessToken(token) {
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  return { payload, toString: () => token };
}

let client;

before(async () => {
  await signIn(guest);
  Amplify.configure(
    { API: { GraphQL: { endpoint, region: 'eu-west-1', defaultAuthMode: 'userPool' } } },
    { Auth: { tokenProvider: { getTokens: async () => ({ accessToken: accessToken(owner.token) }) } } },
  );
  client = generateClient();
});

/** Subscribes through Amplify, collecting data into an Inbox; an error fails it. */
function subscribe(options) {
  const inbox = new Inbox();
  inbox.subscription = client.graphql(options).subscribe({
    next: (message) => inbox.push(message.data),
    error: (error) => inbox.fail(new Error(describe(error))),
  });
  return inbox;
}

/** The error Amplify hands the app when a subscription fails. */
function failureOf(options) {
  return within(new Promise((resolve, reject) => {
    client.graphql(options).subscribe({
      next: (message) => reject(new Error(`data instead of an error: ${JSON.stringify(message)}`)),
      error: resolve,
    });
  }), `the error of ${options.query}`);
}

test('amplify: a query over HTTPS with the bare access token Amplify sends', async () => {
  const result = await client.graphql({ query: '{ me { username email } }' });
  assert.equal(result.errors, undefined);
  assert.equal(result.data.me.username, owner.username);
});

test('amplify: a bad token on a query is refused', async () => {
  await assert.rejects(
    client.graphql({ query: '{ me { username } }', authMode: 'lambda', authToken: 'not.a-valid.token' }),
    // Amplify wraps the HTTP failure (a REST error carrying the response) into a GraphQL result's error.
    (error) => error?.errors?.[0]?.originalError?.response?.statusCode === 401,
  );
});

test('amplify: a subscription opens wss://…/graphql/realtime and receives a change', async () => {
  const changes = subscribe({ query: CHANGES });
  try {
    await inPlace(changes, owner);
    const appliance = await claimedAppliance('MINI_OVEN', owner);
    await changes.waitFor((data) => data.changes.applianceId === appliance, 'the claim of a new appliance');
    const opened = protocolsOffered.at(-1);
    assert.match(opened.address, /^wss:\/\/.*\/graphql\/realtime/);
    assert.equal(opened.protocols[0], 'graphql-ws');
    assert.match(opened.protocols[1], /^header-[A-Za-z0-9_-]+$/);
  } finally {
    changes.subscription.unsubscribe();
  }
});

test('amplify: keep-alives arrive more often than the connectionTimeoutMs the service announced', async () => {
  const beats = subscribe({ query: HEARTBEAT });
  try {
    await beats.waitFor((data) => data.heartbeat.sequence === 1, 'a heartbeat');
    const ack = frames.items.find((frame) => frame.type === 'connection_ack');
    assert.ok(ack, 'a connection_ack was received');
    const timeout = ack.payload.connectionTimeoutMs;
    assert.ok(timeout > 0, `connectionTimeoutMs ${timeout}`);
    const first = await frames.next((frame) => frame.type === 'ka', 'a ka', timeout);
    const started = Date.now();
    await frames.next((frame) => frame.type === 'ka', 'the next ka', timeout);
    assert.ok(first);
    assert.ok(Date.now() - started < timeout, 'the second ka came within the timeout');
  } finally {
    beats.subscription.unsubscribe();
  }
});

test('amplify: two principals on one socket, each start with its own authorization', async () => {
  const socketsBefore = protocolsOffered.length;
  const mine = subscribe({ query: HEARTBEAT });
  const theirs = subscribe({ query: HEARTBEAT, authMode: 'lambda', authToken: guest.token });
  try {
    const myBeat = await mine.waitFor((data) => data.heartbeat.sequence >= 1, "the owner's heartbeat");
    const theirBeat = await theirs.waitFor((data) => data.heartbeat.sequence >= 1, "the guest's heartbeat");
    assert.equal(myBeat.heartbeat.username, owner.username);
    assert.equal(theirBeat.heartbeat.username, guest.username);
    assert.ok(protocolsOffered.length - socketsBefore <= 1, 'at most one new socket for both');
    // The two starts go out in whichever order their tokens were ready.
    const starts = frames.items.filter((frame) => frame.direction === 'out' && frame.type === 'start').slice(-2);
    assert.deepEqual(starts.map((frame) => frame.payload.extensions.authorization.Authorization).sort(),
      [owner.token, guest.token].sort());
  } finally {
    mine.subscription.unsubscribe();
    theirs.subscription.unsubscribe();
  }
});

test('amplify: a subscription with a bad token fails with UNAUTHENTICATED, the socket serves the others', async () => {
  const beats = subscribe({ query: HEARTBEAT });
  try {
    await beats.waitFor((data) => data.heartbeat.sequence === 1, 'a heartbeat');
    const error = await failureOf({ query: HEARTBEAT, authMode: 'lambda', authToken: 'not.a-valid.token' });
    assert.match(describe(error), /UNAUTHENTICATED/);
    await beats.waitFor((data) => data.heartbeat.sequence === 2, 'the next heartbeat on the same socket');
  } finally {
    beats.subscription.unsubscribe();
  }
});

test("amplify: a revoked guest's subscription ends with ACCESS_REVOKED", async () => {
  const applianceId = await claimedAppliance('MINI_OVEN', owner);
  const shareId = await share(applianceId, guest, 'GUEST');
  const guestChanges = new Inbox();
  const ended = new Promise((resolve) => {
    guestChanges.subscription = client.graphql({
      query: 'subscription($a: ID) { applianceState(applianceId: $a) { applianceId version } }',
      variables: { a: applianceId }, authMode: 'lambda', authToken: guest.token,
    }).subscribe({ next: (message) => guestChanges.push(message.data), error: resolve });
  });
  try {
    await frames.next((frame) => frame.type === 'start_ack', 'the start_ack of the guest subscription');
    const { revokeShare } = (await client.graphql({
      query: 'mutation($s: ID!) { revokeShare(shareId: $s) { status } }', variables: { s: shareId },
    })).data;
    assert.equal(revokeShare.status, 'REVOKED');
    const error = await within(ended, 'the guest subscription to end');
    assert.match(describe(error), /ACCESS_REVOKED/);
  } finally {
    guestChanges.subscription.unsubscribe();
  }
});

test('amplify: unsubscribe sends stop, the service answers complete and sends nothing more for it', async () => {
  const stopped = subscribe({ query: HEARTBEAT });
  const clock = subscribe({ query: HEARTBEAT });
  try {
    await stopped.waitFor((data) => data.heartbeat.sequence === 1, 'a heartbeat');
    stopped.subscription.unsubscribe();
    const stop = await frames.next((frame) => frame.direction === 'out' && frame.type === 'stop', 'the stop');
    const complete = await frames.next((frame) => frame.type === 'complete' && frame.id === stop.id,
      'complete for the stop');
    // Two more beats of the other subscription on the same socket: two seconds in which the stopped one would beat.
    const now = (await clock.waitFor(() => true, 'a beat')).heartbeat.sequence;
    await clock.waitFor((data) => data.heartbeat.sequence === now + 2, 'two more beats');
    const afterComplete = frames.items.slice(frames.items.indexOf(complete));
    assert.deepEqual(afterComplete.filter((frame) => frame.type === 'data' && frame.id === stop.id), []);
  } finally {
    clock.subscription.unsubscribe();
  }
});
