// The official MCP TypeScript SDK's client against provider_demo's /mcp.
// Run by ../test_mcp_sdk.py, which starts a demo and names it in
// PROAUTH2_E2E_DEMOS ({"default": creds, "shapes": {name: {"creds",
// "shape"} or {"error"}}}, as for oauth4webapi.test.mjs). The client is given the /mcp
// URL and nothing else: it meets the 401, finds the resource's metadata
// and the authorization server's, registers, authorizes with PKCE and
// resource (the test answers the login and consent pages as the user
// would), exchanges the code, calls the tool and refreshes. Every request
// goes to 127.0.0.1; each one the SDK makes is logged, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, discoverOAuthServerInfo } from '@modelcontextprotocol/sdk/client/auth.js';

const TIMEOUT = 10000; // ms, every HTTP request
const demos = JSON.parse(readFileSync(process.env.PROAUTH2_E2E_DEMOS, 'utf8'));
const creds = demos.default;
const MCP = creds.mcp; // the only thing the client is told
// The package's exports do not list package.json: read it from its place.
const version = JSON.parse(readFileSync(new URL(
  './node_modules/@modelcontextprotocol/sdk/package.json', import.meta.url), 'utf8')).version;
console.log(`@modelcontextprotocol/sdk ${version}, node ${process.version}, ${MCP}`);

// -- the SDK's requests, recorded ------------------------------------------
function recorder() {
  const seen = [];
  const fetchFn = async (url, init = {}) => {
    const u = new URL(url);
    const method = init.method || 'GET';
    const entry = { method, url: u.href, path: u.pathname + u.search };
    const body = init.body;
    if (body instanceof URLSearchParams) entry.form = Object.fromEntries(body);
    else if (typeof body === 'string') {
      try { entry.json = JSON.parse(body); } catch { entry.text = body; }
    }
    const h = new Headers(init.headers);
    entry.authorization = h.get('authorization')?.split(' ')[0];
    entry.protocolVersion = h.get('mcp-protocol-version') ?? undefined;
    const r = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(TIMEOUT) });
    entry.status = r.status;
    entry.challenge = r.headers.get('www-authenticate') ?? undefined;
    seen.push(entry);
    return r;
  };
  return { seen, fetchFn };
}

function describe(e) {
  const what = e.json?.method ?? e.form?.grant_type ?? '';
  const pv = e.protocolVersion ? ` [MCP-Protocol-Version ${e.protocolVersion}]` : '';
  const auth = e.authorization ? ` [${e.authorization}]` : '';
  return `${e.method} ${e.path} ${what}${auth}${pv} -> ${e.status}`.replace(/ +/g, ' ');
}

// -- the browser's part: the demo's forms posted, cookies kept -------------
function forms(html) {
  const out = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attr = (s, name) => (s.match(new RegExp(`\\b${name}="([^"]*)"`)) || [])[1];
    const unescape = (s) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    const fields = [];
    const buttons = [];
    for (const f of m[2].matchAll(/<(input|button)\b([^>]*)>/g)) {
      const a = { id: attr(f[2], 'id'), name: attr(f[2], 'name'),
        value: unescape(attr(f[2], 'value') || ''), type: attr(f[2], 'type') || (f[1] === 'button' ? 'submit' : 'text') };
      (a.type === 'submit' ? buttons : fields).push(a);
    }
    out.push({ action: unescape(attr(m[1], 'action') || ''), fields, buttons });
  }
  return out;
}

function submit(html, base, buttonId, fill = {}) {
  const form = forms(html).find((f) => f.buttons.some((b) => b.id === buttonId));
  assert.ok(form, `no form with #${buttonId} in ${html.slice(0, 1000)}`);
  const body = new URLSearchParams();
  for (const f of form.fields) if (f.name) body.append(f.name, fill[f.id] ?? f.value);
  const b = form.buttons.find((x) => x.id === buttonId);
  if (b.name) body.append(b.name, b.value);
  return [new URL(form.action, base), body];
}

async function browserLogin(authorizationUrl, c) {
  const cookies = new Map();
  const go = async (url, init = {}) => {
    const headers = { ...(init.headers || {}) };
    if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const r = await fetch(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT) });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    return r;
  };
  let r = await go(authorizationUrl);
  assert.equal(r.status, 200, `GET ${authorizationUrl}: ${r.status} ${await r.clone().text()}`);
  let [action, body] = submit(await r.text(), authorizationUrl, 'login',
    { username: c.user, password: c.password });
  r = await go(action, { method: 'POST', body });
  assert.equal(r.status, 200, 'login');
  [action, body] = submit(await r.text(), action, 'allow');
  r = await go(action, { method: 'POST', body });
  assert.ok([302, 303].includes(r.status), `consent answered ${r.status}`);
  return new URL(r.headers.get('location'));
}

// -- the OAuthClientProvider: in memory, the user's part done over HTTP ---
class DemoProvider {
  constructor(c, { confidential = false, clientMetadataUrl } = {}) {
    this.c = c;
    this.confidential = confidential;
    this.clientMetadataUrl = clientMetadataUrl;
    this.saved = [];
    this.authorizations = [];
  }

