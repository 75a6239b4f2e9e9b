/**
 * Where a serial sync's time goes, from Chromium's net log: how long the requests to one API
 * path were in flight, and how long the client spent between them (parsing, storing, waiting
 * for its rate limiter or a retry). Each request is one URL_REQUEST source; its span runs
 * from its first event to its last.
 */
import { readFileSync } from 'node:fs';

export interface RequestTiming {
  requests: number;
  /** Sum of the requests' spans. */
  inFlightSeconds: number;
  /** From the first request's start to the last one's end. */
  spanSeconds: number;
}

interface NetLog {
  constants: { logEventTypes: Record<string, number> };
  events: { time: string; type: number; source: { id: number }; params?: { url?: string } }[];
}

export function requestTiming(netLogPath: string, urlIncludes: string): RequestTiming {
  const log = JSON.parse(readFileSync(netLogPath, 'utf8')) as NetLog;
  const startJob = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  const matching = new Set(log.events.filter((e) => e.type === startJob && e.params?.url?.includes(urlIncludes)).map((e) => e.source.id));
  const spans = new Map<number, { from: number; to: number }>();
  for (const event of log.events) {
    if (!matching.has(event.source.id)) continue;
    const time = Number(event.time);
    const span = spans.get(event.source.id);
    spans.set(event.source.id, span ? { from: Math.min(span.from, time), to: Math.max(span.to, time) } : { from: time, to: time });
  }
  const all = [...spans.values()];
  if (all.length === 0) return { requests: 0, inFlightSeconds: 0, spanSeconds: 0 };
  const inFlightMs = all.reduce((sum, s) => sum + (s.to - s.from), 0);
  const spanMs = Math.max(...all.map((s) => s.to)) - Math.min(...all.map((s) => s.from));
  return { requests: all.length, inFlightSeconds: inFlightMs / 1000, spanSeconds: spanMs / 1000 };
}
