// The Node.js peer of FanOutBenchmark and IdleConnectionsBenchmark (src/test/java/.../benchmark/NodePeer.java starts
// and stops it): what one Node process does with the same job, written the way a Node team would write it.
//
// One process: graphql-js + graphql-ws 6 + ws, the same shape of `applianceState` (and of `changes`, for the idle
// benchmark's subscriptions) as schema/schema.graphql. Each subscriber has its own source stream and graphql-ws's
// normal subscribe path executes the selection for every subscriber and every event, as graphql-js does. Every
// delivery is checked against an in-memory map user -> appliance -> role at the moment it is offered, and `desired`
// is hidden from roles that may only view the status (GUEST), as the service does. Nothing is stored but each
// appliance's latest state (the first item of a new subscription, like the service's). No token verification: a
// token is looked up in a map the benchmark fills.
//
// Control (HTTP on the same port, JSON; for the benchmark only):
//   POST /control/access   {"tokens": {token: user}, "grants": {user: {applianceId: role}}}  merged into the maps
//   POST /control/publish  an ApplianceState: offered to every subscription that may see it -> {"offered": n}
//   WS   /control/feed     the same, as messages {"id", "state"} -> {"id", "offered"} (what the benchmark uses)
//   GET  /control/cpu      process.cpuUsage() -> {"userMicros", "systemMicros"}
//   GET  /control/memory   process.memoryUsage() after full GCs (node --expose-gc)
//   GET  /control/stats    {"connections", "subscriptions"}
// Prints "LISTENING <port>" once it accepts connections (port 0: any free one; first argument: another). Exits when
// its standard input closes, so it never outlives the JVM that started it.
import http from 'node:http';
import { buildSchema, GraphQLError } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';

const schema = buildSchema(`
  scalar JSON
  scalar Long
  type ApplianceState {
    applianceId: ID!
    desired: JSON
    reported: JSON!
    reportedAt: String
    shadowName: String!
    updatedAt: String!
    version: Long!
  }
  type Change {
    applianceId: ID
    at: String!
    cursor: String!
    data: JSON!
    householdId: ID
    type: String!
  }
  type Query {
    ping: Boolean
  }
  type Subscription {
    applianceState(applianceId: ID): ApplianceState
    changes(after: String): Change
  }
`);

// AWSJSON, as the service and AppSync send it: the value encoded as a JSON string, for every delivery.
schema.getType('JSON').serialize = (value) => (typeof value === 'string' ? value : JSON.stringify(value));

/** Roles that see `desired` (ADJUST_SETTINGS); the others (GUEST) see the reported status only. */
const SETTINGS_ROLES = new Set(['OWNER', 'ADMIN', 'FAMILY']);

const users = new Map(); // token -> user
const grants = new Map(); // user -> Map(applianceId -> role)
const latest = new Map(); // applianceId -> the newest ApplianceState published
const watchers = new Map(); // applianceId -> Set of subscriptions that asked for it
let subscriptions = 0;

/** One subscription's source stream: events pushed by publish(), pulled by graphql-js's subscribe loop. */
class Feed {
  constructor(user, onEnd) {
    this.user = user;
    this.onEnd = onEnd;
    this.queue = [];
    this.waiting = null;
    this.ended = false;
    subscriptions++;
  }

