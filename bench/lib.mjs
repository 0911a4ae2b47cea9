// Helpers shared by the benchmark scripts (bench/run.mjs, bench/relay.mjs, bench/settlement.mjs).
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

/** An integer from the environment within [min, max], or the fallback when unset. */
export function intFromEnv(name, fallback, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name}: expected an integer between ${min} and ${max}, got ${raw}`);
  return value;
}

export function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}

/** A free TCP port on 127.0.0.1: listen on 0, read the port, close. */
export function freePort() {
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.unref();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** VmRSS / VmHWM of a process in MiB, or nulls when /proc is unavailable. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => {
      const match = status.match(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm'));
      return match ? Number(match[1]) / 1024 : null;
    };
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return { rss: null, hwm: null };
  }
}

/** Keeps the last `limit` characters of a stream, for diagnostics. */
export function tail(stream, limit = 8192) {
  const state = { text: '' };
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    state.text = (state.text + chunk).slice(-limit);
  });
  return state;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** The checked-out commit (12 hex digits) of the repository at `root`, read from .git without running git. */
export function gitCommit(root) {
  try {
    const head = readFileSync(join(root, '.git/HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head.slice(0, 12);
    const ref = head.slice(5);
    const loose = join(root, '.git', ref);
    if (existsSync(loose)) return readFileSync(loose, 'utf8').trim().slice(0, 12);
    const packed = readFileSync(join(root, '.git/packed-refs'), 'utf8').split('\n').find((line) => line.endsWith(` ${ref}`));
    return packed ? packed.slice(0, 12) : 'unknown';
  } catch {
    return 'unknown';
  }
}
