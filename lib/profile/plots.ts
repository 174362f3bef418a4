/**
 * Predicted-vs-measured plots of the profile: latency (LUT prediction vs whole-network
 * measurement) and accuracy (predictor vs measured), held-out points coloured apart.
 *
 * @module
 */
import { scatter, writeFigure } from "../plot/mod.ts";

/** A point of a predicted-vs-measured plot. */
export interface PredictionPoint {
  readonly measured: number;
  readonly predicted: number;
  readonly heldOut: boolean;
}

function toScatter(points: readonly PredictionPoint[]) {
  return points.map((p) => ({
    x: p.measured,
    y: p.predicted,
    group: p.heldOut ? "held out" : "fitted on",
  }));
}

/**
 * Write `<dir>/latency_predicted_vs_measured.{svg,png}` and
 * `<dir>/accuracy_predicted_vs_measured.{svg,png}` (either may be omitted); returns the paths
 * without extension.
 */
export async function writePredictionPlots(
  dir: string,
  data: {
    latency?: readonly PredictionPoint[];
    accuracy?: readonly PredictionPoint[];
  },
): Promise<string[]> {
  const written: string[] = [];
  if (data.latency && data.latency.length > 0) {
    const path = `${dir}/latency_predicted_vs_measured`;
    const svg = await scatter(toScatter(data.latency), {
      xTitle: "measured latency (ms)",
      yTitle: "predicted latency (ms)",
      diagonal: true,
    });
    await writeFigure(path, svg);
    written.push(path);
  }
  if (data.accuracy && data.accuracy.length > 0) {
    const path = `${dir}/accuracy_predicted_vs_measured`;
    const svg = await scatter(toScatter(data.accuracy), {
      xTitle: "measured accuracy",
      yTitle: "predicted accuracy",
      diagonal: true,
    });
    await writeFigure(path, svg);
    written.push(path);
  }
  return written;
}