  push(event) {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: event, done: false });
    } else {
      this.queue.push(event);
    }
  }

  next() {
    if (this.queue.length > 0) {
      return Promise.resolve({ value: this.queue.shift(), done: false });
    }
    if (this.ended) {
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve) => { this.waiting = resolve; });
  }

  return() {
    if (!this.ended) {
      this.ended = true;
      subscriptions--;
      this.onEnd();
      this.queue.length = 0;
      if (this.waiting) {
        this.waiting({ value: undefined, done: true });
        this.waiting = null;
      }
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error) {
    this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

function roleOf(user, applianceId) {
  return grants.get(user)?.get(applianceId);
}

/** The access check of one delivery: the state as this subscriber may see it now, or undefined (none of theirs). */
function visible(feed, state) {
  const role = roleOf(feed.user, state.applianceId);
  if (role === undefined) {
    return undefined;
  }
  return SETTINGS_ROLES.has(role) ? state : { ...state, desired: null };
}

function publish(state) {
  latest.set(state.applianceId, state);
  let offered = 0;
  for (const feed of watchers.get(state.applianceId) ?? []) {
    const view = visible(feed, state);
    if (view !== undefined) {
      feed.push(view);
      offered++;
    }
  }
  return offered;
}

const subscription = schema.getSubscriptionType().getFields();
subscription.applianceState.subscribe = (_, { applianceId }, { user }) => {
  const mine = grants.get(user) ?? new Map();
  if (applianceId != null && !mine.has(applianceId)) {
    throw new GraphQLError('Not yours to watch', { extensions: { code: 'FORBIDDEN' } });
  }
  const appliances = applianceId != null ? [applianceId] : [...mine.keys()];
  const feed = new Feed(user, () => appliances.forEach((a) => watchers.get(a)?.delete(feed)));
  for (const a of appliances) {
    let set = watchers.get(a);
    if (set === undefined) {
      set = new Set();
      watchers.set(a, set);
    }
    set.add(feed);
    const current = latest.get(a);
    const view = current && visible(feed, current);
    if (view) {
      feed.push(view);
    }
  }
  return feed;
};
subscription.applianceState.resolve = (view) => view;
// Held, never fed: the idle benchmark's subscriptions only have to exist.
subscription.changes.subscribe = (_, __, { user }) => new Feed(user, () => {});
subscription.changes.resolve = (change) => change;

function userOf(request) {
  const header = request.headers.authorization ?? '';
  return users.get(header.startsWith('Bearer ') ? header.slice('Bearer '.length) : header);
}

async function body(request) {
  const chunks = [];
  for await (const chunk of request) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function fullGc() {
  if (typeof global.gc !== 'function') {
    throw new Error('start the peer with node --expose-gc');
  }
  // Until the heap stops shrinking (at most five), as the Java side does with System.gc().
  let used = Infinity;
  for (let i = 0; i < 5; i++) {
    global.gc();
    const now = process.memoryUsage().heapUsed;
    if (now >= used * 0.99) {
      return;
    }
    used = now;
  }
}

async function control(request, response) {
  const reply = (status, json) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(json));
  };
  try {
    const path = new URL(request.url, 'http://peer').pathname;
    if (request.method === 'POST' && path === '/control/access') {
      const { tokens = {}, grants: granted = {} } = await body(request);
      for (const [token, user] of Object.entries(tokens)) {
        users.set(token, user);
      }
      for (const [user, appliances] of Object.entries(granted)) {
        const mine = grants.get(user) ?? new Map();
        for (const [applianceId, role] of Object.entries(appliances)) {
          if (role === null) {
            mine.delete(applianceId);
          } else {
            mine.set(applianceId, role);
          }
        }
        grants.set(user, mine);
      }
      reply(200, { users: users.size });
    } else if (request.method === 'POST' && path === '/control/publish') {
      reply(200, { offered: publish(await body(request)) });
    } else if (path === '/control/cpu') {
      const { user, system } = process.cpuUsage();
      reply(200, { userMicros: user, systemMicros: system });
    } else if (path === '/control/memory') {
      fullGc();
      reply(200, process.memoryUsage());
    } else if (path === '/control/stats') {
      reply(200, { connections: wss.clients.size, subscriptions });
    } else {
      reply(404, { error: `no ${request.method} ${path}` });
    }
  } catch (error) {
    reply(500, { error: String(error?.stack ?? error) });
  }
}

const server = http.createServer(control);
const wss = new WebSocketServer({ noServer: true });
// The benchmark's feed: one WebSocket, each message {"id", "state"} answered with {"id", "offered"}. Far cheaper per
// state than an HTTP request, which would have added a sixth to the peer's CPU in the fan-out benchmark.
const feed = new WebSocketServer({ noServer: true });
feed.on('connection', (socket) => socket.on('message', (data) => {
  const { id, state } = JSON.parse(data);
  socket.send(JSON.stringify({ id, offered: publish(state) }));
}));
server.on('upgrade', (request, socket, head) => {
  const path = new URL(request.url, 'http://peer').pathname;
  const target = path === '/graphql' ? wss : path === '/control/feed' ? feed : null;
  if (target === null) {
    socket.destroy();
    return;
  }
  target.handleUpgrade(request, socket, head, (ws) => target.emit('connection', ws, request));
});
useServer({
  schema,
  onConnect: (ctx) => {
    const user = userOf(ctx.extra.request);
    if (user === undefined) {
      return false; // 4403 Forbidden
    }
    ctx.extra.user = user;
    return true;
  },
  context: (ctx) => ({ user: ctx.extra.user }),
}, wss);

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`LISTENING ${server.address().port}`);
});
