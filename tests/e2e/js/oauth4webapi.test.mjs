// oauth4webapi (panva's strict OAuth 2 client) against provider_demo.
// Run by ../test_oauth4webapi.py, which starts the demos and names them in
// PROAUTH2_E2E_DEMOS (a JSON file: {"default": creds, "shapes": {name:
// {"creds", "shape"} or {"error"}}}). Every request goes to 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as oauth from 'oauth4webapi';
import * as jose from 'jose';
import { createServer } from 'node:http';

const TIMEOUT = 10000; // ms, every HTTP request
const demos = JSON.parse(readFileSync(process.env.PROAUTH2_E2E_DEMOS, 'utf8'));
const creds = demos.default;
// Plain http on loopback: oauth4webapi refuses it unless told.
const opts = () => ({ [oauth.allowInsecureRequests]: true, signal: AbortSignal.timeout(TIMEOUT) });
const version = createRequire(import.meta.url)('oauth4webapi/package.json').version;
console.log(`oauth4webapi ${version}, node ${process.version}`);

async function discover(issuerUrl) {
  const issuer = new URL(issuerUrl);
  const r = await oauth.discoveryRequest(issuer, { ...opts(), algorithm: 'oauth2' });
  return oauth.processDiscoveryResponse(issuer, r);
}

const confidential = { client_id: creds.confidential.client_id };
const basic = oauth.ClientSecretBasic(creds.confidential.client_secret);
const post = oauth.ClientSecretPost(creds.confidential.client_secret);
const pub = { client_id: creds.public.client_id };

function resourceServer() {
  assert.ok(creds.resource_server,
    `no resource_server in the demo's credentials: ${Object.keys(creds).sort()}`);
  return [{ client_id: creds.resource_server.client_id },
    oauth.ClientSecretBasic(creds.resource_server.client_secret)];
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

class Browser {
  cookies = new Map();
  async fetch(url, init = {}) {
    const headers = { ...(init.headers || {}) };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const r = await fetch(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT) });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    return r;
  }
}

// Log in and allow at the authorization URL; the redirect back (a URL).
async function browserLogin(authorizationUrl, user = creds, b = new Browser()) {
  let r = await b.fetch(authorizationUrl);
  assert.equal(r.status, 200);
  let [action, body] = submit(await r.text(), authorizationUrl, 'login',
    { username: user.user, password: user.password });
  r = await b.fetch(action, { method: 'POST', body });
  assert.equal(r.status, 200);
  [action, body] = submit(await r.text(), action, 'allow');
  r = await b.fetch(action, { method: 'POST', body });
  assert.ok([302, 303].includes(r.status), `consent answered ${r.status}`);
  return new URL(r.headers.get('location'));
}

async function codeFlow(as) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: pub.client_id, redirect_uri: creds.redirect_uri,
    scope: 'profile email api', state, code_challenge_method: 'S256',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
  }).toString();
  const back = await browserLogin(url);
  // Checks state and, since the metadata says it is sent, iss.
  const params = oauth.validateAuthResponse(as, pub, back, state);
  const r = await oauth.authorizationCodeGrantRequest(as, pub, oauth.None(), params,
    creds.redirect_uri, verifier, opts());
  return oauth.processAuthorizationCodeResponse(as, pub, r);
}

async function me(token) {
  return fetch(`${creds.issuer.replace(/\/$/, '')}/api/me`, {
    headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(TIMEOUT) });
}

async function introspect(as, client, auth, token) {
  const r = await oauth.introspectionRequest(as, client, auth, token, opts());
  return oauth.processIntrospectionResponse(as, client, r);
}

// A 401 with WWW-Authenticate is a challenge to oauth4webapi: the error
// must then be in the challenge (RFC 6750 §3 style), not only in the body.
async function expectOAuthError(promise, error, status) {
  await assert.rejects(promise, (e) => {
    if (e instanceof oauth.WWWAuthenticateChallengeError) {
      assert.ok(e.cause.some((c) => c.parameters.error === error),
        `${error} in WWW-Authenticate: ${JSON.stringify(e.cause)}`);
    } else {
      assert.ok(e instanceof oauth.ResponseBodyError, `${e}`);
      assert.equal(e.error, error);
    }
    if (status) assert.equal(e.status, status, `HTTP status of ${error}`);
    return true;
  });
}

