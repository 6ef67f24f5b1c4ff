// What the client tests share: the service's address and users (passed in by NodeClientsIT), bounded waits, and
// GraphQL over HTTP with Node's own fetch, the way a Node back end or script would call the service.
import assert from 'node:assert/strict';

function required(name) {
  const value = process.env[name];
  assert.ok(value, `${name} must be set (NodeClientsIT sets it; see src/test/node/README.md)`);
  return value;
}

/** ws://host:port/graphql */
export const url = required('APPLIANCE_SYNC_URL');
/** http://host:port/graphql, for queries and mutations */
export const httpUrl = url.replace(/^ws/, 'http');
/** { name: { username, email, token } }: operator (group admin), owner, and one recipient per client test file */
export const users = JSON.parse(required('APPLIANCE_SYNC_USERS'));
/** Every wait in these tests is bounded by this. */
export const WAIT_MS = 10_000;

/** The promise's value, or a rejection naming what did not happen within ms. */
export function within(promise, what, ms = WAIT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * What a subscription delivered, in order. waitFor resolves with the first item, already received or still to come,
 * that matches; it rejects at once when the subscription fails, and after WAIT_MS when nothing matches.
 */
export class Inbox {
  items = [];
  #waiters = [];
  #failure;

  push(item) {
    this.items.push(item);
    for (const waiter of [...this.#waiters]) {
      if (waiter.matches(item)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(item);
      }
    }
  }

  fail(error) {
    this.#failure = error instanceof Error ? error : new Error(describe(error));
    for (const waiter of this.#waiters.splice(0)) {
      waiter.reject(this.#failure);
    }
  }

  waitFor(matches, what, ms = WAIT_MS) {
    const found = this.items.find(matches);
    if (found !== undefined) {
      return Promise.resolve(found);
    }
    if (this.#failure) {
      return Promise.reject(this.#failure);
    }
    return within(new Promise((resolve, reject) => this.#waiters.push({ matches, resolve, reject })),
      `${what} (received so far: ${JSON.stringify(this.items)})`, ms);
  }
}

/** A close event, an error list or an Error, as text a failing assertion can show. */
export function describe(error) {
  if (error instanceof Error) return error.stack ?? error.message;
  if (error && typeof error.code === 'number') return `closed with ${error.code} ${error.reason ?? ''}`;
  return JSON.stringify(error);
}

export async function graphql(token, query, variables = {}) {
  const response = await within(fetch(httpUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  }), `POST ${query}`);
  assert.equal(response.status, 200, `HTTP ${response.status} for ${query}`);
  return response.json();
}

/** The data of a request that must succeed. */
export async function data(token, query, variables = {}) {
  const body = await graphql(token, query, variables);
  assert.equal(body.errors, undefined, `${query} failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** An appliance provisioned by the operator and claimed by the owner (or another user); returns its id. */
export async function claimedAppliance(type = 'MINI_OVEN', owner = users.owner) {
  const serialNumber = `SN-node-${crypto.randomUUID().slice(0, 13)}`;
  const claimCode = `code-${crypto.randomUUID().slice(0, 8)}`;
  await data(users.operator.token, `mutation($s: String!, $t: ApplianceType!, $c: String!) {
      provisionAppliance(serialNumber: $s, type: $t, claimCode: $c) { id } }`, { s: serialNumber, t: type, c: claimCode });
  const claimed = await data(owner.token, `mutation($s: String!, $c: String!) {
      claimAppliance(serialNumber: $s, claimCode: $c, name: "Node oven") { id } }`, { s: serialNumber, c: claimCode });
  return claimed.claimAppliance.id;
}

/** Signs the user in (the first authenticated call creates the account), so a share to them is a share. */
export async function signIn(user) {
  return (await data(user.token, '{ me { id } }')).me.id;
}

export async function share(applianceId, recipient, role = 'FAMILY') {
  const result = await data(users.owner.token, `mutation($a: ID!, $e: String!, $r: Role!) {
      shareAppliance(applianceId: $a, recipientEmail: $e, role: $r) { share { id } invitation { id } } }`,
  { a: applianceId, e: recipient.email, r: role });
  assert.ok(result.shareAppliance.share?.id, `a share, not an invitation: ${JSON.stringify(result)}`);
  return result.shareAppliance.share.id;
}

/**
 * Resolves once `changes` (an Inbox of the changes subscription) is in place: the user claims an appliance of their
 * own and the stream delivers that. Anything committed after it is delivered too (delivery follows the log's order).
 */
export async function inPlace(changes, user) {
  const marker = await claimedAppliance('GENERIC', user);
  await changes.waitFor((data) => data.changes.applianceId === marker, 'the subscription to be in place');
}

export const HEARTBEAT = 'subscription { heartbeat(everySeconds: 1) { sequence username } }';
export const CHANGES = 'subscription { changes { cursor type applianceId data } }';
