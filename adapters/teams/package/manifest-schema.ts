/**
 * The Teams app manifest fields Teams requires of a bot app, as zod (Microsoft publishes the
 * JSON schema only online, and the npm package that wraps it, @microsoft/teams-manifest,
 * fetches it at validation time, which this machine and CI cannot). Limits from the manifest
 * reference: short name 30, full name 100, short description 80, full 4000, at most 3 command
 * lists of 10 commands, command title 32 and description 128 characters, icons as files in
 * the package.
 */
import { z } from 'zod';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const https = (what: string) => z.url({ protocol: /^https$/, error: `${what} must be an https URL` });

export const BOT_SCOPES = ['team', 'groupChat', 'personal'] as const;

const Command = z.strictObject({ title: z.string().min(1).max(32), description: z.string().min(1).max(128) });

const Bot = z.object({
  botId: z.string().regex(GUID, 'bots[].botId must be the Azure Bot app ID (a GUID)'),
  scopes: z.array(z.enum(BOT_SCOPES)).min(1),
  supportsFiles: z.boolean().optional(),
  isNotificationOnly: z.boolean().optional(),
  commandLists: z
    .array(z.strictObject({ scopes: z.array(z.enum(BOT_SCOPES)).min(1), commands: z.array(Command).min(1).max(10) }))
    .max(3)
    .optional(),
});

export const TeamsManifest = z.object({
  $schema: z.string().regex(/^https:\/\/developer\.microsoft\.com\/(en-us\/)?json-schemas\/teams\/v1\.(\d+)\/MicrosoftTeams\.schema\.json$/).optional(),
  manifestVersion: z.string().regex(/^1\.(2\d|[3-9]\d)$/, 'manifestVersion must be 1.20 or later'),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'version must be semantic (e.g. 1.0.0)'),
  id: z.string().regex(GUID, 'id must be a GUID (the Teams app ID; usually the bot app ID)'),
  developer: z.object({
    name: z.string().min(1).max(32),
    websiteUrl: https('developer.websiteUrl'),
    privacyUrl: https('developer.privacyUrl'),
    termsOfUseUrl: https('developer.termsOfUseUrl'),
  }),
  name: z.object({ short: z.string().min(1).max(30), full: z.string().min(1).max(100).optional() }),
  description: z.object({ short: z.string().min(1).max(80), full: z.string().min(1).max(4000) }),
  icons: z.object({ color: z.string().min(1), outline: z.string().min(1) }),
  accentColor: z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'accentColor must be #RRGGBB'),
  bots: z.array(Bot).min(1).max(1),
  permissions: z.array(z.enum(['identity', 'messageTeamMembers'])).optional(),
  validDomains: z.array(z.string()).optional(),
});
export type TeamsManifest = z.infer<typeof TeamsManifest>;