test('discovery', async () => {
  const as = await discover(creds.issuer);
  assert.equal(as.token_endpoint, `${creds.issuer}/token`);
  assert.ok(as.code_challenge_methods_supported.includes('S256'));
});

test('client_credentials with client_secret_basic and client_secret_post', async () => {
  const as = await discover(creds.issuer);
  for (const auth of [basic, post]) {
    const r = await oauth.clientCredentialsGrantRequest(as, confidential, auth,
      new URLSearchParams({ scope: 'api' }), opts());
    const t = await oauth.processClientCredentialsResponse(as, confidential, r);
    assert.equal(t.token_type, 'bearer'); // oauth4webapi lowercases it
    assert.equal(t.scope, 'api');
    assert.equal(t.refresh_token, undefined);
    assert.equal((await introspect(as, confidential, basic, t.access_token)).active, true);
  }
});

for (const [name, auth] of [['client_secret_basic', oauth.ClientSecretBasic('wrong')],
  ['client_secret_post', oauth.ClientSecretPost('wrong')]]) {
  test(`a wrong secret with ${name} is 401 invalid_client`, async () => {
    const as = await discover(creds.issuer);
    const r = await oauth.clientCredentialsGrantRequest(as, confidential, auth,
      new URLSearchParams({ scope: 'api' }), opts());
    await expectOAuthError(oauth.processClientCredentialsResponse(as, confidential, r),
      'invalid_client', 401);
  });
}

test('code flow with PKCE, refresh with rotation, reuse revokes the grant', async () => {
  const as = await discover(creds.issuer);
  const t = await codeFlow(as);
  assert.equal(t.scope, 'profile email api');
  let r = await me(t.access_token);
  assert.equal(r.status, 200);
  assert.equal((await r.json()).sub, creds.user);
  r = await oauth.refreshTokenGrantRequest(as, pub, oauth.None(), t.refresh_token, opts());
  const n = await oauth.processRefreshTokenResponse(as, pub, r);
  assert.notEqual(n.refresh_token, t.refresh_token);
  assert.notEqual(n.access_token, t.access_token);
  assert.equal((await me(n.access_token)).status, 200);
  r = await oauth.refreshTokenGrantRequest(as, pub, oauth.None(), t.refresh_token, opts());
  await expectOAuthError(oauth.processRefreshTokenResponse(as, pub, r), 'invalid_grant', 400);
  assert.equal((await me(n.access_token)).status, 401);
});

test('revocation and introspection by the public client', async () => {
  const as = await discover(creds.issuer);
  const t = await codeFlow(as);
  assert.equal((await introspect(as, pub, oauth.None(), t.access_token)).active, true);
  const r = await oauth.revocationRequest(as, pub, oauth.None(), t.access_token, opts());
  await oauth.processRevocationResponse(r);
  assert.equal((await me(t.access_token)).status, 401);
  assert.equal((await introspect(as, pub, oauth.None(), t.access_token)).active, false);
});

test('the demo API (a resource server) introspects a user\'s token', async () => {
  const as = await discover(creds.issuer);
  const t = await codeFlow(as);
  // Another client sees nothing.
  assert.deepEqual(await introspect(as, confidential, basic, t.access_token), { active: false });
  const [rs, rsAuth] = resourceServer();
  const info = await introspect(as, rs, rsAuth, t.access_token);
  assert.equal(info.active, true);
  assert.equal(info.sub, creds.user);
  assert.equal(info.client_id, pub.client_id);
});

async function register(as, method) {
  const r = await oauth.dynamicClientRegistrationRequest(as, {
    redirect_uris: ['http://127.0.0.1:9000/cb'], grant_types: ['client_credentials'],
    scope: 'api', token_endpoint_auth_method: method }, opts());
  const reg = await oauth.processDynamicClientRegistrationResponse(r);
  const back = await fetch(reg.registration_client_uri, {
    headers: { authorization: `Bearer ${reg.registration_access_token}` },
    signal: AbortSignal.timeout(TIMEOUT) });
  assert.equal(back.status, 200);
  return [reg, await back.json()];
}

