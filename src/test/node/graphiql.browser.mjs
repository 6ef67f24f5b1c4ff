// GraphiQL as a front-end developer meets it: /q/graphql-ui in headless Chromium (Debian's chromium, driven by
// playwright-core), a dev token in the Headers editor, a query, a subscription, and a change made through the API
// arriving on screen. GraphiqlBrowserIT runs it (`node --test graphiql.browser.mjs`; the name keeps it out of
// NodeClientsIT's plain `node --test`). Every wait is Playwright's own, bounded by a timeout.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { chromium, errors } from 'playwright-core';

import { claimedAppliance, data, httpUrl, signIn, users } from './support.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = process.env.APPLIANCE_SYNC_SCREENSHOT ?? '../../../target/graphiql.png';
const UI = httpUrl.replace(/\/graphql$/, '/q/graphql-ui/');
/** What one step may take on a loaded two-core machine: page load, schema introspection, a result on screen. */
const STEP_MS = 30_000;

let browser;
let page;
const started = Date.now();

function log(line) {
  console.log(`${String(Date.now() - started).padStart(6)} ms ${line}`);
}

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: STEP_MS,
    // Chromium's own calls home are refused on a closed network; these keep it from trying.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  page.setDefaultTimeout(STEP_MS);
  // For the report when something fails: the page's errors and what its WebSockets did.
  page.on('console', (message) => {
    if (message.type() === 'error') console.log(`page console: ${message.text()}`);
  });
  page.on('websocket', (socket) => {
    log(`page WebSocket ${socket.url()} opened`);
    socket.on('framesent', (frame) => log(`  sent ${String(frame.payload).replace(/Bearer [^"]+/, 'Bearer ...').slice(0, 120)}`));
    socket.on('framereceived', (frame) => log(`  received ${String(frame.payload).slice(0, 200)}`));
    socket.on('close', () => log(`page WebSocket ${socket.url()} closed`));
  });
});

after(async () => {
  await browser?.close();
});

/**
 * Replaces an editor's text the way a person does: click into it, select all, type (as a paste, so no auto-closed
 * brackets), then waits until GraphiQL has taken the edit in. GraphiQL handles edits debounced (100 ms for the query,
 * more for headers): a query run before that goes out as the previous text, a subscription then even over HTTP. Our
 * GraphiQL page (render.js) writes every handled edit into the address bar (?query=...&headers=...), so that is what
 * this waits for.
 */
async function typeInto(editor, parameter, text) {
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
  await page.waitForFunction(([name, value]) => new URLSearchParams(window.location.search).get(name) === value,
    [parameter, text], { timeout: STEP_MS });
}

/** Waits (bounded) until a line of the result pane contains the text. */
async function shown(text, timeout = STEP_MS) {
  await page.locator('section.result-window .CodeMirror-line', { hasText: text }).first().waitFor({ timeout });
}

test('GraphiQL: dev token in the Headers editor, a query, then a subscription that shows a change', async () => {
  try {
    await queryAndSubscription();
  } catch (error) {
    // What the page showed when it failed, for the report.
    await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-failure.png') }).catch(() => {});
    const pane = await page.locator('section.result-window').innerText({ timeout: 1_000 }).catch((e) => `(${e.message})`);
    throw new Error(`${error.message}\nResult pane:\n${pane}`, { cause: error });
  }
});

async function queryAndSubscription() {
  const owner = users.owner;
  await signIn(owner);
  const applianceId = await claimedAppliance('MINI_OVEN', owner);

  await page.goto(UI);
  const queryEditor = page.locator('.graphiql-query-editor .CodeMirror');
  const execute = page.locator('.graphiql-execute-button');
  await queryEditor.waitFor();

  await page.locator('.graphiql-editor-tools button[data-name="headers"]').click();
  const headersEditor = page.locator('section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden) .CodeMirror');
  await typeInto(headersEditor, 'headers', JSON.stringify({ Authorization: `Bearer ${owner.token}` }));

  await typeInto(queryEditor, 'query', '{ appliances { id name } }');
  await execute.click();
  await shown(`"id": "${applianceId}"`);
  await shown('"name": "Node oven"');

  // GraphiQL passes the Headers editor's JSON as the connection_init payload; the service reads Authorization there.
  await typeInto(queryEditor, 'query', 'subscription { changes { type applianceId data } }');
  await execute.click();
  // The button turns into Stop while the subscription runs; a refused or failed one ends it and shows the error.
  const running = page.locator('.graphiql-execute-button[aria-label^="Stop"]');
  await running.waitFor();

  // Nothing on screen says when the server has registered the subscription, and a change made before that is not
  // delivered: rename, wait a bounded time for that name on screen, and rename again if it did not come.
  const deadline = Date.now() + 60_000;
  let name;
  for (let attempt = 1; ; attempt++) {
    name = `Renamed in the browser ${attempt}`;
    await data(owner.token, 'mutation($a: ID!, $n: String!) { renameAppliance(applianceId: $a, name: $n) { id } }',
      { a: applianceId, n: name });
    log(`attempt ${attempt}: renamed to "${name}"`);
    try {
      await shown(name, 5_000);
      break;
    } catch (error) {
      if (!(error instanceof errors.TimeoutError) || Date.now() > deadline) {
        throw error;
      }
      log(`attempt ${attempt}: the rename did not show within 5 s; renaming again`);
    }
  }
  await shown('"type": "APPLIANCE_RENAMED"');
  await shown(`"applianceId": "${applianceId}"`);
  assert.equal(await running.count(), 1, 'the subscription is still running');

  // The screenshot shows the start of the header (Authorization: Bearer ...), not the end of the token.
  await headersEditor.click();
  await page.keyboard.press('Home');
  await page.screenshot({ path: SCREENSHOT });
}
