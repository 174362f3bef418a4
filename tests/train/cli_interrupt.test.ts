// Ctrl-C of `adaspring train`. In a real subprocess (real SIGINT): a stop after the first
// checkpoint keeps it intact and resumable; a stop before it says there is nothing to resume;
// both exit 130. In-process: a second Ctrl-C exits at once (the first one now stops the run
// within a step, so a subprocess cannot reliably land a second one before it ends).
//
// The subprocess tests need permission to run the deno binary itself: `deno task test` grants
// --allow-run; under a narrower permission set they are skipped.
import assert from "node:assert/strict";
import { interruptedError, withInterrupt } from "../../cli/interrupt.ts";
import { ExitCode } from "../../lib/errors.ts";
import { readCheckpoint } from "../../lib/train/checkpoint.ts";

const deno = Deno.execPath();
const canRun = Deno.permissions.querySync({ name: "run", command: deno }).state === "granted";
const root = new URL("../..", import.meta.url).pathname;

/** `adaspring --out dir train --task mnist --limit 512 ...extra` in a subprocess. */
function spawnTrain(dir: string, extra: string[] = []) {
  const child = new Deno.Command(deno, {
    args: [
      "run",
      "--quiet",
      "--config",
      `${root}deno.json`,
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      "--allow-run=git,lscpu",
      `${root}cli/main.ts`,
      "--out",
      dir,
      "train",
      "--task",
      "mnist",
      "--limit",
      "512",
      "--epochs",
      "3",
      ...extra,
    ],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let err = "";
  const reading = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stderr) err += dec.decode(chunk, { stream: true });
  })();
  return {
    child,
    stderr: () => err,
    /** Waits for the exit; the exit code and all of stderr. */
    async done() {
      const [status] = await Promise.all([child.status, reading, child.stdout.cancel()]);
      return { code: status.code, err };
    },
  };
}

/** Polls `ok` every `ms` until it holds (at most 40 s). */
async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 50) {
  const end = Date.now() + 40_000;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, ms));
  }
}

const exists = async (path: string) => {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
};

Deno.test({
  name: "train: Ctrl-C after epoch 1 exits 130, keeps last.ckpt intact, and --resume completes",
  ignore: !canRun,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const run = spawnTrain(dir);
      await until("last.ckpt", () => exists(`${dir}/last.ckpt`));
      run.child.kill("SIGINT");
      const r = await run.done();
      assert.equal(r.code, ExitCode.interrupted, r.err);
      assert.match(r.err, /interrupted; stopping after this step/);
      assert.ok(r.err.includes(`the last good checkpoint is ${dir}/last.ckpt`), r.err);
      assert.ok(r.err.includes(`--resume ${dir}`), r.err);
      const kept = await readCheckpoint(`${dir}/last.ckpt`); // intact: checksums pass
      assert.ok(kept.epoch >= 1 && kept.epoch < 3, `epoch ${kept.epoch}`);
      const resumed = await spawnTrain(dir, ["--resume", dir]).done();
      assert.equal(resumed.code, ExitCode.ok, resumed.err);
      const report = JSON.parse(await Deno.readTextFile(`${dir}/train.json`));
      assert.equal(report.body.resumedFromEpoch, kept.epoch);
      assert.equal((await readCheckpoint(`${dir}/last.ckpt`)).epoch, 3);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "train: Ctrl-C in epoch 1 exits 130 and says there is no checkpoint to resume",
  ignore: !canRun,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const run = spawnTrain(dir);
      await until("the first step", () => /train: epoch 1\/3 step \d+/.test(run.stderr()));
      run.child.kill("SIGINT");
      const r = await run.done();
      assert.equal(r.code, ExitCode.interrupted, r.err);
      assert.match(r.err, /before its first epoch completed, so no checkpoint was written/);
      assert.match(r.err, /nothing to resume/);
      assert.doesNotMatch(r.err, /last good checkpoint is|--resume/);
      assert.match(r.err, /train: epoch 1\/3 step [1-7]\/8/); // stopped within the epoch
      assert.ok(!(await exists(`${dir}/last.ckpt`)));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("withInterrupt: the first Ctrl-C aborts, a second exits at once with 130", async () => {
  const saved = {
    add: Deno.addSignalListener,
    remove: Deno.removeSignalListener,
    error: console.error,
  };
  const listeners = new Set<() => void>();
  const exits: number[] = [];
  const printed: string[] = [];
  Deno.addSignalListener = (_s, h) => listeners.add(h);
  Deno.removeSignalListener = (_s, h) => listeners.delete(h);
  console.error = (...a: unknown[]) => printed.push(a.join(" "));
  try {
    const sigint = () => listeners.forEach((h) => h());
    await withInterrupt("train", (signal) => {
      sigint();
      assert.ok(signal.aborted, "the first Ctrl-C aborts");
      assert.deepEqual(exits, []);
      sigint();
      assert.deepEqual(exits, [ExitCode.interrupted], "the second exits with 130");
      return Promise.resolve();
    }, (code) => exits.push(code));
    assert.equal(listeners.size, 0, "listener removed");
    assert.match(printed.join("\n"), /press Ctrl-C again to exit at once/);
    assert.match(printed.join("\n"), /interrupted again; exiting now/);
  } finally {
    Deno.addSignalListener = saved.add;
    Deno.removeSignalListener = saved.remove;
    console.error = saved.error;
  }
});

Deno.test("interruptedError: names last.ckpt only when it exists", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const none = await interruptedError("train", dir);
    assert.equal(none.exitCode, ExitCode.interrupted);
    assert.match(none.message, /nothing to resume/);
    await Deno.writeTextFile(`${dir}/last.ckpt`, "x");
    const some = await interruptedError("train-supernet", dir);
    assert.ok(some.message.includes(`the last good checkpoint is ${dir}/last.ckpt`));
    assert.ok(some.message.includes(`adaspring train-supernet command with --resume ${dir}`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
