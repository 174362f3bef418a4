/** The supernet through ONNX Runtime: BN calibration, float and int8 exports (web, native). */
import assert from "node:assert/strict";
import { evaluate } from "../../lib/onnx/reference/mod.ts";
import { nativeAvailable } from "../../lib/runtime/native.ts";
import { calibrateBn, clearBnCache } from "../../lib/supernet/bn_calibration.ts";
import { checkInRuntime, exportSubnet } from "../../lib/supernet/export.ts";
import { materialize } from "../../lib/supernet/materialize.ts";
import { parseConfigId } from "../../lib/supernet/mod.ts";
import { planConvs } from "../../lib/supernet/derive.ts";
import { BN_EPSILON } from "../../lib/supernet/weights.ts";
import { maxAbsDiff, mnistSpace, perturbedStore, randomInput } from "./store_fixtures.ts";

const space = await mnistSpace();
const store = perturbedStore(space, 12);
const ID = "b0:conv-w.75|b1:fire|b2:dw-w.5|b3:lr.5|b4:lr.25-w.5";
const config = parseConfigId(space, ID);
const tiny = randomInput(4, 21);
const data = { x: tiny.data, inputShape: [1, 28, 28], key: "tiny" };

Deno.test("BN recalibration on ORT-web matches a direct computation on a tiny batch", async () => {
  clearBnCache();
  const r = await calibrateBn(store, space, config, data, { samples: 4 });
  assert.equal(r.cached, null);
  assert.equal(r.samples, 4);
  // Direct: the stem conv output's per-channel mean/variance, from the float64 reference.
  const m = materialize(store, space, config, {
    inputShape: [1, 28, 28],
    bnStats: r.stats,
    lowRank: r.lowRank,
  });
  const plan = m.plan;
  // With the measured statistics folded in, every pre-ReLU conv output on the same batch must
  // have per-channel batch mean beta and variance gamma^2 v / (v + eps).
  const names = planConvs(plan).filter((c) => c.bn !== null).map((c) => c.name);
  const out = evaluate(m.model.graph, { input: tiny }, { outputs: names });
  let checked = 0;
  for (const c of planConvs(plan)) {
    if (c.bn === null) continue;
    const y = out[c.name], [n, ch] = y.shape, per = y.data.length / (n * ch);
    const gamma = m.weights.tensors.get(`${c.bn}.gamma`)!.data;
    const beta = m.weights.tensors.get(`${c.bn}.beta`)!.data;
    const v = r.stats.get(c.bn)!.variance;
    for (let k = 0; k < ch; k++) {
      let s = 0, s2 = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < per; j++) {
          const val = y.data[(i * ch + k) * per + j];
          s += val;
          s2 += val * val;
        }
      }
      const mean = s / (n * per), variance = s2 / (n * per) - mean * mean;
      const wantVar = (gamma[k] ** 2 * v[k]) / (v[k] + BN_EPSILON);
      assert.ok(Math.abs(mean - beta[k]) < 2e-3 * (1 + Math.abs(beta[k])), `${c.bn}[${k}] mean`);
      assert.ok(Math.abs(variance - wantVar) < 5e-3 * (1 + wantVar), `${c.bn}[${k}] var`);
      checked++;
    }
  }
  assert.ok(checked > 100);
  // The stem's statistics directly: conv of the raw input, no folding involved.
  const stemW = m.weights.tensors.get("stem.w")!.data;
  let mean0 = 0;
  for (let i = 0; i < 4; i++) {
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        let acc = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy, xx = x + dx;
            if (yy < 0 || yy >= 28 || xx < 0 || xx >= 28) continue;
            acc += stemW[(dy + 1) * 3 + dx + 1] * tiny.data[i * 784 + yy * 28 + xx];
          }
        }
        mean0 += acc / (4 * 784);
      }
    }
  }
  assert.ok(Math.abs(mean0 - r.stats.get("stem.bn")!.mean[0]) < 1e-4);
  // Cached the second time; pooled batches give the same statistics as one batch.
  assert.equal((await calibrateBn(store, space, config, data, { samples: 4 })).cached, "memory");
  const pooled = await calibrateBn(store, space, config, data, {
    samples: 4,
    batchSize: 4,
    refresh: true,
  });
  assert.ok(
    maxAbsDiff(pooled.stats.get("b2.pw.bn")!.variance, r.stats.get("b2.pw.bn")!.variance) < 1e-5,
  );
  const halves = await calibrateBn(store, space, config, data, {
    samples: 4,
    batchSize: 2,
    refresh: true,
  });
  assert.ok(maxAbsDiff(halves.stats.get("stem.bn")!.mean, r.stats.get("stem.bn")!.mean) < 1e-5);
  assert.ok(
    maxAbsDiff(halves.stats.get("stem.bn")!.variance, r.stats.get("stem.bn")!.variance) < 1e-4,
  );
});