test('dynamic registration, read back (RFC 7592), the client used', async () => {
  const as = await discover(creds.issuer);
  const [reg, back] = await register(as, 'client_secret_basic');
  assert.equal(back.client_id, reg.client_id);
  assert.equal(back.client_secret, undefined);
  const client = { client_id: reg.client_id };
  const r = await oauth.clientCredentialsGrantRequest(as, client,
    oauth.ClientSecretBasic(reg.client_secret), new URLSearchParams({ scope: 'api' }), opts());
  assert.equal((await oauth.processClientCredentialsResponse(as, client, r)).scope, 'api');
});

test('registered with client_secret_post: reflected and honoured', async () => {
  const as = await discover(creds.issuer);
  const [reg, back] = await register(as, 'client_secret_post');
  assert.equal(reg.token_endpoint_auth_method, 'client_secret_post');
  assert.equal(back.token_endpoint_auth_method, 'client_secret_post');
  const client = { client_id: reg.client_id };
  let r = await oauth.clientCredentialsGrantRequest(as, client,
    oauth.ClientSecretPost(reg.client_secret), new URLSearchParams({ scope: 'api' }), opts());
  assert.equal((await oauth.processClientCredentialsResponse(as, client, r)).scope, 'api');
  r = await oauth.clientCredentialsGrantRequest(as, client,
    oauth.ClientSecretBasic(reg.client_secret), new URLSearchParams({ scope: 'api' }), opts());
  await expectOAuthError(oauth.processClientCredentialsResponse(as, client, r), 'invalid_client');
});

for (const name of ['trailing-slash', 'path-issuer', 'prefix-mount']) {
  test(`deployment shape ${name}: discovery and a token`, async () => {
    const d = demos.shapes[name];
    assert.ok(!d.error, `the demo did not start: ${d.error}`);
    const as = await discover(d.shape.issuer);
    assert.equal(as.token_endpoint, `${d.shape.base}/token`);
    const client = { client_id: d.creds.confidential.client_id };
    const auth = oauth.ClientSecretBasic(d.creds.confidential.client_secret);
    const r = await oauth.clientCredentialsGrantRequest(as, client, auth,
      new URLSearchParams({ scope: 'api' }), opts());
    const t = await oauth.processClientCredentialsResponse(as, client, r);
    assert.equal(t.scope, 'api');
    assert.equal((await introspect(as, client, auth, t.access_token)).active, true);
  });
}

// -- OpenID Connect: the demo with --openid on, oauth4webapi as the RP ------
test('OpenID Connect: id_token signature and claims, UserInfo, refresh', async () => {
  const op = demos.openid;
  const issuer = new URL(op.issuer);
  const as = await oauth.processDiscoveryResponse(issuer,
    await oauth.discoveryRequest(issuer, { ...opts(), algorithm: 'oidc' }));
  assert.ok(as.id_token_signing_alg_values_supported.includes('RS256'));
  const client = { client_id: op.confidential.client_id };
  const auth = oauth.ClientSecretBasic(op.confidential.client_secret);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: client.client_id, redirect_uri: op.redirect_uri,
    scope: 'openid profile email', state, nonce, max_age: '600',
    code_challenge_method: 'S256', code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
  }).toString();
  const params = oauth.validateAuthResponse(as, client, await browserLogin(url, op), state);
  let r = await oauth.authorizationCodeGrantRequest(as, client, auth, params,
    op.redirect_uri, verifier, opts());
  // iss, aud, exp, iat, nonce, auth_time within max_age: oauth4webapi's.
  const t = await oauth.processAuthorizationCodeResponse(as, client, r,
    { expectedNonce: nonce, maxAge: 600, requireIdToken: true });
  // The signature, by the key the JWKS names (the response is the ref).
  await oauth.validateApplicationLevelSignature(as, r, opts());
  const claims = oauth.getValidatedIdTokenClaims(t);
  assert.equal(claims.sub, op.user);
  assert.equal(claims.nonce, nonce);
  assert.deepEqual(claims.amr, ['pwd']);
  r = await oauth.userInfoRequest(as, client, t.access_token, opts());
  const info = await oauth.processUserInfoResponse(as, client, claims.sub, r);
  assert.equal(info.email, `${op.user}@example.com`);
  // A refreshed id_token: the same subject and login.
  r = await oauth.refreshTokenGrantRequest(as, client, auth, t.refresh_token, opts());
  const n = await oauth.processRefreshTokenResponse(as, client, r);
  await oauth.validateApplicationLevelSignature(as, r, opts());
  const again = oauth.getValidatedIdTokenClaims(n);
  assert.equal(again.sub, claims.sub);
  assert.equal(again.auth_time, claims.auth_time);
  assert.equal(again.nonce, undefined);
  // UserInfo for another subject than the token's is refused by the RP.
  r = await oauth.userInfoRequest(as, client, n.access_token, opts());
  await assert.rejects(oauth.processUserInfoResponse(as, client, 'someone-else', r));
});

