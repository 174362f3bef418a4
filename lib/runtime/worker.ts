/**
 * Entry point of a {@link WorkerPool} worker: holds sessions by id on its own single-threaded
 * ONNX Runtime and answers {@link Request}s. Errors are caught and sent back with their
 * message (and exit code for AdaspringErrors), never thrown into the void.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { AdaspringError } from "../errors.ts";
import { buffersOf, type Loaded, type Reply, type Request } from "./protocol.ts";
import { createSession } from "./session.ts";
import type { Session } from "./types.ts";

const sessions = new Map<number, Session>();
let nextSession = 1;

function reply(r: Reply, transfer: ArrayBuffer[] = []): void {
  self.postMessage(r, { transfer });
}

async function handle(req: Request): Promise<void> {
  switch (req.op) {
    case "load": {
      const s = await createSession(req.bytes, { ...req.options, backend: req.backend });
      const id = nextSession++;
      sessions.set(id, s);
      const result: Loaded = { session: id, inputs: s.inputs, outputs: s.outputs };
      reply({ id: req.id, ok: true, result });
      return;
    }
    case "run": {
      const s = sessions.get(req.session);
      if (s === undefined) throw new AdaspringError(`worker has no session ${req.session}`);
      const out = await s.run(req.feeds, req.fetches);
      reply({ id: req.id, ok: true, result: out }, buffersOf(Object.values(out)));
      return;
    }
    case "release": {
      await sessions.get(req.session)?.release();
      sessions.delete(req.session);
      reply({ id: req.id, ok: true, result: null });
      return;
    }
    case "close": {
      for (const s of sessions.values()) await s.release();
      sessions.clear();
      reply({ id: req.id, ok: true, result: null });
      return;
    }
    case "fault": // test-only: WorkerPool.faultForTesting
      if (req.kind === "throw") throw new Error(req.message);
      if (req.kind === "crash") {
        setTimeout(() => {
          throw new Error(req.message);
        }, 0);
      }
      return; // "crash" and "hang": no reply
  }
}

self.onmessage = (e: MessageEvent<Request>) => {
  const req = e.data;
  handle(req).catch((err: unknown) => {
    const error = err instanceof AdaspringError
      ? { name: err.name, message: err.message, exitCode: err.exitCode }
      : { name: (err as Error)?.name ?? "Error", message: (err as Error)?.message ?? String(err) };
    reply({ id: req.id, ok: false, error });
  });
};
