// Start and stop example/provider_demo for the browser tests, as
// tests/e2e/demo.py does: --port 0, a fresh SQLite file and credentials file
// in a temporary directory, a bounded wait for the credentials, and a stop
// by SIGTERM that must end with exit status 0.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, existsSync, rmSync, accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const STARTUP_TIMEOUT_MS = 20_000;
export const STOP_TIMEOUT_MS = 10_000;

export function demoBinary() {
  const bin = process.env.PROAUTH2_DEMO_BIN;
  if (!bin) throw new Error('set PROAUTH2_DEMO_BIN to the provider_demo executable');
  const abs = path.resolve(bin);
  accessSync(abs, constants.X_OK);
  return abs;
}

// Our environment without PROAUTH2_DEMO_* (the demo reads its settings from
// such variables; the flags alone decide here).
function childEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PROAUTH2_DEMO_')));
}

function tail(file) {
  try {
    return readFileSync(file, 'utf8').slice(-4000);
  } catch {
    return '';
  }
}

export async function startDemo({ bin = demoBinary(), args = [] } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'proauth2-browser-'));
  const credFile = path.join(dir, 'credentials.json');
  const logFile = path.join(dir, 'demo.log');
  const log = openSync(logFile, 'w');
  const child = spawn(bin, ['--port', '0', '--db', path.join(dir, 'demo.db'),
    '--credentials-file', credFile, ...args], { cwd: dir, stdio: ['ignore', log, log], env: childEnv() });
  closeSync(log);
  let exited = null;
  const exit = new Promise((resolve) => {
    child.on('exit', (code, signal) => { exited = { code, signal }; resolve(exited); });
    child.on('error', (err) => { exited = { code: null, signal: null, err }; resolve(exited); });
  });
  // Never leave the demo behind, whatever happens to this process.
  const killOnExit = () => { if (exited === null) child.kill('SIGKILL'); };
  process.on('exit', killOnExit);

  const cleanup = () => {
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };

  const stop = async () => {
    try {
      if (exited !== null)
        throw new Error(`demo had already exited (${JSON.stringify(exited)}):\n${tail(logFile)}`);
      child.kill('SIGTERM');
      const res = await Promise.race([exit, sleep(STOP_TIMEOUT_MS, undefined, { ref: false }).then(() => null)]);
      if (res === null) {
        child.kill('SIGKILL');
        await Promise.race([exit, sleep(5000, undefined, { ref: false })]);
        throw new Error(`demo did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM:\n${tail(logFile)}`);
      }
      if (res.code !== 0)
        throw new Error(`demo exited with ${JSON.stringify(res)} after SIGTERM (expected 0):\n${tail(logFile)}`);
    } finally {
      cleanup();
    }
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let problem = 'credentials file not written';
  try {
    for (;;) {
      if (exited !== null)
        throw new Error(`demo exited before it was ready (${JSON.stringify(exited)}):\n${tail(logFile)}`);
      if (existsSync(credFile)) {
        try {
          const creds = JSON.parse(readFileSync(credFile, 'utf8'));
          const issuer = new URL(creds.issuer);
          if (issuer.protocol !== 'http:' || issuer.hostname !== '127.0.0.1')
            throw new Error(`issuer ${creds.issuer} is not http://127.0.0.1:<port>`);
          return { creds, stop, child };
        } catch (e) {
          if (e instanceof SyntaxError) problem = `credentials unreadable: ${e.message}`;
          else throw e;
        }
      }
      if (Date.now() >= deadline)
        throw new Error(`demo not ready after ${STARTUP_TIMEOUT_MS} ms (${problem}):\n${tail(logFile)}`);
      await sleep(50);
    }
  } catch (e) {
    if (exited === null) {
      child.kill('SIGKILL');
      await Promise.race([exit, sleep(5000, undefined, { ref: false })]);
    }
    cleanup();
    throw e;
  }
}