// -- OpenID Connect logout: RP-Initiated, then the logout token -------------
test('OpenID Connect logout: end session, back-channel logout token (jose)', async () => {
  const op = demos.openid;
  const issuer = new URL(op.issuer);
  const as = await oauth.processDiscoveryResponse(issuer,
    await oauth.discoveryRequest(issuer, { ...opts(), algorithm: 'oidc' }));
  assert.equal(as.backchannel_logout_supported, true);
  // The client's back-channel endpoint: a server that keeps what it gets.
  const received = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      received.push({ type: req.headers['content-type'], body });
      res.writeHead(200, { 'cache-control': 'no-store' }).end();
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  try {
    const backchannel = `http://127.0.0.1:${server.address().port}/logout`;
    const afterLogout = 'http://127.0.0.1:9/bye';
    let r = await oauth.dynamicClientRegistrationRequest(as, {
      redirect_uris: [op.redirect_uri], scope: 'openid',
      grant_types: ['authorization_code', 'refresh_token'],
      post_logout_redirect_uris: [afterLogout], backchannel_logout_uri: backchannel,
      backchannel_logout_session_required: true,
    }, opts());
    const reg = await oauth.processDynamicClientRegistrationResponse(r);
    const client = { client_id: reg.client_id };
    const auth = oauth.ClientSecretBasic(reg.client_secret);
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code', client_id: client.client_id, redirect_uri: op.redirect_uri,
      scope: 'openid', state, code_challenge_method: 'S256',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    }).toString();
    const browser = new Browser();
    const params = oauth.validateAuthResponse(as, client,
      await browserLogin(url, op, browser), state);
    r = await oauth.authorizationCodeGrantRequest(as, client, auth, params,
      op.redirect_uri, verifier, opts());
    const t = await oauth.processAuthorizationCodeResponse(as, client, r,
      { requireIdToken: true });
    const idClaims = oauth.getValidatedIdTokenClaims(t);
    // RP-Initiated Logout: the confirmation page, signed out, back with state.
    const end = new URL(as.end_session_endpoint);
    end.search = new URLSearchParams({ id_token_hint: t.id_token,
      post_logout_redirect_uri: afterLogout, state: 'bye-1' }).toString();
    r = await browser.fetch(end);
    assert.equal(r.status, 200);
    assert.equal(received.length, 0);
    const [action, body] = submit(await r.text(), end, 'sign-out');
    r = await browser.fetch(action, { method: 'POST', body });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), `${afterLogout}?state=bye-1`);
    // The logout token, as a strict JOSE library checks it (§2.6).
    assert.equal(received.length, 1);
    assert.match(received[0].type, /^application\/x-www-form-urlencoded/);
    const token = new URLSearchParams(received[0].body).get('logout_token');
    const { payload, protectedHeader } = await jose.jwtVerify(token,
      jose.createRemoteJWKSet(new URL(as.jwks_uri)), {
        issuer: as.issuer, audience: client.client_id, typ: 'logout+jwt',
        algorithms: ['RS256'], requiredClaims: ['iat', 'exp', 'jti', 'events', 'sid'],
      });
    assert.equal(protectedHeader.typ, 'logout+jwt');
    assert.deepEqual(payload.events,
      { 'http://schemas.openid.net/event/backchannel-logout': {} });
    assert.equal(payload.sub, idClaims.sub);
    assert.equal(payload.sid, idClaims.sid);
    assert.equal(payload.nonce, undefined);
    // The session's refresh token died with it.
    assert.ok(t.refresh_token);
    r = await oauth.refreshTokenGrantRequest(as, client, auth, t.refresh_token, opts());
    await assert.rejects(oauth.processRefreshTokenResponse(as, client, r),
      (e) => e.error === 'invalid_grant');
  } finally {
    server.close();
  }
});
