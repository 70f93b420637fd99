// A real browser through the demo's login and consent pages:
// Debian's chromium driven by playwright-core, PKCE from node:crypto, the
// code exchanged with fetch(). Run: PROAUTH2_DEMO_BIN=... node --test login.test.mjs
// (from tests/browser, after install.sh; run.sh skips when a tool is missing).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

import { startDemo } from './demo.mjs';

const CHROMIUM = process.env.PROAUTH2_CHROMIUM || '/usr/bin/chromium';
const STEP_MS = 10_000;     // any one page action or request
const TEST_MS = 25_000;     // one test
const WHOLE_MS = 55_000;    // the whole file, however it goes

// Hard bound: exit (which kills the demo, see demo.mjs, and playwright's
// chromium) if anything hangs past every other timeout.
setTimeout(() => {
  console.error(`login.test.mjs: still running after ${WHOLE_MS} ms, giving up`);
  process.exit(1);
}, WHOLE_MS).unref();

let demo;
let browser;
let creds;

function base64url(buf) {
  return Buffer.from(buf).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function pkce() {
  const verifier = base64url(crypto.randomBytes(32));
  const challenge = base64url(crypto.createHash('sha256').update(verifier).digest());
  return { verifier, challenge };
}

function authorizeUrl(challenge, state, scope = 'profile email api') {
  const u = new URL('/authorize', creds.issuer);
  u.search = new URLSearchParams({
    response_type: 'code',
    client_id: creds.public.client_id,
    redirect_uri: creds.redirect_uri,
    scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  return u.href;
}

async function post(path, form) {
  return fetch(new URL(path, creds.issuer), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(STEP_MS),
  });
}

function isCallback(url) {
  return url.href.startsWith(creds.redirect_uri + '?');
}

async function withPage(fn) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    page.setDefaultNavigationTimeout(STEP_MS);
    return await fn(page);
  } finally {
    await Promise.race([context.close(), sleep(5000, undefined, { ref: false })]);
  }
}

async function login(page, url) {
  const res = await page.goto(url);
  assert.equal(res.status(), 200, 'authorize page');
  await page.fill('#username', creds.user);
  await page.fill('#password', creds.password);
  await page.click('#login');
  await page.waitForSelector('#allow');
  await page.waitForSelector('#deny');
}

before(async () => {
  demo = await startDemo();
  creds = demo.creds;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 15_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-proxy-server'],
  });
});

after(async () => {
  const errors = [];
  if (browser) {
    const closed = await Promise.race([browser.close().then(() => true, () => false), sleep(10_000, undefined, { ref: false }).then(() => false)]);
    if (!closed) errors.push(new Error('chromium did not close within 10 s'));
  }
  if (demo) {
    try {
      await demo.stop();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length) throw errors[0];
});

test('log in, consent, and exchange the code with PKCE', { timeout: TEST_MS }, async () => {
  const { verifier, challenge } = pkce();
  const state = base64url(crypto.randomBytes(16));
  const callback = await withPage(async (page) => {
    await login(page, authorizeUrl(challenge, state));
    await Promise.all([page.waitForURL(isCallback), page.click('#allow')]);
    const u = new URL(page.url());
    const code = u.searchParams.get('code');
    assert.ok(code, `no code in ${u.href}`);
    // The demo's /callback page shows the code.
    assert.ok((await page.content()).includes(code), 'callback page does not show the code');
    return u;
  });
  assert.equal(callback.origin + callback.pathname, creds.redirect_uri);
  assert.equal(callback.searchParams.get('state'), state);
  assert.equal(callback.searchParams.get('iss'), creds.issuer);
  assert.equal(callback.searchParams.get('error'), null);

  const res = await post('/token', {
    grant_type: 'authorization_code',
    code: callback.searchParams.get('code'),
    redirect_uri: creds.redirect_uri,
    client_id: creds.public.client_id,
    code_verifier: verifier,
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.match(res.headers.get('cache-control') || '', /no-store/);
  const tok = JSON.parse(text);
  assert.ok(tok.access_token, text);
  assert.ok(tok.refresh_token, text);
  assert.equal(tok.token_type, 'Bearer');
  assert.deepEqual(tok.scope.split(' ').sort(), ['api', 'email', 'profile']);

  const me = await fetch(new URL('/api/me', creds.issuer), {
    headers: { Authorization: `Bearer ${tok.access_token}` },
    signal: AbortSignal.timeout(STEP_MS),
  });
  const meText = await me.text();
  assert.equal(me.status, 200, meText);
  const who = JSON.parse(meText);
  assert.equal(who.sub, creds.user);
  assert.equal(who.client_id, creds.public.client_id);
  assert.ok(who.scope.split(' ').includes('profile'), meText);

  // The same code again: refused.
  const replay = await post('/token', {
    grant_type: 'authorization_code',
    code: callback.searchParams.get('code'),
    redirect_uri: creds.redirect_uri,
    client_id: creds.public.client_id,
    code_verifier: verifier,
  });
  assert.equal(replay.status, 400);
  assert.equal((await replay.json()).error, 'invalid_grant');
});

test('deny sends the user back with access_denied', { timeout: TEST_MS }, async () => {
  const { challenge } = pkce();
  const state = base64url(crypto.randomBytes(16));
  const callback = await withPage(async (page) => {
    await login(page, authorizeUrl(challenge, state));
    await Promise.all([page.waitForURL(isCallback), page.click('#deny')]);
    return new URL(page.url());
  });
  assert.equal(callback.searchParams.get('error'), 'access_denied');
  assert.equal(callback.searchParams.get('state'), state);
  assert.equal(callback.searchParams.get('code'), null);
});

// OAuth 2.0 Form Post Response Mode: the provider's page posts the answer
// to the redirect URI by itself, its CSP allowing that script and no more.
test('response_mode=form_post posts the code to the redirect URI', { timeout: TEST_MS }, async () => {
  const { verifier, challenge } = pkce();
  const state = base64url(crypto.randomBytes(16));
  const posted = await withPage(async (page) => {
    const violations = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    await login(page, authorizeUrl(challenge, state) + '&response_mode=form_post');
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.url() === creds.redirect_uri),
      page.click('#allow'),
    ]);
    await page.waitForURL((u) => u.href === creds.redirect_uri);
    const form = new URLSearchParams(request.postData() || '');
    assert.ok(form.get('code'), `no code posted: ${request.postData()}`);
    assert.ok((await page.content()).includes(form.get('code')), 'callback page does not show the code');
    assert.deepEqual(violations, []);
    return form;
  });
  assert.equal(posted.get('state'), state);
  assert.equal(posted.get('iss'), creds.issuer);
  const res = await post('/token', {
    grant_type: 'authorization_code',
    code: posted.get('code'),
    redirect_uri: creds.redirect_uri,
    client_id: creds.public.client_id,
    code_verifier: verifier,
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
});
