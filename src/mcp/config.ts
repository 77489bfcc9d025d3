/**
 * The MCP server's settings on the web host (`serve`, `start`): `POST /mcp` is mounted only
 * when MCP_TOKEN is set. `caracal-triage mcp` (stdio) reads none of these: the client that
 * starts it is its only caller.
 *
 *   MCP_TOKEN            the bearer every request to /mcp must carry (at least 32 characters)
 *   MCP_ALLOWED_ORIGINS  comma-separated origins (scheme://host[:port]) whose browsers may call
 *                        /mcp; a request carrying any other Origin header is refused (403).
 *                        Agent processes send no Origin; browsers always do (the DNS-rebinding
 *                        defence the MCP specification asks of HTTP servers).
 *
 * The tools read Caracal, so a web process that serves MCP needs the Caracal settings too
 * (src/app/config.ts adds that group when MCP_TOKEN is set).
 */
import { z } from 'zod';
import { type Env, parseEnvGroup, short, text } from '../config/fields';
import type { Parsed } from '../config/problems';

/** Variables whose values are secrets (redacted wherever they show up). */
export const MCP_SECRET_VARIABLES = ['MCP_TOKEN'] as const;

export interface McpHttpSettings {
  token: string;
  /** Origins (as `URL.origin` writes them) whose requests are served; empty: none. */
  allowedOrigins: string[];
}

/** An origin as a browser sends it: http(s), a host, an optional port, nothing else. */
function originOf(value: string): string | null {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  // `https://a.example/` is the origin written with a slash; a path, query or user is not an origin.
  if (u.username || u.password || u.search || u.hash || (u.pathname !== '/' && u.pathname !== '')) return null;
  if (!/^https?:\/\/[^/]+\/?$/i.test(value)) return null;
  return u.origin;
}

const origins = z
  .string()
  .optional()
  .transform((raw, ctx): string[] => {
    const items = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const out: string[] = [];
    for (const item of items) {
      const o = originOf(item);
      if (o === null) {
        ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of origins (scheme://host[:port], no path), e.g. https://console.example.com (${JSON.stringify(short(item))} is not one)` });
        return z.NEVER;
      }
      out.push(o);
    }
    return [...new Set(out)];
  });

const shape = {
  MCP_TOKEN: text({ optional: true, minLength: 32, hint: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' }),
  MCP_ALLOWED_ORIGINS: origins,
};

/** Whether the environment asks for the HTTP MCP server (MCP_TOKEN set, even to a bad value). */
export function mcpRequested(env: Env): boolean {
  return !!env.MCP_TOKEN?.trim();
}

/** null when MCP_TOKEN is not set (no /mcp route at all). */
export function parseMcpHttpSettings(env: Env): Parsed<McpHttpSettings | null> {
  const r = parseEnvGroup(shape, env);
  if (!r.ok) return r;
  const { MCP_TOKEN: token, MCP_ALLOWED_ORIGINS: allowedOrigins } = r.value;
  if (!token) {
    if (allowedOrigins.length > 0) return { ok: false, problems: [{ variable: 'MCP_ALLOWED_ORIGINS', message: 'is set but MCP_TOKEN is not: without MCP_TOKEN no /mcp route is served, so set MCP_TOKEN or remove MCP_ALLOWED_ORIGINS' }] };
    return { ok: true, value: null };
  }
  return { ok: true, value: { token, allowedOrigins } };
}
