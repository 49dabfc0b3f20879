// Starting and stopping the lab the README's way (`npm start -- ...`), for the tests that look at it.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `npm start -- ARGS` in its own process group; resolves with the URL it prints once the lab is open. */
export function startLab(args: string[], onChild: (c: ChildProcess) => void): Promise<string> {
  const child = spawn('npm', ['start', '--', ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BPTTLAB_NO_BROWSER: '1' },
  });
  onChild(child);
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the lab did not open within 180 s:\n${log}`)), 180_000);
    const onData = (d: Buffer): void => {
      log += d;
      const m = /the lab is open at (http:\/\/127\.0\.0\.1:\d+\/tree\?token=[0-9a-f]+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before the lab opened:\n${log}`));
    });
  });
}

/** Ends the lab's whole process group: SIGTERM (Jupyter shuts down cleanly), then SIGKILL. */
export async function stopLab(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid) return;
  const group = -child.pid;
  const gone = (): boolean => {
    try {
      process.kill(group, 0);
      return false;
    } catch {
      return true;
    }
  };
  try {
    process.kill(group, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 50 && !gone(); i++) await new Promise((r) => setTimeout(r, 200));
  if (!gone()) process.kill(group, 'SIGKILL');
}
