// The legacy graphql-ws protocol client (npm subscriptions-transport-ws), still what many Apollo-era apps ship.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import subscriptionsTransportWs from 'subscriptions-transport-ws';
import WebSocket from 'ws';
import {
  CHANGES, HEARTBEAT, Inbox, claimedAppliance, describe, share, signIn, url, users, inPlace } from './support.mjs';

const { SubscriptionClient } = subscriptionsTransportWs;
const recipient = users.legacy;

function connect(user) {
  return new SubscriptionClient(url, {
    connectionParams: { Authorization: `Bearer ${user.token}` },
    reconnect: false,
  }, WebSocket);
}

function subscribe(subscriptionClient, query) {
  const inbox = new Inbox();
  const subscription = subscriptionClient.request({ query }).subscribe({
    next: (result) => (result.errors ? inbox.fail(new Error(JSON.stringify(result.errors))) : inbox.push(result.data)),
    error: (error) => inbox.fail(new Error(describe(error))),
    complete: () => inbox.fail(new Error('completed by the server')),
  });
  inbox.dispose = () => subscription.unsubscribe();
  return inbox;
}

test('subscriptions-transport-ws: a token in connectionParams authenticates: heartbeats carry the username', async () => {
  const subscriptionClient = connect(recipient);
  try {
    const beats = subscribe(subscriptionClient, HEARTBEAT);
    await beats.waitFor((data) => data.heartbeat.sequence === 2, 'a second heartbeat');
    assert.deepEqual(beats.items.slice(0, 2).map((data) => data.heartbeat), [
      { sequence: 1, username: recipient.username },
      { sequence: 2, username: recipient.username },
    ]);
  } finally {
    subscriptionClient.close();
  }
});

test('subscriptions-transport-ws: changes delivers SHARE_GRANTED when an appliance is shared with the subscriber', async () => {
  const applianceId = await claimedAppliance();
  await signIn(recipient);
  const subscriptionClient = connect(recipient);
  try {
    const changes = subscribe(subscriptionClient, CHANGES);
    await inPlace(changes, recipient);
    await share(applianceId, recipient, 'FAMILY');
    const { changes: change } = await changes.waitFor(
      (data) => data.changes.type === 'SHARE_GRANTED' && data.changes.applianceId === applianceId, 'SHARE_GRANTED');
    assert.equal(typeof change.cursor, 'string');
    assert.ok(change.cursor.length > 0);
  } finally {
    subscriptionClient.close();
  }
});
