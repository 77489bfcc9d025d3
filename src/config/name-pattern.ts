/**
 * Channel-name patterns of the deployments file (`inc-staging-*`): `*` stands for any run of
 * characters (none included), `?` for exactly one, every other character for itself; the
 * whole name must match, compared case-insensitively (Teams keeps the case people typed,
 * Slack names are lower case).
 *
 * Why hand-written: it is these few lines. The glob libraries in node_modules (picomatch,
 * minimatch) are only there for other packages, and they match file paths: `/` separates
 * segments, and braces, brackets and extglobs expand, none of which a channel name should mean.
 */

/** The longest pattern taken (Slack names are at most 80 characters, Teams channel names 50). */
export const NAME_PATTERN_MAX = 100;

/** What is wrong with a pattern, or null. */
export function namePatternProblem(pattern: string): string | null {
  if (pattern.length === 0) return 'must not be empty';
  if (pattern.length > NAME_PATTERN_MAX) return `is at most ${NAME_PATTERN_MAX} characters`;
  if (/[\p{Cc}\p{Cf}]/u.test(pattern) || pattern.trim() !== pattern) return 'holds no control or invisible characters and no surrounding spaces';
  if (pattern.startsWith('#')) return 'is the name without its "#" (e.g. inc-staging-*)';
  return null;
}

/** A matcher for a valid pattern (namePatternProblem is null). */
export function compileNamePattern(pattern: string): (name: string) => boolean {
  const source = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  const re = new RegExp(`^${source}$`, 'isu');
  return (name) => re.test(name);
}
