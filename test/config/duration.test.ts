/** Durations in settings: whole numbers and a unit, nothing a person could misread; shown back in words. */
import { formatDuration, parseDuration } from '../../src/config/duration';
import { ConfigError, orThrow } from '../../src/config/problems';
import { parseCaracalConfig } from '../../src/caracal/config';

const loadCaracalConfig = (env: Record<string, string>) => orThrow(parseCaracalConfig(env));

const base = { CARACAL_API_URL: 'http://127.0.0.1:3000', CARACAL_ADMIN_TOKEN: 'cat_x' };

test.each([
  ['90m', 90 * 60_000],
  ['24h', 86_400_000],
  ['7d', 7 * 86_400_000],
  [' 30s ', 30_000],
  ['2H', 7_200_000],
])('%s is %d ms', (text, ms) => {
  expect(parseDuration(text)).toBe(ms);
});

test.each([['90'], ['1.5h'], ['1y'], ['h'], ['-5m'], ['24 hours'], ['']])('%s is not a duration', (text) => {
  expect(parseDuration(text)).toBeNull();
});

test('formatted in the units people use', () => {
  expect([formatDuration(86_400_000), formatDuration(90 * 60_000), formatDuration(3 * 86_400_000 + 6 * 3_600_000), formatDuration(45_000), formatDuration(0)]).toEqual([
    '24 h',
    '1 h 30 min',
    '3 d 6 h',
    '45 s',
    '0 s',
  ]);
});

test('TRIAGE_CHANGES_WINDOW: 24 h unless set; a bad one names the variable', () => {
  expect(loadCaracalConfig(base).changesWindowMs).toBe(86_400_000);
  expect(loadCaracalConfig({ ...base, TRIAGE_CHANGES_WINDOW: '90m' }).changesWindowMs).toBe(5_400_000);
  expect(() => loadCaracalConfig({ ...base, TRIAGE_CHANGES_WINDOW: '90' })).toThrow(ConfigError);
  // Reported with the other Caracal settings, all at once.
  let error: unknown = null;
  try {
    loadCaracalConfig({ ...base, TRIAGE_CHANGES_WINDOW: '40d', CARACAL_TIMEOUT_MS: 'x' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['CARACAL_TIMEOUT_MS', 'TRIAGE_CHANGES_WINDOW']);
});
