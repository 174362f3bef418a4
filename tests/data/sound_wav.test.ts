import assert from "node:assert/strict";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";
import { resample } from "../../lib/data/sound/resample.ts";
import { decodeWav, encodeWav, readWav, type WavEncoding } from "../../lib/data/sound/wav.ts";
import { rawWav, tone } from "./fixtures_sound.ts";

const ENCODINGS: [WavEncoding, number][] = [
  [{ kind: "pcm", bits: 8 }, 1 / 128],
  [{ kind: "pcm", bits: 16 }, 1 / 32768],
  [{ kind: "pcm", bits: 24 }, 1 / 8388608],
  [{ kind: "pcm", bits: 32 }, 1 / 2147483648],
  [{ kind: "float", bits: 32 }, 1e-7],
  [{ kind: "float", bits: 64 }, 0],
];

function throwsBadInput(fn: () => unknown, ...parts: string[]) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AdaspringError, `expected AdaspringError, got ${err}`);
    assert.equal(err.exitCode, ExitCode.badInput);
    for (const p of parts) assert.ok(err.message.includes(p), `"${p}" not in: ${err.message}`);
    return true;
  });
}

Deno.test("WAV round trip for every supported encoding, within one quantization step", () => {
  const signal = Float32Array.from([-1, -0.5, -1 / 3, 0, 0.25, 0.7, 0.99, ...tone(440, 8000, 50)]);
  for (const [encoding, step] of ENCODINGS) {
    const bytes = encodeWav([signal], 8000, encoding);
    assert.equal(
      bytes.length,
      44 + signal.length * (encoding.bits / 8) + ((signal.length * encoding.bits / 8) & 1),
    );
    const wav = decodeWav(bytes, "x.wav");
    assert.deepEqual(wav.encoding, encoding);
    assert.equal(wav.sampleRate, 8000);
    assert.equal(wav.channels, 1);
    assert.equal(wav.samples.length, signal.length);
    for (let i = 0; i < signal.length; i++) {
      assert.ok(
        Math.abs(wav.samples[i] - signal[i]) <= step,
        `${encoding.kind}${encoding.bits} sample ${i}: ${wav.samples[i]} vs ${signal[i]}`,
      );
    }
  }
});

Deno.test("WAV: multi-channel files are mixed to mono by averaging", () => {
  const left = Float32Array.from([0.5, 0.5, -0.25]), right = Float32Array.from([0, -0.5, -0.75]);
  const third = Float32Array.from([0.25, 0, 0]);
  const wav = decodeWav(encodeWav([left, right, third], 16000), "st.wav");
  assert.equal(wav.channels, 3);
  const want = [0.25, 0, -1 / 3];
  wav.samples.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-4, `${v} vs ${want[i]}`));
});

Deno.test("WAV: WAVE_FORMAT_EXTENSIBLE headers and odd-sized extra chunks are read", () => {
  const data = new Uint8Array(8);
  new DataView(data.buffer).setFloat32(0, 0.5, true);
  new DataView(data.buffer).setFloat32(4, -0.25, true);
  const wav = decodeWav(
    rawWav({
      tag: 0xfffe,
      extensibleTag: 3,
      channels: 1,
      rate: 22050,
      bits: 32,
      data,
      extraChunk: { id: "LIST", body: new Uint8Array(5) }, // odd size: one pad byte follows
    }),
    "ext.wav",
  );
  assert.deepEqual(wav.encoding, { kind: "float", bits: 32 });
  assert.deepEqual([...wav.samples], [0.5, -0.25]);
});

Deno.test("WAV errors: bad magic, truncation, unsupported formats name the file", () => {
  const good = encodeWav([tone(440, 8000, 100)], 8000);
  const notRiff = good.slice();
  notRiff.set([0x52, 0x49, 0x46, 0x58]); // "RIFX" (big-endian RIFF, not supported)
  throwsBadInput(() => decodeWav(notRiff, "a.wav"), "a.wav", "RIFF", "WAVE");
  throwsBadInput(() => decodeWav(new TextEncoder().encode("ID3 mp3 data..."), "b.mp3"), "b.mp3");
  throwsBadInput(
    () => decodeWav(good.slice(0, 100), "c.wav"),
    "c.wav",
    "truncated",
    "declares 200",
  );
  throwsBadInput(() => decodeWav(good.slice(0, 30), "d.wav"), "d.wav", "fmt");
  throwsBadInput(() => decodeWav(good.slice(0, 36), "e.wav"), "e.wav", 'no "data" chunk');
  throwsBadInput(
    () =>
      decodeWav(
        rawWav({ tag: 2, channels: 1, rate: 8000, bits: 4, data: new Uint8Array(4) }),
        "f.wav",
      ),
    "f.wav",
    "unsupported",
    "0x2",
  );
  throwsBadInput(
    () =>
      decodeWav(
        rawWav({ tag: 1, channels: 1, rate: 8000, bits: 12, data: new Uint8Array(4) }),
        "g.wav",
      ),
    "g.wav",
    "12-bit PCM",
  );
  const odd = rawWav({ tag: 1, channels: 2, rate: 8000, bits: 16, data: new Uint8Array(6) });
  throwsBadInput(() => decodeWav(odd, "h.wav"), "h.wav", "not a multiple of the frame size 4");
});

Deno.test("readWav names a missing file", async () => {
  const dir = await Deno.makeTempDir();
  await assert.rejects(
    readWav(`${dir}/none.wav`),
    (e: unknown) => e instanceof AdaspringError && e.message.includes(`${dir}/none.wav`),
  );
  await Deno.remove(dir, { recursive: true });
});

/** Amplitude of the `freq` component of `x` (single-bin DFT). */
function amplitudeAt(x: Float32Array, freq: number, rate: number): number {
  let re = 0, im = 0;
  for (let i = 0; i < x.length; i++) {
    re += x[i] * Math.cos((2 * Math.PI * freq * i) / rate);
    im += x[i] * Math.sin((2 * Math.PI * freq * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / x.length;
}

Deno.test("resample keeps DC and in-band tones, and removes what would alias", () => {
  const dc = resample(new Float32Array(4410).fill(0.3), 44100, 16000);
  assert.equal(dc.length, 1600);
  for (let i = 100; i < 1500; i++) assert.ok(Math.abs(dc[i] - 0.3) < 1e-3);
  const down = resample(tone(1000, 44100, 44100), 44100, 16000);
  assert.equal(down.length, 16000);
  const inner = down.subarray(1000, 15000);
  assert.ok(Math.abs(amplitudeAt(inner, 1000, 16000) - 0.5) < 0.01);
  // 10 kHz is above the new Nyquist (8 kHz): it must not fold to 6 kHz.
  const folded = resample(tone(10000, 44100, 44100), 44100, 16000).subarray(1000, 15000);
  assert.ok(
    amplitudeAt(folded, 6000, 16000) < 0.005,
    `aliased ${amplitudeAt(folded, 6000, 16000)}`,
  );
  const up = resample(tone(440, 8000, 8000), 8000, 16000).subarray(500, 15500);
  assert.ok(Math.abs(amplitudeAt(up, 440, 16000) - 0.5) < 0.01);
  assert.deepEqual(resample(Float32Array.of(1, 2), 8000, 8000), Float32Array.of(1, 2));
});
