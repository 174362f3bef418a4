/**
 * Small zod field builders shared by the config schemas, with messages phrased as
 * "expected ..." so that config errors read naturally after `file:line:col field:`.
 *
 * @module
 */
import { z } from "zod";

/** A positive integer. */
export const positiveInt = () =>
  z.int({ error: "expected a positive integer" }).positive({
    error: "expected a positive integer",
  });

/** A non-negative number. */
export const nonNegative = () =>
  z.number({ error: "expected a number >= 0" }).min(0, { error: "expected a number >= 0" });

/** A positive number. */
export const positive = () =>
  z.number({ error: "expected a number > 0" }).positive({ error: "expected a number > 0" });

/** A fraction in [0, 1]. */
export const fraction = () =>
  z.number({ error: "expected a number between 0 and 1" }).min(0, {
    error: "expected a number between 0 and 1",
  }).max(1, { error: "expected a number between 0 and 1" });

/** A short identifier: lowercase letters, digits, '-' and '_'. */
export const identifier = () =>
  z.string().regex(/^[a-z][a-z0-9_-]*$/, {
    error: "expected an identifier (lowercase letters, digits, '-' or '_', starting with a letter)",
  });

/**
 * A figure with its source, for platform files: every number there must say where it came
 * from (datasheet, published measurement), so that modeled results can be traced.
 */
export const sourcedNumber = (inner: z.ZodNumber = positive()) =>
  z.strictObject({
    value: inner,
    source: z.string({ error: "expected a source (datasheet or publication) for this figure" })
      .min(3, { error: "expected a source (datasheet or publication) for this figure" }),
  });
