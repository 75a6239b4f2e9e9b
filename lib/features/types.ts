import type { CrmAdapter, PageMatch } from '../crm/types';

/** What every content-script feature gets for the page it runs on. */
export interface FeatureContext {
  document: Document;
  adapter: CrmAdapter;
  match: PageMatch;
  /** What the previous page was, in this tab: `other` for a page no adapter recognises; null on the first page. */
  previousMatch: PageMatch | null;
  /** Aborts when the user navigates away (or the extension is reloaded): clean up then. */
  signal: AbortSignal;
}

/** A content-script feature: site-agnostic, one per file, registered in `registry.ts`. */
export interface ContentFeature {
  id: string;
  /** Whether the feature runs on this kind of page. */
  runsOn(match: PageMatch): boolean;
  run(context: FeatureContext): Promise<void>;
}