Deno.test("BN statistics are cached on disk and invalidated by a store update", async () => {
  const dir = await Deno.makeTempDir();
  clearBnCache();
  const first = await calibrateBn(store, space, config, data, { samples: 4, cacheDir: dir });
  clearBnCache();
  const second = await calibrateBn(store, space, config, data, { samples: 4, cacheDir: dir });
  assert.equal(second.cached, "disk");
  assert.deepEqual(second.stats.get("b4.lr.bn")!.mean, first.stats.get("b4.lr.bn")!.mean);
  store.tensors.get("stem.w")!.data[0] += 1;
  store.revision++;
  assert.equal(
    (await calibrateBn(store, space, config, data, { samples: 4, cacheDir: dir })).cached,
    null,
  );
  store.tensors.get("stem.w")!.data[0] -= 1;
  store.revision++;
  await Deno.remove(dir, { recursive: true });
});

Deno.test("float and int8 exports run in ORT-web; int8 stays close to float", async () => {
  const { stats } = await calibrateBn(store, space, config, data, { samples: 4 });
  const float = exportSubnet(store, space, config, {
    inputShape: [1, 28, 28],
    bnStats: stats,
    int8: false,
  });
  const int8 = exportSubnet(store, space, config, {
    inputShape: [1, 28, 28],
    bnStats: stats,
    int8: true,
  });
  assert.ok(
    int8.bytes.length < 0.45 * float.bytes.length,
    `${int8.bytes.length} vs ${float.bytes.length}`,
  );
  const f = await checkInRuntime(float.bytes, tiny, "web");
  const q = await checkInRuntime(int8.bytes, tiny, "web");
  assert.ok(f.ran && q.ran, `${f.reason ?? ""} ${q.reason ?? ""}`);
  // ORT-web float32 against the float64 reference of the same graph.
  const ref = evaluate(float.materialized.model.graph, { input: tiny }).logits.data;
  const scale = Math.max(...ref.map(Math.abs));
  assert.ok(maxAbsDiff(f.logits!, ref) < 1e-4 * Math.max(1, scale));
  // Stated tolerance: int8 weights move logits by at most 5% of the largest float logit here.
  const d = maxAbsDiff(q.logits!, f.logits!);
  assert.ok(d > 0 && d < 0.05 * scale, `int8 vs float: ${d} (scale ${scale})`);
  // And it is the QDQ graph that ran: the reference of the int8 graph agrees with ORT.
  const refQ = evaluate(int8.materialized.model.graph, { input: tiny }).logits.data;
  assert.ok(maxAbsDiff(q.logits!, refQ) < 1e-4 * Math.max(1, scale));
  assert.ok(int8.materialized.model.graph.nodes.some((n) => n.opType === "DequantizeLinear"));
});

Deno.test({
  name: "exports also run on onnxruntime-node when installed",
  ignore: !nativeAvailable(),
  fn: async () => {
    const e = exportSubnet(store, space, config, { inputShape: [1, 28, 28], int8: true });
    const web = await checkInRuntime(e.bytes, tiny, "web");
    const native = await checkInRuntime(e.bytes, tiny, "native");
    assert.ok(native.ran, native.reason);
    assert.ok(maxAbsDiff(native.logits!, web.logits!) < 1e-3);
  },
});
