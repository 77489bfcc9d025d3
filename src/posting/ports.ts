/** The chat ports a worker posts through, by platform; adapters register theirs. */
import type { ChatPort, Platform } from '../chat/port';

export type ChatPorts = Partial<Record<Platform, ChatPort>>;
