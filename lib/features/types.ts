import type { CrmAdapter, PageMatch } from '../crm/types';

/** What every content-script feature gets for the page it runs on. */
export interface FeatureContext {
  document: Document;
  adapter: CrmAdapter;
  match: PageMatch;
  /** What the previous page was, in this tab: `other` for a page no adapter recognises; null on the first page. */
  previousMatch: PageMatch | null;
  /**
   * Aborts when the feature's run ends: clean up then (timers, observers, what it shows). Its
   * `reason` says why: the tab moved to another page (`pageKey`: a plain AbortError); the
   * extension was updated or reloaded under the page (EXTENSION_RELOADED, features/navigation.ts);
   * or "Purge everything" deleted what LeadLens stored (EVERYTHING_PURGED, lib/presentation.ts:
   * no feature runs again until the page reloads). In the last two the rep is still on the page:
   * show `noticeAtEnd(signal.reason)` (badge-ui.ts) in place of what the feature showed, rather
   * than vanish; it is null for the first.
   */
  signal: AbortSignal;
}

/** A content-script feature: site-agnostic, one per file, registered in `registry.ts`. */
export interface ContentFeature {
  id: string;
  /** Whether the feature runs on this kind of page. */
  runsOn(match: PageMatch): boolean;
  run(context: FeatureContext): Promise<void>;
}
