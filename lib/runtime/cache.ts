/**
 * A reference-counted session cache keyed by a hash of the model bytes: creating a session
 * for bytes already loaded returns the live one, and idle sessions are kept (up to a bound)
 * so that re-materializing a recent configuration costs nothing.
 *
 * @module
 */
import { sha256Hex } from "../util/hash.ts";

interface Entry<S> {
  readonly session: Promise<S>;
  refs: number;
  lastUsed: number;
}

/**
 * Shares and keeps sessions by key.
 *
 * @example
 * ```ts
 * import { SessionCache } from "./cache.ts";
 * let created = 0;
 * const cache = new SessionCache<string>(2, async () => {});
 * const a = await cache.acquire("k", async () => `s${++created}`);
 * const b = await cache.acquire("k", async () => `s${++created}`);
 * console.assert(a === b && created === 1);
 * ```
 */
export class SessionCache<S> {
  readonly #entries = new Map<string, Entry<S>>();
  readonly #capacity: number;
  readonly #dispose: (s: S) => Promise<void>;
  #clock = 0;

  /** Keeps at most `capacity` idle sessions; `dispose` frees an evicted one. */
  constructor(capacity: number, dispose: (s: S) => Promise<void>) {
    this.#capacity = capacity;
    this.#dispose = dispose;
  }

  /** Number of sessions held (busy and idle). */
  get size(): number {
    return this.#entries.size;
  }

  /** The session for `key`, created with `create` when absent. */
  acquire(key: string, create: () => Promise<S>): Promise<S> {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      const session = create();
      const created: Entry<S> = { session, refs: 0, lastUsed: 0 };
      this.#entries.set(key, created);
      // A failed creation must not poison the key.
      session.catch(() => {
        if (this.#entries.get(key) === created) this.#entries.delete(key);
      });
      entry = created;
    }
    entry.refs++;
    entry.lastUsed = ++this.#clock;
    return entry.session;
  }

  /** Gives back one reference to `key`; evicts the least recently used idle sessions. */
  async release(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    entry.refs = Math.max(0, entry.refs - 1);
    const idle = [...this.#entries].filter(([, e]) => e.refs === 0)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [k, e] of idle.slice(0, Math.max(0, idle.length - this.#capacity))) {
      this.#entries.delete(k);
      await this.#dispose(await e.session);
    }
  }

  /** Frees every idle session (busy ones stay until released). */
  async clear(): Promise<void> {
    for (const [k, e] of [...this.#entries]) {
      if (e.refs > 0) continue;
      this.#entries.delete(k);
      await this.#dispose(await e.session);
    }
  }
}

/** Cache key of model bytes: SHA-256, hex. */
export function modelKey(bytes: Uint8Array): Promise<string> {
  return sha256Hex(bytes);
}

/** A session from {@link openCached} and how to give it back. */
export interface CachedHandle<S> {
  readonly session: S;
  release(): Promise<void>;
}

/**
 * Opens a session through `cache` (keyed by the bytes' hash plus `salt`, e.g. the session
 * options) or, with `useCache` false, creates a private one that `release` frees with `dispose`.
 */
export async function openCached<S>(
  cache: SessionCache<S>,
  bytes: Uint8Array,
  useCache: boolean,
  create: () => Promise<S>,
  dispose: (s: S) => Promise<void>,
  salt = "",
): Promise<CachedHandle<S>> {
  if (!useCache) {
    const session = await create();
    return { session, release: () => dispose(session) };
  }
  const key = `${await modelKey(bytes)}:${salt}`;
  const session = await cache.acquire(key, create);
  return { session, release: () => cache.release(key) };
}
