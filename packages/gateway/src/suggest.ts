/**
 * "Did you mean …?" for a name a user typed: the closest of the names that exist, when it is close enough to be a
 * typo rather than a different name altogether.
 */
import { distance } from 'fastest-levenshtein';

/**
 * The candidate `typed` is most likely a typo of (case ignored), or null when none is near: at most a third of its
 * length away (rounded up, so that two swapped letters of a short word count), and never more than 3 edits.
 */
export function closestName(typed: string, candidates: readonly string[]): string | null {
  const limit = Math.min(3, Math.ceil(typed.length / 3));
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d = distance(typed.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)`, or nothing when no candidate is near. */
export function didYouMean(typed: string, candidates: readonly string[]): string {
  const near = closestName(typed, candidates);
  return near === null ? '' : ` (did you mean "${near}"?)`;
}
