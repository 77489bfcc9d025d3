/**
 * What the command flow needs from TriageService.start beyond src/triage/service-api.ts: when a
 * start created nothing because the same command's triage is still open, where its card is. An
 * augmentation of StartTriageResult so the engine's module stays untouched; the field belongs
 * in service-api.ts itself.
 */
import type { MessageRef } from '../chat/port';

export interface OpenTriage {
  /** The open triage's card, once posted. */
  card: MessageRef | null;
  /** A link to it, when the platform gave one. */
  link: string | null;
}

declare module '../triage/service-api' {
  interface StartTriageResult {
    /**
     * Set when `created` is false because the same command (channel, request ID, zone,
     * symptom) has a triage that is still open: answer with its card instead of a second one.
     * Absent for a redelivery of the same delivery.
     */
    open?: OpenTriage;
  }
}
