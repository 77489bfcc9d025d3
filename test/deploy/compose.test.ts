/**
 * compose.yaml (no engine here to run it): parsed as YAML and checked for what makes the local
 * stack work: Redis that never evicts, the bot built from this Dockerfile running `start` with
 * .env, pointed at that Redis, started once Redis is healthy, and a healthcheck of its own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './helm';

interface Service {
  image?: string;
  build?: string | { context: string };
  command?: string[];
  env_file?: string | Array<string | { path: string }>;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  read_only?: boolean;
  cap_drop?: string[];
}

const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const { redis, bot } = compose.services;

describe('compose.yaml', () => {
  test('has Redis and the bot, and nothing else', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['bot', 'redis']);
  });

  test('Redis never evicts keys (BullMQ and the audit log need every one), keeps its data in a volume and reports health', () => {
    const cmd = (redis.command ?? []).join(' ');
    expect(cmd).toMatch(/^redis-server .*--maxmemory-policy noeviction/);
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(Object.keys(compose.volumes ?? {})).toContain('redis-data');
  });

  test('the bot is built from this Dockerfile and runs `start` with the settings of .env', () => {
    expect(bot.build === '.' || (typeof bot.build === 'object' && bot.build.context === '.')).toBe(true);
    expect(bot.command).toEqual(['start']);
    const envFiles = ([] as Array<string | { path: string }>).concat(bot.env_file ?? []).map((f) => (typeof f === 'string' ? f : f.path));
    expect(envFiles).toEqual(['.env']);
  });

  test('the bot reaches the Redis service of the stack, and waits for it to be healthy', () => {
    const url = new URL(bot.environment?.REDIS_URL ?? '');
    expect(url.protocol).toBe('redis:');
    expect(url.hostname).toBe('redis');
    expect(bot.depends_on?.redis?.condition).toBe('service_healthy');
  });

  test("the bot's healthcheck asks /healthz on the port it listens on, which is published on loopback only", () => {
    const port = bot.environment?.PORT ?? '';
    expect(bot.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
    expect(bot.ports).toEqual([`127.0.0.1:${port}:${port}`]);
  });

  test('the bot container is hardened like the chart pods', () => {
    expect(bot.read_only).toBe(true);
    expect(bot.cap_drop).toEqual(['ALL']);
  });
});
