/**
 * One-way notifications (no reply), defined once with zod like the request/response
 * protocol: background → extension pages (`runtime.sendMessage`) and background → CRM tabs
 * (`tabs.sendMessage`). Their envelope target is `event`, which the request handlers ignore.
 */
import { browser } from 'wxt/browser';
import { z } from 'zod';
import type { CrmKind } from '../crm/types';
import { CrmKindSchema } from './schemas';

export const eventsProtocol = {
  /** A CRM tab's lead changed (it scored another, or a purge stopped its page): the side panel reads that tab's lead again, or drops what it kept of it. */
  openLeadChanged: z.object({ tabId: z.number().int() }),
  /**
   * What CRM tabs' badges show may have changed: another model is active, its tier policy
   * changed, a CRM's stored leads were added, changed or deleted (a sync, demo data: list badges
   * score the stored leads' fields, not their stored scores), or the HubSpot connection's portal
   * became known (its pages were answered as another portal's). Badges ask for their scores
   * again. `crm`: the change concerns that CRM's leads only (its sync, its connection): other
   * CRMs' tabs ask for nothing. Not sent for a CSV import, or for scoring the stored leads again:
   * no CRM page looks up a file's leads, nor reads stored scores.
   */
  scoresChanged: z.object({ crm: CrmKindSchema.optional() }),
  /**
   * Stored leads were deleted (purge, connecting another org or portal, a sync removing what the
   * CRM deleted) without a scoring job whose end tells pages: they drop what they read of leads,
   * models and the open lead. `everything`: it was "Purge everything".
   */
  storedDataDeleted: z.object({ everything: z.boolean().default(false) }),
  /**
   * "Purge everything" deleted all LeadLens stored: CRM tabs' badges say so and score nothing more
   * until the page reloads. Asking again at once would store the page's lead right back (its
   * fields in the score cache and the open lead), just after the admin was told all was deleted.
   */
  everythingPurged: z.object({}),
  /** A finished sync gave stored leads their owners' names (no job's end tells pages): they read leads again. */
  ownersNamed: z.object({}),
  /**
   * A CRM connection was made, checked (its status changed) or removed, or a sync or write-back
   * started (by a page, or automatically): pages read the connections, syncs and write-backs
   * again. A page polls a run only once it reads it running; one done in another page, or
   * started by the schedule, would otherwise go unseen.
   */
  connectionsOrRunsChanged: z.object({}),
} as const;
type Events = typeof eventsProtocol;
export type EventName = keyof Events;

/** Whether a `scoresChanged` event concerns `crm`'s tabs: one naming no CRM concerns every tab. */
export const concernsCrm = (change: z.infer<Events['scoresChanged']>, crm: CrmKind): boolean => change.crm === undefined || change.crm === crm;

interface EventEnvelope {
  target: 'event';
  type: string;
  payload: unknown;
}

function envelope<E extends EventName>(type: E, payload: z.input<Events[E]>): EventEnvelope {
  return { target: 'event', type, payload: eventsProtocol[type].parse(payload) };
}

/** To every extension page; no page listening is not an error. */
export async function broadcastToPages<E extends EventName>(type: E, payload: z.input<Events[E]>): Promise<void> {
  await browser.runtime.sendMessage(envelope(type, payload)).catch(() => undefined);
}

/** To one tab's content script; a tab without one is not an error. */
async function deliver(tabId: number, message: EventEnvelope): Promise<void> {
  try {
    await browser.tabs.sendMessage(tabId, message);
  } catch {
    // no content script in that tab
  }
}

/** To the content script of tab `tabId` alone; a tab without one is not an error. */
export async function sendToCrmTab<E extends EventName>(tabId: number, type: E, payload: z.input<Events[E]>): Promise<void> {
  await deliver(tabId, envelope(type, payload));
}

/**
 * To the content script of every tab. Every tab: without the `tabs` permission a URL filter
 * matches nothing; tabs without the content script just do not answer.
 */
export async function sendToCrmTabs<E extends EventName>(type: E, payload: z.input<Events[E]>): Promise<void> {
  const message = envelope(type, payload);
  // A notice: failing to list the tabs must not fail what changed (an activation, a purge).
  const tabs = await browser.tabs.query({}).catch((error: unknown) => {
    console.warn('LeadLens: could not list the tabs to tell them', type, error instanceof Error ? error.message : '');
    return [];
  });
  await Promise.all(tabs.map((tab) => (tab.id === undefined ? undefined : deliver(tab.id, message))));
}

/**
 * Listen for one event until `signal` aborts; malformed payloads are dropped, and so is an
 * event sent by a content script (only the background sends events; a CRM page's script must
 * not make pages drop what they read or follow another tab).
 */
export function onEvent<E extends EventName>(type: E, handler: (payload: z.infer<Events[E]>) => void, signal?: AbortSignal): void {
  const listener = (message: unknown, sender: Browser.runtime.MessageSender) => {
    if (sender.tab !== undefined) return;
    const candidate = message as Partial<EventEnvelope> | null;
    if (candidate?.target !== 'event' || candidate.type !== type) return;
    const parsed = eventsProtocol[type].safeParse(candidate.payload);
    if (parsed.success) handler(parsed.data as z.infer<Events[E]>);
  };
  browser.runtime.onMessage.addListener(listener);
  signal?.addEventListener('abort', () => browser.runtime.onMessage.removeListener(listener), { once: true });
}