  get redirectUrl() { return this.c.redirect_uri; }

  get clientMetadata() {
    return {
      client_name: 'proauth2 e2e mcp_sdk.test.mjs',
      redirect_uris: [this.c.redirect_uri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: this.confidential ? 'client_secret_basic' : 'none',
    };
  }

  state() { return (this._state = randomBytes(16).toString('base64url')); }
  clientInformation() { return this._client; }
  saveClientInformation(info) { this._client = info; }
  tokens() { return this._tokens; }
  saveTokens(tokens) { this._tokens = tokens; this.saved.push(tokens); }
  saveCodeVerifier(v) { this._verifier = v; }
  codeVerifier() { return this._verifier; }

  // What a browser would do: the user logs in and allows; the code comes
  // back on the redirect, for finishAuth().
  async redirectToAuthorization(url) {
    this.authorizations.push(url);
    const back = await browserLogin(url, this.c);
    console.log(`  (the user) GET ${url.pathname}?${[...url.searchParams.keys()].join('&')}, `
      + `log in, allow -> ${back.pathname}?${[...back.searchParams.keys()].join('&')}`);
    assert.equal(`${back.origin}${back.pathname}`, this.c.redirect_uri);
    assert.equal(back.searchParams.get('state'), this._state, 'state comes back');
    assert.equal(back.searchParams.get('error'), null, back.href);
    this.code = back.searchParams.get('code');
    assert.ok(this.code, back.href);
  }
}

async function connect(provider, fetchFn, mcp) {
  const client = new Client({ name: 'proauth2-e2e', version: '0' });
  const transport = new StreamableHTTPClientTransport(new URL(mcp), { authProvider: provider, fetch: fetchFn });
  await client.connect(transport);
  return { client, transport };
}

async function whoami(client) {
  const r = await client.callTool({ name: 'whoami', arguments: {} });
  assert.notEqual(r.isError, true, JSON.stringify(r));
  assert.equal(r.content[0].type, 'text');
  return JSON.parse(r.content[0].text);
}

function log(seen, from = 0) {
  for (const e of seen.slice(from)) console.log(`  ${describe(e)}`);
}

// The whole flow from the /mcp URL; returns what it saw.
async function fromNothing(provider) {
  const { seen, fetchFn } = recorder();
  const c = provider.c;
  const MCP = c.mcp;

  // 1. Unauthenticated: 401, discovery, registration, authorization (the
  //    provider logs in), then connect() fails as the SDK intends.
  const first = new StreamableHTTPClientTransport(new URL(MCP), { authProvider: provider, fetch: fetchFn });
  const client0 = new Client({ name: 'proauth2-e2e', version: '0' });
  await assert.rejects(client0.connect(first), UnauthorizedError);
  console.log('until the redirect to the authorization endpoint:');
  log(seen);
  const mark = seen.length;

  const init401 = seen[0];
  assert.equal(init401.method, 'POST');
  assert.equal(init401.url, MCP);
  assert.equal(init401.json.method, 'initialize');
  assert.equal(init401.status, 401);
  assert.match(init401.challenge, /resource_metadata="[^"]+"/, 'the 401 names the resource metadata');
  const prmUrl = init401.challenge.match(/resource_metadata="([^"]+)"/)[1];
  const prm = seen.find((e) => e.url === prmUrl);
  assert.ok(prm, `the SDK fetched ${prmUrl}`);
  assert.equal(prm.status, 200);
  const asMeta = seen.find((e) => e.path.startsWith('/.well-known/oauth-authorization-server') ||
    e.path.includes('openid-configuration'));
  assert.ok(asMeta && asMeta.status === 200, 'the authorization server metadata was found');

