/**
 * The six activities of the UCI HAR Dataset, named and numbered as its `activity_labels.txt`
 * (label = line number - 1).
 *
 * @module
 */

/** Class names, index = label (UCI id - 1). */
export const HAR_ACTIVITIES = [
  "WALKING",
  "WALKING_UPSTAIRS",
  "WALKING_DOWNSTAIRS",
  "SITTING",
  "STANDING",
  "LAYING",
] as const;

/** One of {@link HAR_ACTIVITIES}. */
export type HarActivity = typeof HAR_ACTIVITIES[number];

/** True for the three walking activities (periodic gait), false for the static postures. */
export function isDynamic(activity: HarActivity): boolean {
  return activity.startsWith("WALKING");
}
