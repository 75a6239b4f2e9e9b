/**
 * The badge next to a lead's name on its record page: read the fields the page shows,
 * ask the background for the score, render it. After a client-side navigation the CRM keeps
 * showing the previous page (a lead, or a record of another kind) until it renders the new
 * one: those fields are never scored as this record's, nor its title taken for this record's name. For the life of the page the badge
 * follows the CRM's re-renders (a new title element gets the badge back) and the record's
 * edits (changed fields are rescored once saved: while the rep edits a field in place, it keeps the value it was scored with).
 * A first load slower than the wait for it keeps the badge loading a while, rather than say no field could be read.
 */
import { FIRST_RENDER_PATIENCE_MS, MAX_LEAD_NAME_LENGTH, type ScoreOutcome } from '../messaging/protocol';
import { background } from '../messaging/client';
import { concernsCrm, onEvent } from '../messaging/events';
import { PAGE_FIELD_LIMITS, type PageFields } from '../crm/types';
import { changedElementOf, clipText, dialogOpen, isWithinRendered, observeComposed, pageLocale, readText } from '../crm/dom';
import { hashFields } from '../crm/fields-hash';
import { failedOutcome, isCrmChange, mountBadge, noticeAtEnd, replaceBadge, type BadgeHandle } from './badge-ui';
import type { ContentFeature } from './types';

/**
 * After this long without this record's fields, score without them (the background may read them from the CRM).
 * After a navigation the page is read again then, even if they rendered: an adapter may hold back a field it could
 * not yet tell was this record's (HubSpot: a property its card left untouched, of the same value, see hubspot.ts).
 */
const RENDER_TIMEOUT_MS = 3000;
/**
 * Check the page at most this often: the CRM's re-renders come in bursts, and a read can walk the
 * whole page (HubSpot's look for shadow roots). Until this record first renders, a change after a
 * quiet spell is looked at at once: the badge's latency counts. Once it has, see `mayChangeRecord`.
 */
const WATCH_INTERVAL_MS = 200;
/**
 * How long after this record's fields render its title may still show the previous page's
 * name: past it, a title that reads the same is this record's own (a lead of the same name).
 */
const TITLE_GRACE_MS = 1000;

interface Snapshot {
  fields: PageFields;
  hash: string | null;
  /** The record's name, unless the title still shows the previous page's. */
  name: string | undefined;
  /** The title still shows the previous page's name (see `titleAtStart`). */
  titleStale: boolean;
  /** The record view the fields were read in (`CrmAdapter.readRecordView`), null on a page without one. */
  view: Element | null;
}

/** How many records' last shown fields the page remembers (a rep goes back and forth among a few). */
const REMEMBERED_RECORDS = 20;
/** Fields as a record's page showed them. */
interface ShownFields {
  fields: PageFields;
  hash: string;
}

/**
 * Record id → the fields last shown as that record's, in this page, read as the check at the start reads
 * them (without the fields a HubSpot tab hides, which are scored as they were). Coming back to a record the
 * CRM still shows (Back before the other lead rendered, a modal with its own URL closed over it), on a page
 * without record views (`CrmAdapter.readRecordView`), the fields on the page are then known to be its own.
 */
const lastShown = new Map<string, ShownFields>();

/**
 * A record view element (`CrmAdapter.readRecordView`) → the record it shows: the one whose fields were read in it,
 * or that took it as new. The element tells which record a view shows where values cannot: a field of the previous
 * lead that changed since its last read (an inline edit saved, a lookup filled) reads as no one's.
 */
const recordOfView = new WeakMap<Element, string>();

/** A record page's run, as the next one needs it. */
interface Run {
  record: string;
  /** Fields were read as its record's. */
  fieldsRead: boolean;
}
/** The latest run: as a run starts, the previous page's (null on the first). */
let latestRun: Run | null = null;

function rememberShown(recordId: string, shown: ShownFields): void {
  lastShown.delete(recordId);
  lastShown.set(recordId, shown);
  if (lastShown.size > REMEMBERED_RECORDS) lastShown.delete(lastShown.keys().next().value!);
}

