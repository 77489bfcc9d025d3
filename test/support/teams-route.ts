/**
 * A minimal Teams messaging endpoint for tests: express on 127.0.0.1, `POST /api/messages`
 * with a JSON-parsed body handed to `adapter.process`, the turn logic supplied by the test.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TeamsCloudAdapter, TeamsTurnContext } from '../../adapters/teams/adapter';

export interface TeamsRoute {
  /** http://127.0.0.1:PORT/api/messages */
  url: string;
  post(activity: unknown, token?: string | null): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export async function startTeamsRoute(adapter: TeamsCloudAdapter, logic: (ctx: TeamsTurnContext) => Promise<void>): Promise<TeamsRoute> {
  const app = express();
  app.post('/api/messages', express.json({ limit: '64kb' }), (req, res) => adapter.process(req, res, logic));
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  return {
    url,
    async post(activity, token) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(activity) });
      return { status: res.status, body: await res.text() };
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