  assert.equal(provider.authorizations.length, 1);
  const az = provider.authorizations[0];
  assert.equal(az.searchParams.get('resource'), MCP, 'resource at /authorize');
  assert.equal(az.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(az.searchParams.get('code_challenge'));
  assert.equal(az.searchParams.get('client_id'), provider.clientInformation().client_id);

  // 2. finishAuth: the code exchanged, with the verifier and resource.
  await first.finishAuth(provider.code);
  const exchange = seen.slice(mark).find((e) => e.form?.grant_type === 'authorization_code');
  assert.ok(exchange, 'a code exchange');
  assert.equal(exchange.status, 200);
  assert.equal(exchange.form.resource, MCP, 'resource in the exchange');
  assert.ok(exchange.form.code_verifier);
  assert.ok(provider.tokens()?.access_token);
  assert.ok(provider.tokens()?.refresh_token, 'a refresh token');

  // 3. Connected with the token: initialize, initialized, GET (405), the tool.
  const { client, transport } = await connect(provider, fetchFn, MCP);
  const who = await whoami(client);
  assert.equal(who.aud, MCP, "the token's audience is the /mcp resource");
  assert.equal(who.sub, c.user);
  assert.equal(who.client_id, provider.clientInformation().client_id);
  assert.equal(who.scope, 'profile');
  const calls = seen.slice(mark).filter((e) => e.url === MCP && e.status === 200);
  assert.equal(calls[0].json.method, 'initialize');
  assert.equal(calls[0].json.params.protocolVersion, '2025-11-25');
  for (const e of calls.slice(1)) assert.equal(e.protocolVersion, '2025-11-25', describe(e));
  const tools = await client.listTools();
  assert.deepEqual(tools.tools.map((t) => t.name), ['whoami']);

  // 4. Refresh: an access token gone stale is a 401; the SDK refreshes
  //    (resource again) and sends the call once more.
  const before = provider.tokens();
  provider._tokens = { ...before, access_token: 'expired' };
  const markRefresh = seen.length;
  const again = await whoami(client);
  const refresh = seen.slice(markRefresh).find((e) => e.form?.grant_type === 'refresh_token');
  assert.ok(refresh, 'a refresh');
  assert.equal(refresh.status, 200);
  assert.equal(refresh.form.resource, MCP, 'resource in the refresh');
  assert.notEqual(provider.tokens().access_token, before.access_token);
  assert.equal(again.aud, MCP);
  assert.equal(again.sub, c.user);
  console.log('then:');
  log(seen, mark);
  await transport.close();
  return { seen, prm, asMeta };
}

test('dynamic registration of a public client, from the /mcp URL alone', async () => {
  const provider = new DemoProvider(creds);
  const { seen } = await fromNothing(provider);
  const reg = seen.find((e) => e.method === 'POST' && e.json?.redirect_uris);
  assert.ok(reg, 'a registration request');
  assert.equal(reg.status, 201);
  assert.equal(reg.json.scope, 'profile', "the scope from the resource's scopes_supported");
  assert.equal(provider.clientInformation().client_secret, undefined);
  const exchange = seen.find((e) => e.form?.grant_type === 'authorization_code');
  assert.equal(exchange.form.client_id, provider.clientInformation().client_id);
  assert.equal(exchange.authorization, undefined, 'a public client authenticates with none');
});

test('dynamic registration of a confidential client (client_secret_basic)', async () => {
  const provider = new DemoProvider(creds, { confidential: true });
  const { seen } = await fromNothing(provider);
  assert.ok(provider.clientInformation().client_secret, 'a secret was issued');
  const exchange = seen.find((e) => e.form?.grant_type === 'authorization_code');
  assert.equal(exchange.authorization, 'Basic');
  const refresh = seen.find((e) => e.form?.grant_type === 'refresh_token');
  assert.equal(refresh.authorization, 'Basic');
});

test('an unknown token is 401 invalid_token at /mcp', async () => {
  const r = await fetch(MCP, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream',
      authorization: 'Bearer nope' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    signal: AbortSignal.timeout(TIMEOUT),
  });
  assert.equal(r.status, 401);
  assert.match(r.headers.get('www-authenticate'), /error="invalid_token"/);
});

// The same from a demo in each deployment shape: the issuer with a
// trailing slash, with a path (/tenant/mcp, its metadata at
// /.well-known/oauth-protected-resource/tenant/mcp), its endpoints under
// a prefix.
for (const [name, d] of Object.entries(demos.shapes || {})) {
  test(`the same flow, the demo as ${name}`, async () => {
    assert.ok(d.creds, `the ${name} demo did not start: ${d.error}`);
    const provider = new DemoProvider(d.creds);
    console.log(`${name}: ${d.creds.mcp}`);
    await fromNothing(provider);
    if (name === 'jwt-tokens') {
      // RFC 9068: a JWS whose header says at+jwt, for the /mcp audience.
      const [header, claims] = provider.tokens().access_token.split('.').slice(0, 2)
        .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
      assert.equal(header.typ, 'at+jwt');
      assert.equal(header.alg, 'ES256');
      assert.equal(claims.aud, d.creds.mcp);
      assert.equal(claims.iss, d.creds.issuer);
    }
  });
}

// SEP-991: the client_id is an https URL of a document the authorization
// server fetches. The SDK takes that road only when the AS metadata says
// client_id_metadata_document_supported, and only for an https URL with a
// path, which a loopback test must be handed (PROAUTH2_E2E_CIMD_URL).
test('a Client ID Metadata Document instead of registration', async (t) => {
  const info = await discoverOAuthServerInfo(new URL(MCP), { fetchFn: recorder().fetchFn });
  if (info.authorizationServerMetadata?.client_id_metadata_document_supported !== true) {
    t.skip('the authorization server metadata lacks client_id_metadata_document_supported');
    return;
  }
  const url = process.env.PROAUTH2_E2E_CIMD_URL;
  if (!url) {
    t.skip('no https document URL to offer (PROAUTH2_E2E_CIMD_URL)');
    return;
  }
  const provider = new DemoProvider(creds, { clientMetadataUrl: url });
  const { seen } = await fromNothing(provider);
  assert.equal(provider.clientInformation().client_id, url);
  assert.ok(!seen.some((e) => e.method === 'POST' && e.json?.redirect_uris), 'no registration');
});