/** Every field of `shown` holds its value in `among`: at most, some of `among`'s are not shown. */
function shownWithin(shown: PageFields, among: PageFields): boolean {
  return Object.entries(shown).every(([name, value]) => Object.hasOwn(among, name) && among[name] === value);
}

/**
 * The fields `shown`, then those of `scored` it does not show that `keepsScored` names, up to a request's limit:
 * a field the page hides (another tab open) was hidden, not cleared; one in edit is not saved yet.
 */
function withUnreadAsScored(shown: PageFields, scored: PageFields, keepsScored: (name: string) => boolean): PageFields {
  const unread = Object.entries(scored).filter(([name]) => !Object.hasOwn(shown, name) && keepsScored(name));
  return Object.fromEntries([...Object.entries(shown), ...unread].slice(0, PAGE_FIELD_LIMITS.maxFields));
}

export const recordBadge: ContentFeature = {
  id: 'record-badge',
  runsOn: (match) => match.kind === 'record',
  async run({ document, adapter, match, previousMatch, signal }) {
    if (match.kind !== 'record') return;
    const { crm, recordId } = match;
    /** The fields the page shows, hashed once per read (null when it shows none). */
    const snapshot = (fields: PageFields, name: string | undefined, titleStale = false, view: Element | null = null): Snapshot => ({
      fields,
      hash: Object.keys(fields).length === 0 ? null : hashFields(fields),
      name,
      titleStale,
      view,
    });

    const thisRecord = `${crm} ${recordId}`;
    const previousRun = latestRun;
    const thisRun: Run = { record: thisRecord, fieldsRead: false };
    latestRun = thisRun;

    // Coming from another page, the CRM may still show it until it renders this record: what the page shows as the URL
    // comes is this record's only on evidence. A record view (`CrmAdapter.readRecordView`) read as this record's is (Back, a
    // console tab come back to); a view never read is after a lead whose fields were read, so in another view (a
    // Salesforce console tab rendered in the background, shown before its URL names it). Without record views
    // (HubSpot), the fields last read as this record's are.
    // Anything else is held back (`previous`), whatever it reads as: the previous lead's fields may have changed since
    // their last read (an inline edit saved), and a page LeadLens does not badge (a HubSpot company) reads as anything.
    const viewAtStart = previousMatch !== null ? adapter.readRecordView(document) : null;
    const fieldsAtStart = previousMatch !== null ? adapter.readRecordFields(document) : null;
    const shownAtStart = fieldsAtStart === null ? null : snapshot(fieldsAtStart, undefined, false, viewAtStart);
    const previousLead = previousMatch?.kind === 'record' ? `${previousMatch.crm} ${previousMatch.recordId}` : null;
    const previousLeadRead = previousLead !== null && previousRun?.record === previousLead && previousRun.fieldsRead;
    const ownerBeforeStart = viewAtStart === null ? undefined : recordOfView.get(viewAtStart);
    const takesViewAtStart = viewAtStart !== null && ownerBeforeStart === undefined && previousLeadRead;
    if (takesViewAtStart) recordOfView.set(viewAtStart, thisRecord);
    const showsThisRecord =
      viewAtStart !== null ? takesViewAtStart || ownerBeforeStart === thisRecord : shownAtStart?.hash != null && lastShown.get(thisRecord)?.hash === shownAtStart.hash;
    const previous = showsThisRecord ? null : shownAtStart;
    /**
     * The view held back at the start: what is read in it is told by value (`previous`), as the CRM may render this record
     * in it, in place. Null when the view at the start shows this record.
     */
    const heldView = previous !== null ? viewAtStart : null;
    // The CRM may render this record's fields before its title (HubSpot re-renders the header in
    // place): a title that reads as the one shown at the start is the previous page's, until it
    // changes or TITLE_GRACE_MS after the fields render (then null: the title is this record's).
    let titleAtStart = previousMatch !== null && !showsThisRecord ? { name: adapter.readRecordName(document) } : null;
    /** A view of no record's, seen once this record's fields were read, that this run takes if it stays shown (see `read`). */
    let viewOnProbation: Element | null = null;
    let probationTimer: ReturnType<typeof setTimeout> | undefined;
    /** Takes `view` for this record if it is still shown, and no record's, once the URL has named this record TITLE_GRACE_MS more. */
    const takeViewIfKept = (view: Element) => {
      if (viewOnProbation === view) return;
      viewOnProbation = view;
      clearTimeout(probationTimer);
      probationTimer = setTimeout(() => {
        viewOnProbation = null;
        if (adapter.readRecordView(document) !== view || recordOfView.has(view)) return;
        recordOfView.set(view, thisRecord);
        refresh(read());
      }, TITLE_GRACE_MS);
    };
    /**
     * `view`'s own title (the badge's anchor) shows `name`: not only the browser tab's title, which the name falls back
     * to and which still names the previous record while a console tab's view is an empty shell.
     */
    const titledWith = (view: Element, name: string) => {
      const title = adapter.findBadgeAnchor(document);
      return title !== null && isWithinRendered(title, view) && readText(title).includes(name);
    };
    /** What the last read found that a change outside its record view can change: the view, and whether a dialog was open. */
    let lastRead: { view: Element | null; dialogOpen: boolean } = { view: null, dialogOpen: false };
    /**
     * What the page shows now, its title read once. A view seen for the first time, other than the one held back, is this
     * record's while its fields are awaited. Once they were read, a new view is this record's at once if its own title
     * names this record as last read (`titledWith`) (Lightning rendering it again: an edit saved, a tab refreshed), whatever its fields now
     * are; without a name to go by, if it shows the fields last read too. Any other new view is this record's only if the
     * URL still names this record TITLE_GRACE_MS later: a console shows a tab before its URL names that tab's lead, and the
     * lead shown until then must not take it. The name decides, not the fields: they change with every edit saved, while
     * another lead's tab shown before its URL almost always has another name. Two leads of the same name, one's tab shown
     * from the other's, are the rare case this gets wrong: the first takes the second's tab and scores its fields as its
     * own, and the second's badge floats, scored without them.
     */
    const read = (): Snapshot => {
      const view = adapter.readRecordView(document);
      const name = adapter.readRecordName(document);
      const titleStale = titleAtStart !== null && name === titleAtStart.name;
      const shown = snapshot(adapter.readRecordFields(document), titleStale || name == null ? undefined : clipText(name, MAX_LEAD_NAME_LENGTH), titleStale, view);
      lastRead = { view, dialogOpen: dialogOpen(document) };
      if (view !== null && view !== heldView && !recordOfView.has(view)) {
        const showsFieldsLastRead = shown.hash !== null && shown.hash === lastShown.get(thisRecord)?.hash;
        const rendersThisRecordAgain = shown.name === requested?.name && (showsFieldsLastRead || (shown.name !== undefined && titledWith(view, shown.name)));
        if (!thisRun.fieldsRead || rendersThisRecordAgain) recordOfView.set(view, thisRecord);
        else takeViewIfKept(view);
      }
      return shown;
    };
    /**
     * Not this record's: read in a view of another record, or in the view held back (or on a page without views) only what
     * the previous page showed (all of it, or what is left of it while the CRM unmounts it).
     */
    const isStale = (shown: Snapshot): boolean => {
      if (shown.hash === null) return false;
      if (shown.view !== null && shown.view !== heldView) return recordOfView.get(shown.view) !== thisRecord;
      if (previous === null) return false;
      return shownWithin(shown.fields, previous.fields);
    };
    const isFresh = (shown: Snapshot) => shown.hash !== null && !isStale(shown);

    let badge: BadgeHandle | null = null;
    let anchor: Element | null = null;
    /** The name a floating badge was mounted with. */
    let badgeLeadName: string | undefined;
    let outcome: ScoreOutcome | null = null;
    let requested: Snapshot | null = null;
    let latestRequest = 0;
    /** This record's fields have not shown yet. */
    let awaitingRender = false;
    /** No field of this record has been read yet, and the page may still show some (see `FIRST_RENDER_PATIENCE_MS`). */
    let firstLoadPending = true;
    /** The failed answer to a request without fields, held back while `firstLoadPending`. */
    let heldFailure: ScoreOutcome | null = null;
    let patienceTimer: ReturnType<typeof setTimeout> | undefined;
    let renderTimer: ReturnType<typeof setTimeout> | undefined;
    let checkTimer: ReturnType<typeof setTimeout> | undefined;
    let titleTimer: ReturnType<typeof setTimeout> | undefined;

    const score = async (shown: Snapshot) => {
      requested = shown;
      heldFailure = null;
      const request = ++latestRequest;
      // The page writes numbers and dates in its user's locale, and times in their time zone: as a rule the browser's.
      const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      const reply = await background
        .scoreLead({ crm, recordId, fields: shown.fields, name: isFresh(shown) ? shown.name : undefined, locale: pageLocale(document, navigator.language)?.slice(0, 35), timeZone })
        .catch(failedOutcome);
      // An older request's reply can arrive after a newer one's: only the latest is shown.
      if (signal.aborted || request !== latestRequest) return;
      // The page may still be loading: "could not read any of its fields" would be wrong, the badge keeps loading.
      if (!reply.ok && shown.hash === null && firstLoadPending) {
        heldFailure = reply;
        return;
      }
      outcome = reply;
      badge?.show(reply);
    };

    const onPatienceOver = () => {
      firstLoadPending = false;
      if (heldFailure === null) return;
      outcome = heldFailure;
      heldFailure = null;
      badge?.show(outcome);
    };

    /** Once this record's fields show, whether its title does too; if not, when it is taken to. */
    const settleTitle = (shown: Snapshot) => {
      if (titleAtStart === null || !isFresh(shown)) return;
      if (!shown.titleStale) titleAtStart = null;
      else {
        titleTimer ??= setTimeout(() => {
          titleAtStart = null;
          refresh(read());
        }, TITLE_GRACE_MS);
      }
    };

    /** Badge at the record's title (floating while the page still shows the previous record's), scoring changed fields or name. */
    const refresh = (shown: Snapshot) => {
      settleTitle(shown);
      const stale = isStale(shown) || shown.titleStale;
      const found = stale ? null : adapter.findBadgeAnchor(document);
      // A dialog over the page hides its title (aria-hidden) from the lookup: the badge stays at
      // the title while the title is there, not floating over the dialog's buttons.
      const target = !stale && found === null && anchor?.isConnected && dialogOpen(document) ? anchor : found;
      // A name lost for a moment (the CRM re-rendering the title) is no reason to score again.
      const renamed = shown.name !== undefined && shown.name !== requested?.name;
      if (isFresh(shown)) {
        firstLoadPending = false;
        clearTimeout(patienceTimer);
        // Fields hidden (a HubSpot tab switched away from) and fields in edit (the rep clicked Salesforce's pencil)
        // keep the values they were scored with: scored without them the lead would read as less known, its tier
        // changing. Once saved or cancelled, a field is read again. A field shown wins, emptied too.
        const inEdit = new Set(requested === null ? [] : adapter.readFieldsInEdit(document));
        const keepsScored = (name: string) => adapter.readsShownFieldsOnly || inEdit.has(name);
        const toScore =
          requested === null ? shown : snapshot(withUnreadAsScored(shown.fields, requested.fields, keepsScored), shown.name, shown.titleStale, shown.view);
        // What the page shows, not `toScore`: the check at the start sees no hidden fields (a HubSpot tab switched away from).
        rememberShown(thisRecord, { fields: shown.fields, hash: shown.hash! });
        if (shown.view !== null) recordOfView.set(shown.view, thisRecord);
        thisRun.fieldsRead = true;
        if (renamed || toScore.hash !== requested?.hash) void score(toScore);
      }
      // A floating badge may sit over another lead's page or a list: it names its lead, by the id until the name is known.
      const leadName = target === null ? (requested?.name ?? `lead ${recordId}`) : undefined;
      if (!badge?.host.isConnected || target !== anchor || leadName !== badgeLeadName) {
        anchor = target;
        badgeLeadName = leadName;
        badge = replaceBadge(badge, () => {
          const mounted = mountBadge(document, target, { leadName });
          if (outcome) mounted.show(outcome);
          return mounted;
        });
      }
    };

    const onRenderTimeout = () => {
      renderTimer = undefined;
      awaitingRender = false;
      refresh(read());
      // Nothing of this record's to send: the background reads it from the CRM, or says it could not (held back a while: see score).
      if (!requested) void score(snapshot({}, undefined));
    };

    /** Until this record first renders: whether it has now (then badged and scored at once). */
    const lookForFirstRender = () => {
      const shown = read();
      if (!isFresh(shown)) return;
      awaitingRender = false;
      refresh(shown);
    };
    /** A change came while the first render was being waited for, during `WATCH_INTERVAL_MS` after the last look. */
    let changedSinceLook = false;
    let lookTimer: ReturnType<typeof setTimeout> | undefined;
    /** At once after a quiet spell, else at the end of the interval: a page loading under a shimmer changes many times before it renders. */
    const throttledLookForFirstRender = () => {
      if (lookTimer !== undefined) {
        changedSinceLook = true;
        return;
      }
      changedSinceLook = false;
      lookForFirstRender();
      lookTimer = setTimeout(() => {
        lookTimer = undefined;
        if (changedSinceLook && awaitingRender) throttledLookForFirstRender();
      }, WATCH_INTERVAL_MS);
    };

    /**
     * Whether a change by the CRM may change the record a read finds, once it first rendered: any change while no record view
     * was read (HubSpot marks none: its fields may be anywhere), else a change in the view read. Any other (a notification
     * bell, a toast, a header's counter, a console tab switched) has the next look read the page again only if it shows
     * another record view or a dialog opened or closed (`lookAgain`): reading the whole record is costly.
     */
    const mayChangeRecord = (record: MutationRecord): boolean => lastRead.view === null || isWithinRendered(changedElementOf(record.target), lastRead.view);
    /** A change since the last look may change the record a read finds (`mayChangeRecord`), or the badge was lost. */
    let recordMayHaveChanged = false;
    /**
     * Read the page again if the record may have changed, or if the page shows another record view now (a console tab
     * switched, a view stacked before the one read, the one read gone) or a dialog opened or closed (the badge stays at a
     * title a dialog hides: see `refresh`): both cheap to tell, unlike the record's fields.
     */
    const lookAgain = () => {
      checkTimer = undefined;
      const readAgain = recordMayHaveChanged || adapter.readRecordView(document) !== lastRead.view || dialogOpen(document) !== lastRead.dialogOpen;
      recordMayHaveChanged = false;
      if (readAgain) refresh(read());
    };

    const onChanges = (records: MutationRecord[]) => {
      const badgeLost = badge !== null && !badge.host.isConnected;
      const crmChanges = records.filter(isCrmChange);
      if (!badgeLost && crmChanges.length === 0) return;
      if (awaitingRender) {
        throttledLookForFirstRender();
        return;
      }
      recordMayHaveChanged ||= badgeLost || crmChanges.some(mayChangeRecord);
      checkTimer ??= setTimeout(lookAgain, WATCH_INTERVAL_MS);
    };

    signal.addEventListener(
      'abort',
      () => {
        changes.disconnect();
        clearTimeout(renderTimer);
        clearTimeout(lookTimer);
        clearTimeout(checkTimer);
        clearTimeout(titleTimer);
        clearTimeout(probationTimer);
        clearTimeout(patienceTimer);
        // The rep stays on this lead: its badge says why it scores no more, rather than vanish.
        const notice = noticeAtEnd(signal.reason);
        if (notice) badge?.show({ ok: false, error: notice });
        else badge?.remove();
      },
      { once: true },
    );
    // Another active model or tier policy, or this CRM's connection or stored leads changed: score again.
    onEvent(
      'scoresChanged',
      (change) => {
        if (requested && concernsCrm(change, crm)) void score(requested);
      },
      signal,
    );

    const first = read();
    awaitingRender = !isFresh(first);
    if (!awaitingRender) refresh(first);
    // After a navigation, also once this record's fields show: they may not all have yet (see RENDER_TIMEOUT_MS).
    if (awaitingRender || previousMatch !== null) renderTimer = setTimeout(onRenderTimeout, RENDER_TIMEOUT_MS);
    if (awaitingRender) patienceTimer = setTimeout(onPatienceOver, FIRST_RENDER_PATIENCE_MS);
    const changes = observeComposed(document, onChanges, {
      childList: true,
      subtree: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['class', 'style', 'hidden'],
    });
  },
};
