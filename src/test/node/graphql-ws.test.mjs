// The reference graphql-transport-ws client (npm graphql-ws), as a web or Node app would use it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  CHANGES, HEARTBEAT, Inbox, claimedAppliance, describe, share, signIn, url, users, within, inPlace } from './support.mjs';

const recipient = users.modern;

function client(options) {
  return createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...options });
}

/** Subscribes, collecting every result into an Inbox (a result with errors fails it). */
function subscribe(graphqlClient, query) {
  const inbox = new Inbox();
  inbox.dispose = graphqlClient.subscribe({ query }, {
    next: (result) => (result.errors ? inbox.fail(new Error(JSON.stringify(result.errors))) : inbox.push(result.data)),
    error: (error) => inbox.fail(new Error(describe(error))),
    complete: () => inbox.fail(new Error('completed by the server')),
  });
  return inbox;
}

async function assertHeartbeats(graphqlClient, username) {
  const beats = subscribe(graphqlClient, HEARTBEAT);
  await beats.waitFor((data) => data.heartbeat.sequence === 2, 'a second heartbeat');
  assert.deepEqual(beats.items.slice(0, 2).map((data) => data.heartbeat), [
    { sequence: 1, username },
    { sequence: 2, username },
  ]);
}

test('graphql-ws: a token in connectionParams authenticates: heartbeats carry the username', async () => {
  const graphqlClient = client({ connectionParams: { Authorization: `Bearer ${recipient.token}` } });
  try {
    await assertHeartbeats(graphqlClient, recipient.username);
  } finally {
    await graphqlClient.dispose();
  }
});

test('graphql-ws: a token in the upgrade request header authenticates too (what a Node or mobile client can send)', async () => {
  class WebSocketWithToken extends WebSocket {
    constructor(address, protocols) {
      super(address, protocols, { headers: { Authorization: `Bearer ${recipient.token}` } });
    }
  }
  const graphqlClient = client({ webSocketImpl: WebSocketWithToken });
  try {
    await assertHeartbeats(graphqlClient, recipient.username);
  } finally {
    await graphqlClient.dispose();
  }
});

test('graphql-ws: a bad token in connectionParams closes the connection with 4403', async () => {
  let closed;
  const closedWith = new Promise((resolve) => { closed = resolve; });
  const graphqlClient = client({
    connectionParams: { Authorization: 'Bearer not-a-token' },
    on: { closed: (event) => closed(event.code) },
  });
  try {
    const beats = subscribe(graphqlClient, HEARTBEAT);
    assert.equal(await within(closedWith, 'the close'), 4403);
    await assert.rejects(beats.waitFor(() => true, 'anything'), /4403/);
  } finally {
    await graphqlClient.dispose();
  }
});

test('graphql-ws: changes delivers SHARE_GRANTED when an appliance is shared with the subscriber', async () => {
  const applianceId = await claimedAppliance();
  await signIn(recipient);
  const graphqlClient = client({ connectionParams: { Authorization: `Bearer ${recipient.token}` } });
  try {
    const changes = subscribe(graphqlClient, CHANGES);
    await inPlace(changes, recipient);
    await share(applianceId, recipient, 'FAMILY');
    const { changes: change } = await changes.waitFor(
      (data) => data.changes.type === 'SHARE_GRANTED' && data.changes.applianceId === applianceId, 'SHARE_GRANTED');
    assert.equal(typeof change.cursor, 'string');
    assert.ok(change.cursor.length > 0);
  } finally {
    await graphqlClient.dispose();
  }
});
