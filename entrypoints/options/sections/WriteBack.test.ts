// @vitest-environment happy-dom
/**
 * The write-back form while a write-back checks the fields and scores the CRM's leads, before it
 * writes: it says which, how far the scoring is, offers Cancel, and no longer shows the last
 * write-back's end. Once it has ended, it says when the CRM's fields no longer hold what the
 * active model gives: another model activated, or tier thresholds changed, since. It names the
 * fields LeadLens wrote to before and no longer updates, with what it last wrote there, until the
 * admin forgets one emptied or deleted in the CRM. Its intro names the model whose scores it
 * writes, and says when that is a default model (another version's, imported, too), which learnt
 * from demo leads.
 */
import { inTimeZone } from '@/test/time-zone';
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionReply } from '@/lib/connections/schema';
import type { CrmKind } from '@/lib/crm/types';
import { db } from '@/lib/db/db';
import { fieldsHeldKey } from '@/lib/db/write-back-report';
import { rememberFieldsWritten } from '@/lib/db/written-back-fields';
import { writeJob } from '@/lib/jobs/progress';
import { idleWriteBack, type WriteBackSummary } from '@/lib/messaging/protocol-write-back';
import { bundledModel } from '@/lib/ml/bundled-model';
import { activeModelId, setTiers } from '@/lib/ml/model-store';
import { activateModel } from '@/lib/ml/model-versions';
import { storeModel } from '@/test/fixtures/stored-model';
import { formatThreshold } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';
import { deferred } from '@/test/deferred';
import { click, focusedMessage, followLiveRegions, pressEnter, render, waitFor, type Rendered } from '@/test/render';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { WriteBackSection } from './WriteBack';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
const background = vi.hoisted(() => ({ writeBackStatus: vi.fn(), writeBackScores: vi.fn(), cancelWriteBack: vi.fn(), connectionStatus: vi.fn() }));
vi.mock('@/lib/messaging/client', () => ({ background }));

const TARGET = { scoreField: 'leadlens_score', tierField: null, reasonField: null };
const summary = (crm: CrmKind, status: WriteBackSummary['status'], counts: Partial<WriteBackSummary> = {}): WriteBackSummary => ({
  ...idleWriteBack(crm),
  status,
  target: TARGET,
  ...counts,
});
const LAST_DONE = summary('hubspot', 'done', { done: 120, total: 120, written: 120, finishedAt: 1_700_000_000_000 });
let hubspot: WriteBackSummary;
let hubspotConnection: ConnectionReply['status'];

let rendered: Rendered | undefined;
let queryClient: QueryClient;
beforeEach(async () => {
  await Promise.all([db.settings.clear(), db.models.clear()]);
  hubspot = LAST_DONE;
  hubspotConnection = 'connected';
  background.connectionStatus.mockReset().mockImplementation(async () => ({
    ok: true,
    connections: [
      { crm: 'salesforce', status: 'connected', host: 'acme.my.salesforce.com', message: 'Connected', settings: null },
      { crm: 'hubspot', status: hubspotConnection, host: 'api.hubapi.com', message: hubspotConnection === 'connected' ? 'Connected' : 'Not connected', settings: null },
    ],
  }));
  background.writeBackStatus.mockReset().mockImplementation(async () => ({ ok: true, writeBacks: [summary('salesforce', 'idle'), hubspot] }));
  background.writeBackScores.mockReset().mockImplementation(async () => {
    hubspot = summary('hubspot', 'checking');
    return { ok: true, ...hubspot };
  });
  background.cancelWriteBack.mockReset().mockImplementation(async () => ({ ok: true, ...hubspot }));
});
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

const form = () => rendered!.container.querySelector<HTMLFormElement>('[data-testid="write-back-hubspot"]');
const text = () => form()?.textContent ?? '';
const button = (testId: string) => form()?.querySelector<HTMLButtonElement>(`[data-testid="${testId}"]`) ?? null;
const buttonNamed = (name: string) => Array.from(form()?.querySelectorAll('button') ?? []).find((candidate) => candidate.textContent === name) ?? null;
/** The running write-back's Cancel, which asks first. */
const cancelButton = () => form()?.querySelector<HTMLButtonElement>('[data-testid="cancel-write-back-hubspot"] button') ?? null;

async function renderSection() {
  queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(WriteBackSection)));
  await waitFor(form);
}

it('says the step that fixes credentials the CRM refused, and not once they are reconnected', async () => {
  const refusal = 'HubSpot did not accept the access token: paste a current access token of your private app (or service key), then Reconnect (HTTP 401)';
  hubspot = summary('hubspot', 'error', { done: 0, total: 15, error: refusal, stoppedBySignInRefusal: true, finishedAt: 2 });
  hubspotConnection = 'reconnect';
  await renderSection();
  const stopped = () => Array.from(form()!.querySelectorAll('[role="alert"]')).find((alert) => alert.textContent!.startsWith('The write-back to HubSpot stopped'))?.textContent;
  await waitFor(() => button('write-back-connect-hubspot') ?? form()!.querySelector('[data-testid="write-back-connect-hubspot"]'));
  expect(stopped()).toBe(`The write-back to HubSpot stopped: ${refusal}`);

  rendered!.unmount();
  hubspotConnection = 'connected';
  await renderSection();
  await waitFor(() => (stopped()?.includes('reconnected since') ? true : null));
  expect(stopped()).toBe('The write-back to HubSpot stopped: HubSpot refused the credentials it had then (reconnected since)');
});

it('says the fields are being checked, then how far the scoring of the CRM’s leads is, with Cancel, instead of the last write-back’s end', async () => {
  await renderSection();
  expect(text()).toContain('Wrote 120 of 120 leads to HubSpot');

  click(button('start-write-back-hubspot')!);
  await waitFor(() => text().includes('Checking that HubSpot lets LeadLens fill these fields'));
  expect(text()).not.toContain('Wrote 120');
  expect(button('start-write-back-hubspot')).toBeNull();
  const cancel = await waitFor(cancelButton);
  expect(cancel.textContent).toBe('Cancel writing…');

  // Scoring, polled: the bar follows the shared scoring job run for HubSpot's leads.
  hubspot = summary('hubspot', 'scoring');
  await waitFor(() => text().includes('Scoring the leads synced from HubSpot'));
  await act(() => writeJob('scoring', { modelId: 'model-1', state: 'running', done: 400, total: 1_000, startedAt: 1, source: 'hubspot' }));
  await waitFor(() => text().includes('Scoring the leads synced from HubSpot: 400 of 1,000 (40%)'));

  click(cancel);
  click(buttonNamed('Yes, cancel writing')!);
  await waitFor(() => background.cancelWriteBack.mock.calls.length > 0);
  expect(background.cancelWriteBack).toHaveBeenCalledWith({ crm: 'hubspot' });
  hubspot = summary('hubspot', 'cancelled', { finishedAt: 1_700_000_100_000 });
  await waitFor(() => text().includes('Cancelled before anything was written.'));
});

it('shows no progress of another scoring job as the write-back’s', async () => {
  hubspot = summary('hubspot', 'scoring');
  await writeJob('scoring', { modelId: 'model-1', state: 'running', done: 400, total: 2_000, startedAt: 1 });
  await renderSection();
  await waitFor(() => text().includes('Scoring the leads synced from HubSpot…'));
  expect(text()).not.toContain('400 of 2,000');
  expect(cancelButton()?.disabled).toBe(false);
});

it('announces each stage and how the write-back ended in a live region on the page before it starts, not the counts', async () => {
  await renderSection();
  const announced = followLiveRegions(form()!);
  const says = (text: string) => waitFor(() => announced().some((said) => said.startsWith(text)) || null);

  click(button('start-write-back-hubspot')!);
  await says('Checking that HubSpot lets LeadLens fill these fields…');
  hubspot = summary('hubspot', 'scoring');
  await says('Scoring the leads synced from HubSpot…');
  await act(() => writeJob('scoring', { modelId: 'model-1', state: 'running', done: 400, total: 1_000, startedAt: 1, source: 'hubspot' }));
  await waitFor(() => text().includes('400 of 1,000'));
  hubspot = summary('hubspot', 'running', { done: 40, total: 100 });
  await says('Writing scores to HubSpot…');
  expect(announced().join(' ')).not.toMatch(/\d+ of \d+/);
  hubspot = summary('hubspot', 'done', { done: 100, total: 100, written: 100, finishedAt: 1_700_000_200_000 });
  await says('Wrote 100 of 100 leads to HubSpot');
});

it('says how far a stopped or cancelled write-back got, what it could not confirm, what it emptied or left as a rep typed it, and the refusals it did not list', async () => {
  hubspot = summary('hubspot', 'error', { done: 600, total: 1_000, written: 500, unconfirmed: 100, error: 'HubSpot refused the token (401)', finishedAt: 1 });
  await renderSection();
  await waitFor(() => text().includes('Before it stopped: wrote 500 of 1,000 leads to HubSpot.'));
  expect(text()).toContain('100 leads were being sent when it stopped: HubSpot may or may not have written them. Write back again to be sure.');

  // A write-back that has ended is not polled: each end as the page opens on it.
  rendered!.unmount();
  hubspot = summary('hubspot', 'cancelled', { done: 300, total: 1_000, written: 200, finishedAt: 2 });
  await renderSection();
  await waitFor(() => text().includes('Cancelled: wrote 200 of 1,000 leads to HubSpot; what was written stays.'));

  hubspot = summary('hubspot', 'done', {
    done: 1_000,
    total: 1_000,
    written: 990,
    cleared: 1,
    unlistedFailures: 4,
    failures: [{ error: 'INVALID_EMAIL', count: 6, recordIds: ['1', '2'] }],
    notCleared: [{ reason: '"leadlens_tier" no longer holds what LeadLens wrote there (changed in HubSpot since the last sync): left as it is', count: 2, recordIds: ['7', '8'] }],
    unlistedNotCleared: 3,
    finishedAt: 3,
  });
  rendered!.unmount();
  await renderSection();
  await waitFor(() => text().includes('1 of them was emptied: the active model cannot score that lead'));
  // Only what LeadLens wrote is emptied: the words say so, not that an earlier model wrote whatever was there.
  expect(text()).toContain(
    '1 of them was emptied: the active model cannot score that lead, and the values LeadLens wrote there before are no longer its score. Values LeadLens did not write, or that were changed since, are left as they are.',
  );
  expect(text()).toContain('6 not written: INVALID_EMAIL');
  expect(text()).toContain('4 more leads not written for other reasons.');
  // A value a rep typed since the last sync is kept, and said so.
  expect(text()).toContain('2 leads not emptied: "leadlens_tier" no longer holds what LeadLens wrote there (changed in HubSpot since the last sync): left as it is (e.g. 7, 8).');
  expect(text()).toContain('3 more leads not emptied for other reasons.');
});

it('says how many converted Salesforce Leads it left out, done, cancelled or stopped: Salesforce lets no one update them, and "Wrote 271 of 271" alone would hide them', async () => {
  let salesforce = summary('salesforce', 'done', { done: 271, total: 271, written: 271, converted: 31, finishedAt: 1 });
  background.writeBackStatus.mockImplementation(async () => ({ ok: true, writeBacks: [salesforce, hubspot] }));
  const salesforceText = () => rendered!.container.querySelector('[data-testid="write-back-salesforce"]')?.textContent ?? '';
  const note = '31 converted Leads were not written: Salesforce lets no one update a converted Lead.';
  await renderSection();
  await waitFor(() => salesforceText().includes('Wrote 271 of 271 leads to Salesforce'));
  expect(salesforceText()).toContain(note);

  salesforce = summary('salesforce', 'cancelled', { done: 200, total: 271, written: 200, converted: 31, finishedAt: 2 });
  rendered!.unmount();
  await renderSection();
  await waitFor(() => salesforceText().includes('Cancelled: wrote 200 of 271 leads to Salesforce; what was written stays.'));
  expect(salesforceText()).toContain(note);

  salesforce = summary('salesforce', 'error', { done: 200, total: 271, written: 200, converted: 1, error: 'Salesforce did not answer', finishedAt: 3 });
  rendered!.unmount();
  await renderSection();
  await waitFor(() => salesforceText().includes('Before it stopped: wrote 200 of 271 leads to Salesforce.'));
  expect(salesforceText()).toContain('1 converted Lead was not written: Salesforce lets no one update a converted Lead.');
  // None left out: nothing said (a HubSpot contact that converted is written).
  expect(text()).toContain('Wrote 120 of 120 leads to HubSpot');
  expect(text()).not.toContain('converted');
});

it('drops from its report the record ids of leads a sync removed since, once told stored leads were deleted', async () => {
  hubspot = summary('hubspot', 'done', { done: 10, total: 10, written: 8, failures: [{ error: 'INVALID_EMAIL', count: 2, recordIds: ['1', '2'] }], finishedAt: 3 });
  await renderSection();
  await waitFor(() => text().includes('2 not written: INVALID_EMAIL (e.g. 1, 2)'));
  // The sync removed lead 2, and its id from the stored report, then said so.
  hubspot = summary('hubspot', 'done', { done: 10, total: 10, written: 8, failures: [{ error: 'INVALID_EMAIL', count: 1, recordIds: ['1'] }], finishedAt: 3 });
  await act(() => fakeBrowser.runtime.onMessage.trigger({ target: 'event', type: 'storedDataDeleted', payload: {} }, {} as never, () => undefined));
  await waitFor(() => text().includes('1 not written: INVALID_EMAIL (e.g. 1)'));
  expect(text()).not.toContain('e.g. 1, 2');
});

it('keeps the reason of a group whose listed records a sync removed, its other records with it, and lists no id', async () => {
  hubspot = summary('hubspot', 'done', { done: 30, total: 30, written: 5, failures: [{ error: 'Record locked', count: 25, recordIds: [] }], finishedAt: 3 });
  await renderSection();
  await waitFor(() => text().includes('25 not written: Record locked'));
  expect(text()).not.toContain('e.g.');
  expect(text()).not.toContain('other reasons');
});

describe('the fields LeadLens wrote to before and no longer updates', () => {
  const note = () => form()?.querySelector('[data-testid="write-back-no-longer-written-hubspot"]') ?? null;
  /** Each paragraph of the note, as read (a field's with its Forget button). */
  const noteLines = () => Array.from(note()?.querySelectorAll('p') ?? [], (line) => line.textContent);
  const forgetButton = (field: string) => Array.from(note()?.querySelectorAll('button') ?? []).find((button) => button.textContent === `Forget ${field}`) ?? null;
  const TIERS_WRITTEN_AT = Date.UTC(2026, 10, 20, 12);
  const onDay = (at: number) => new Date(at).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' });

  it('names a field the target leaves out, with what LeadLens last wrote there and when, and how to act', async () => {
    await rememberFieldsWritten('hubspot', [{ name: 'leadlens_score', holds: 'score' }, { name: 'leadlens_tier', holds: 'tier' }], TIERS_WRITTEN_AT);
    await renderSection();
    await waitFor(note);
    // What LeadLens knows: what it wrote and when, not what the field holds now (the admin may have emptied it since).
    expect(noteLines()).toEqual([
      `LeadLens last wrote tiers to leadlens_tier on ${onDay(TIERS_WRITTEN_AT)} and no longer updates it: unless emptied since, it still holds them. Forget leadlens_tier`,
      "HubSpot's reports, workflows and routing may still act on these values, even on leads whose score has changed or been emptied since. Name it again above to keep it up to date, or empty it in HubSpot: LeadLens leaves it as it is. Once a field is emptied or deleted in HubSpot, forget it here: LeadLens does not see that.",
    ]);
    // The button says when to use it to a screen reader too, and does not submit the form.
    const forget = forgetButton('leadlens_tier')!;
    expect(forget.type).toBe('button');
    expect(document.getElementById(forget.getAttribute('aria-describedby')!)?.textContent).toBe('Once a field is emptied or deleted in HubSpot, forget it here: LeadLens does not see that.');
    // The write-back's own end is still said.
    expect(text()).toContain('Wrote 120 of 120 leads to HubSpot');
  });

  it('names each of several, and nothing once the target names them again, or before any write-back', async () => {
    await rememberFieldsWritten('hubspot', [{ name: 'ai_tier', holds: 'tier' }, { name: 'ai_reason', holds: 'reason' }], TIERS_WRITTEN_AT);
    await renderSection();
    await waitFor(note);
    const [tier, reason, advice] = noteLines();
    expect(tier).toBe(`LeadLens last wrote tiers to ai_tier on ${onDay(TIERS_WRITTEN_AT)} and no longer updates it: unless emptied since, it still holds them. Forget ai_tier`);
    expect(reason).toMatch(/^LeadLens last wrote top reasons to ai_reason on .* Forget ai_reason$/);
    expect(advice).toMatch(/Name them again above to keep them up to date, or empty them in HubSpot: LeadLens leaves them as they are\./);

    rendered!.unmount();
    hubspot = { ...LAST_DONE, target: { scoreField: 'leadlens_score', tierField: 'ai_tier', reasonField: 'ai_reason' } };
    await renderSection();
    await waitFor(() => text().includes('Wrote 120'));
    expect(note()).toBeNull();

    rendered!.unmount();
    hubspot = summary('hubspot', 'idle', { target: null });
    await renderSection();
    await waitFor(() => button('start-write-back-hubspot'));
    expect(note()).toBeNull();
  });

  it('names none of the fields the last write-back wrote after an attempt at others refused, which wrote nothing, until one writes there', async () => {
    const writtenWith = { modelId: 'model-1', modelCreatedAt: '2026-11-01T00:00:00.000Z', hot: 0.3, warm: 0.1, tiersMixed: false };
    await rememberFieldsWritten('hubspot', [{ name: 'leadlens_score', holds: 'score' }], TIERS_WRITTEN_AT);
    await db.settings.put({ key: fieldsHeldKey('hubspot'), value: { target: TARGET, writtenWith } });
    // HubSpot's own property refused before anything was scored or written: the report names it, what the fields hold does not.
    const refused = { scoreField: 'hs_object_id', tierField: null, reasonField: null };
    hubspot = summary('hubspot', 'error', { target: refused, error: '"hs_object_id" (Record ID) is one of HubSpot\'s own properties. Nothing was written.', finishedAt: 2 });
    await renderSection();
    await waitFor(() => text().includes('The write-back to HubSpot stopped'));
    expect(note()).toBeNull();

    // One that wrote there (the fields held now its own): leadlens_score is no longer updated.
    rendered!.unmount();
    const moved = { scoreField: 'ai_score', tierField: null, reasonField: null };
    await db.settings.put({ key: fieldsHeldKey('hubspot'), value: { target: moved, writtenWith } });
    hubspot = { ...LAST_DONE, target: moved, writtenWith };
    await renderSection();
    await waitFor(note);
    expect(noteLines()[0]).toMatch(/^LeadLens last wrote scores to leadlens_score on .* Forget leadlens_score$/);
  });

  it('forgets a field the admin emptied or deleted in the CRM: its line goes, for good, and the focus goes to a line saying so', async () => {
    await rememberFieldsWritten('hubspot', [{ name: 'ai_tier', holds: 'tier' }, { name: 'ai_reason', holds: 'reason' }], TIERS_WRITTEN_AT);
    await renderSection();
    await waitFor(note);

    const forgetTier = forgetButton('ai_tier')!;
    act(() => forgetTier.focus());
    click(forgetTier);
    await waitFor(() => !forgetButton('ai_tier') || null);
    expect(noteLines()[0]).toMatch(/^LeadLens last wrote top reasons to ai_reason /);
    expect(noteLines()).toHaveLength(2);
    const forgot = await focusedMessage(/^Forgot ai_tier: LeadLens no longer says what it holds\.$/);
    expect(forgot.getAttribute('role')).toBe('status');
    expect(background.writeBackScores).not.toHaveBeenCalled();

    // The last one: the note goes, and the focus goes to that forgetting's own line.
    const forgetReason = forgetButton('ai_reason')!;
    act(() => forgetReason.focus());
    click(forgetReason);
    await focusedMessage(/^Forgot ai_reason: /);
    expect(note()).toBeNull();

    // Not said again when the page is opened again.
    rendered!.unmount();
    await renderSection();
    await waitFor(() => text().includes('Wrote 120'));
    expect(note()).toBeNull();
  });
});

describe('whose scores it writes, which every user of the CRM sees', () => {
  const modelNamed = () => rendered!.container.querySelector('[data-testid="write-back-model"]');

  it('names the default model on a fresh install, trained on made-up demo leads, and points to training on your own first', async () => {
    const parsed = bundledModel.manifest();
    if (!parsed.ok) throw new Error(parsed.error);
    await renderSection();
    const named = await waitFor(modelNamed);
    expect(named.textContent).toBe(
      `The scores written are the active model's: ${parsed.manifest.modelId}, a model trained on made-up demo leads, not on yours. ` +
        'Every user of the CRM sees what is written: train a model on your own leads first, under Train on your history.',
    );
    expect(named.querySelector('a')?.getAttribute('href')).toBe('#training');
  });

  it('names a model of your own, saying nothing of the default model', async () => {
    const parsed = bundledModel.manifest();
    if (!parsed.ok) throw new Error(parsed.error);
    // Trained in LeadLens on the company's own leads.
    const provenance = { ...parsed.manifest.provenance, source: 'hubspot leads', referenceTime: '2026-12-03T00:00:00.000Z' };
    await storeModel({ ...parsed.manifest, modelId: 'trained-2', provenance }, new Uint8Array([1]), 'trained');
    await activateModel('trained-2');
    await renderSection();
    await waitFor(() => modelNamed()?.textContent === "The scores written are the active model's: trained-2." || null);
  });

  it('warns of another version’s default model too, imported from its export as any other model', async () => {
    const parsed = bundledModel.manifest();
    if (!parsed.ok) throw new Error(parsed.error);
    await storeModel({ ...parsed.manifest, modelId: 'ebm-0123456789abcdef' }, new Uint8Array([1]), 'imported');
    await activateModel('ebm-0123456789abcdef');
    await renderSection();
    const named = await waitFor(() => (modelNamed()?.textContent?.includes('ebm-0123456789abcdef') ? modelNamed() : null));
    expect(named.textContent).toBe(
      "The scores written are the active model's: ebm-0123456789abcdef, a model trained on made-up demo leads, not on yours. " +
        'Every user of the CRM sees what is written: train a model on your own leads first, under Train on your history.',
    );
  });

  it("warns of a model trained here on Demo mode's made-up leads too, which learnt from no lead of yours", async () => {
    const parsed = bundledModel.manifest();
    if (!parsed.ok) throw new Error(parsed.error);
    const provenance = { ...parsed.manifest.provenance, source: 'hubspot demo leads', referenceTime: '2026-12-03T00:00:00.000Z', demoLeads: true as const };
    await storeModel({ ...parsed.manifest, modelId: 'trained-on-demo-2', provenance }, new Uint8Array([1]), 'trained');
    await activateModel('trained-on-demo-2');
    await renderSection();
    const named = await waitFor(() => (modelNamed()?.textContent?.includes('trained-on-demo-2') ? modelNamed() : null));
    expect(named.textContent).toBe(
      "The scores written are the active model's: trained-on-demo-2, a model trained on made-up demo leads, not on yours. " +
        'Every user of the CRM sees what is written: train a model on your own leads first, under Train on your history.',
    );
  });
});

describe('once it has ended, what the CRM’s fields hold against the active model', () => {
  const bundled = (() => {
    const parsed = bundledModel.manifest();
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.manifest;
  })();
  const WRITTEN_WITH = { modelId: bundled.modelId, modelCreatedAt: bundled.createdAt, hot: bundled.tiers.hot, warm: bundled.tiers.warm, tiersMixed: false };
  const outdatedNote = () => form()?.querySelector('[data-testid="write-back-outdated-hubspot"]')?.textContent ?? null;
  /** Waits until the form has read the active model, and drawn it: a note it would give is there then. */
  async function settle() {
    const activeId = await activeModelId();
    await waitFor(() => queryClient.getQueryData(queryKeys.manifest(activeId)));
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)));
  }

  it('says when another model was activated since: the fields hold the earlier model’s scores', async () => {
    hubspot = summary('hubspot', 'done', { done: 120, total: 120, written: 120, finishedAt: 1_700_000_000_000, writtenWith: WRITTEN_WITH });
    await renderSection();
    await waitFor(() => text().includes('Wrote 120 of 120 leads to HubSpot'));
    await settle();
    expect(outdatedNote()).toBeNull();

    await storeModel({ ...bundled, modelId: 'trained-2', createdAt: '2026-12-03T00:00:00.000Z' }, new Uint8Array([1]), 'trained');
    await act(() => activateModel('trained-2'));
    await waitFor(outdatedNote);
    expect(outdatedNote()).toBe(
      `Written with model ${bundled.modelId} (dated Nov 1, 2026); the active model is now trained-2 (dated Dec 3, 2026): the HubSpot fields, which its reports, workflows and routing read, hold the earlier model's scores, not those the badges show. Write back again to update them.`,
    );
    // What the write-back did is still said as it was.
    expect(text()).toContain('Wrote 120 of 120 leads to HubSpot');
  });

  it("dates a command-line model written with by its data's day, as the data wrote it, wherever the admin is", async () => {
    const byData = { ...WRITTEN_WITH, modelCreatedAt: '2026-11-29T23:30:00.000Z', modelDatedByData: true };
    hubspot = summary('hubspot', 'done', { done: 120, total: 120, written: 120, finishedAt: 1_700_000_000_000, writtenWith: byData });
    await storeModel({ ...bundled, modelId: 'trained-2', createdAt: '2026-12-03T00:00:00.000Z' }, new Uint8Array([1]), 'trained');
    await activateModel('trained-2');
    await inTimeZone('Pacific/Auckland', async () => {
      await renderSection();
      await waitFor(outdatedNote);
      // On the browser's clock it was Nov 30 there.
      expect(outdatedNote()).toMatch(new RegExp(`^Written with model ${bundled.modelId} \\(dated Nov 29, 2026\\);`));
    });
  });

  it('says when a write-back stopped part way wrote with another model, and nothing while one runs', async () => {
    await storeModel({ ...bundled, modelId: 'trained-2' }, new Uint8Array([1]), 'trained');
    await activateModel('trained-2');
    hubspot = summary('hubspot', 'cancelled', { done: 300, total: 1_000, written: 200, finishedAt: 2, writtenWith: WRITTEN_WITH });
    await renderSection();
    await waitFor(outdatedNote);
    expect(outdatedNote()).toMatch(/^Written with model /);

    rendered!.unmount();
    hubspot = summary('hubspot', 'running', { done: 40, total: 100, writtenWith: WRITTEN_WITH });
    await renderSection();
    await waitFor(() => text().includes('Writing scores to HubSpot'));
    await settle();
    expect(outdatedNote()).toBeNull();
  });

  it('says when the tier thresholds changed since (a tier policy applied) for the tier and reason fields, not when only the score was written', async () => {
    hubspot = summary('hubspot', 'done', {
      done: 120,
      total: 120,
      written: 120,
      finishedAt: 1,
      target: { scoreField: 'leadlens_score', tierField: 'leadlens_tier', reasonField: 'leadlens_reason' },
      writtenWith: WRITTEN_WITH,
    });
    await renderSection();
    await waitFor(() => text().includes('Wrote 120'));
    await settle();
    expect(outdatedNote()).toBeNull();

    await setTiers(bundled.modelId, { policy: { kind: 'fixed' }, hot: 0.25, warm: 0.05 });
    await act(() => queryClient.invalidateQueries());
    await waitFor(outdatedNote);
    expect(outdatedNote()).toBe(
      `Written with tier thresholds since changed (hot from ${formatThreshold(bundled.tiers.hot)}, warm from ${formatThreshold(bundled.tiers.warm)}; now hot from 25%, warm from 5%): the HubSpot fields leadlens_tier and leadlens_reason hold the earlier tiers, and the top reasons chosen by them, not those the badges show. Write back again to update them.`,
    );

    // A score does not depend on the thresholds.
    rendered!.unmount();
    hubspot = { ...hubspot, target: TARGET };
    await renderSection();
    await waitFor(() => text().includes('Wrote 120'));
    await settle();
    expect(outdatedNote()).toBeNull();
  });

  it('says when a write-back that wrote nothing left the fields with an earlier write-back’s model (a field refused on the retry)', async () => {
    await storeModel({ ...bundled, modelId: 'trained-2' }, new Uint8Array([1]), 'trained');
    await activateModel('trained-2');
    hubspot = summary('hubspot', 'error', { error: 'HubSpot contacts have no property "leadlens_score"', finishedAt: 2, writtenWith: WRITTEN_WITH });
    await renderSection();
    await waitFor(outdatedNote);
    expect(outdatedNote()).toMatch(new RegExp(`^Written with model ${bundled.modelId} .*hold the earlier model's scores`));
  });

  it('says when the tiers were written with more than one set of thresholds (a tier policy applied while it wrote), even those in force now', async () => {
    const target = { scoreField: 'leadlens_score', tierField: 'leadlens_tier', reasonField: 'leadlens_reason' };
    hubspot = summary('hubspot', 'done', { done: 120, total: 120, written: 120, finishedAt: 1, target, writtenWith: { ...WRITTEN_WITH, tiersMixed: true } });
    await renderSection();
    await waitFor(outdatedNote);
    expect(outdatedNote()).toBe(
      'Tier thresholds changed while these fields were written (a tier policy applied while a write-back wrote, or one stopped before it wrote every lead): the HubSpot fields leadlens_tier and leadlens_reason hold tiers, and top reasons chosen by them, of more than one set of thresholds, not all those the badges show. Write back again to update them.',
    );

    // A score does not depend on the thresholds.
    rendered!.unmount();
    hubspot = { ...hubspot, target: TARGET };
    await renderSection();
    await waitFor(() => text().includes('Wrote 120'));
    await settle();
    expect(outdatedNote()).toBeNull();
  });

  it('says when a write-back stopped part way left the fields with scores of more than one model, even the active one’s among them', async () => {
    hubspot = summary('hubspot', 'error', { done: 5, total: 15, written: 5, error: 'HubSpot rejected the credentials: HTTP 401', finishedAt: 2, writtenWith: { ...WRITTEN_WITH, modelsMixed: true } });
    await renderSection();
    await waitFor(outdatedNote);
    expect(outdatedNote()).toBe(
      'A write-back stopped before it wrote every lead: the HubSpot fields, which its reports, workflows and routing read, hold scores of more than one model, not all those the badges show. Write back again to update them.',
    );
  });

  it('reads a write-back kept before LeadLens recorded its model as before: nothing said of the model', async () => {
    await storeModel({ ...bundled, modelId: 'trained-2' }, new Uint8Array([1]), 'trained');
    await activateModel('trained-2');
    await renderSection();
    await waitFor(() => text().includes('Wrote 120 of 120 leads to HubSpot'));
    await settle();
    expect(outdatedNote()).toBeNull();
    expect(text()).not.toMatch(/Written with/);
  });
});

describe('field names the background would refuse', () => {
  /** A change the way a browser makes it: through the element's own value setter, then the event React listens to. */
  function type(name: string, value: string) {
    const input = form()!.querySelector<HTMLInputElement>(`input[name="hubspot-${name}"]`)!;
    act(() => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    return input;
  }
  /** The text of the alert `input` is described by, or null. */
  const problemOf = (input: HTMLInputElement) => {
    const id = input.getAttribute('aria-describedby');
    return id === null ? null : (document.getElementById(id)?.textContent ?? null);
  };

  it('are said beside their field, in words, and nothing is sent; once put right, they are sent trimmed', async () => {
    await renderSection();
    const score = type('score-field', '   ');
    const tier = type('tier-field', 'x'.repeat(81));
    const reason = type('reason-field', '  ');
    act(() => void form()!.requestSubmit());
    await waitFor(() => problemOf(score));
    expect(problemOf(score)).toBe('Name the score field: it cannot be empty or only spaces.');
    expect(score.getAttribute('aria-invalid')).toBe('true');
    expect(problemOf(tier)).toBe('The tier field\'s name is 81 characters long: LeadLens takes field names of at most 80.');
    expect(tier.getAttribute('aria-invalid')).toBe('true');
    // A reason left empty (spaces) is skipped, not wrong.
    expect(problemOf(reason)).toBeNull();
    expect(reason.hasAttribute('aria-invalid')).toBe(false);
    expect(form()!.querySelectorAll('[role="alert"]')).toHaveLength(2);
    expect(background.writeBackScores).not.toHaveBeenCalled();

    // A field changed is no longer said wrong; the others are until the next submit.
    type('score-field', ' leadlens_score ');
    expect(problemOf(score)).toBeNull();
    expect(problemOf(tier)).not.toBeNull();
    type('tier-field', ' leadlens_tier');
    act(() => void form()!.requestSubmit());
    await waitFor(() => background.writeBackScores.mock.calls.length > 0 || null);
    expect(background.writeBackScores).toHaveBeenCalledWith({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: 'leadlens_tier', reasonField: undefined });
  });
});

describe('the form’s own check', () => {
  const scoreInput = () => form()!.querySelector<HTMLInputElement>('input[name="hubspot-score-field"]')!;
  function type(input: HTMLInputElement, value: string) {
    act(() => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
  }

  it('says an empty score field beside it, not through the browser’s own "Please fill out this field."', async () => {
    await renderSection();
    type(scoreInput(), '');
    // Nothing in the markup for the browser to stop the submit with: the form's check speaks.
    expect(form()!.checkValidity()).toBe(true);
    expect(scoreInput().getAttribute('aria-required')).toBe('true');
    act(() => void form()!.requestSubmit());
    await waitFor(() => scoreInput().getAttribute('aria-describedby'));
    expect(document.getElementById(scoreInput().getAttribute('aria-describedby')!)?.textContent).toBe('Name the score field: it cannot be empty or only spaces.');
    expect(background.writeBackScores).not.toHaveBeenCalled();
  });
});

it('says only the newest refusal, not beside it why the last write-back stopped, of a field no longer in the form', async () => {
  const stopped = 'The write-back to HubSpot stopped: "hs_object_id" (Record ID) is one of HubSpot\'s own properties. Nothing was written.';
  hubspot = summary('hubspot', 'error', { target: { scoreField: 'hs_object_id', tierField: null, reasonField: null }, error: stopped.replace('The write-back to HubSpot stopped: ', ''), finishedAt: 2 });
  const refusal = 'Cannot write back: "LeadLens Score" is not a property name (lowercase_name)';
  background.writeBackScores.mockImplementation(async () => ({ ok: false, error: refusal }));
  await renderSection();
  const alerts = () => Array.from(form()!.querySelectorAll('[role="alert"]'), (alert) => alert.textContent);
  await waitFor(() => alerts().includes(stopped) || null);

  click(button('start-write-back-hubspot')!);
  await waitFor(() => alerts().includes(refusal) || null);
  expect(alerts()).toEqual([refusal]);
});

it('keeps the write-back button disabled while the CRM is not connected, saying where to connect it, until it is', async () => {
  hubspot = summary('hubspot', 'idle', { target: null });
  hubspotConnection = 'disconnected';
  await renderSection();
  const start = await waitFor(() => (button('start-write-back-hubspot')?.getAttribute('aria-disabled') === 'true' ? button('start-write-back-hubspot') : null));
  const reason = rendered!.container.querySelector(`#${CSS.escape(start.getAttribute('aria-describedby') ?? '')}`);
  expect(reason?.textContent).toBe('Connect HubSpot under CRM connections first');
  expect(reason?.querySelector('a')?.getAttribute('href')).toBe('#connections');
  click(start);
  expect(background.writeBackScores).not.toHaveBeenCalled();

  // Connected under CRM connections (which reads the connections again): the button is offered.
  hubspotConnection = 'connected';
  await act(() => queryClient.invalidateQueries({ queryKey: queryKeys.connections() }));
  await waitFor(() => (button('start-write-back-hubspot')?.getAttribute('aria-disabled') === 'false' ? true : null));
  expect(button('start-write-back-hubspot')!.hasAttribute('aria-describedby')).toBe(false);
  expect(text()).not.toContain('under CRM connections first');
});

it('keeps the focus on Write scores while the write-back is asked for, on the Cancel it gives way to, and there while the cancel is asked for', async () => {
  await renderSection();
  const starting = deferred<unknown>();
  background.writeBackScores.mockReturnValue(starting.promise);
  const start = button('start-write-back-hubspot')!;
  act(() => start.focus());
  click(start);
  // Not disabled under the focus, which would drop it to the page: said unavailable, and neither a press nor Enter in a field starts another.
  await waitFor(() => start.disabled || start.getAttribute('aria-disabled') === 'true' || null);
  expect(start.disabled).toBe(false);
  expect(document.activeElement).toBe(start);
  click(start);
  act(() => void form()!.requestSubmit());
  expect(background.writeBackScores).toHaveBeenCalledTimes(1);

  hubspot = summary('hubspot', 'checking');
  await act(async () => starting.resolve({ ok: true, ...hubspot }));
  const cancel = await waitFor(cancelButton);
  expect(document.activeElement).toBe(cancel);

  // Confirmed, its question goes from under the focus: the focus goes back to Cancel writing…, until the write-back ends.
  const cancelling = deferred<unknown>();
  background.cancelWriteBack.mockReturnValue(cancelling.promise);
  click(cancel);
  click(buttonNamed('Yes, cancel writing')!);
  await waitFor(() => background.cancelWriteBack.mock.calls.length > 0 || null);
  await waitFor(() => document.activeElement === cancelButton() || null);
  expect(background.cancelWriteBack).toHaveBeenCalledTimes(1);

  hubspot = summary('hubspot', 'cancelled', { finishedAt: 1_700_000_100_000 });
  await act(async () => cancelling.resolve({ ok: true, ...hubspot }));
  const again = await waitFor(() => (button('start-write-back-hubspot')?.getAttribute('aria-disabled') === 'false' ? button('start-write-back-hubspot') : null));
  expect(document.activeElement).toBe(again);
});

it('asks before cancelling a write-back, its safe choice focused: a second Enter on Write scores, or the key held down, never cancels the write-back it started', async () => {
  await renderSection();
  pressEnter(button('start-write-back-hubspot')!);
  await waitFor(() => document.activeElement === cancelButton() || null);
  const pressAgain = () => pressEnter(document.activeElement as HTMLElement);

  pressAgain();
  await act(() => new Promise((resolve) => setTimeout(resolve, 50))); // time for a cancel to reach the background
  expect(background.cancelWriteBack).not.toHaveBeenCalled();
  const question = form()!.querySelector('[role="group"][aria-label="Confirm cancelling the write-back to HubSpot"]');
  expect(question?.textContent).toContain('Cancelling stops the write-back: what it has written to HubSpot stays, and the leads it has not written yet keep the values they have there.');
  await waitFor(() => document.activeElement === buttonNamed('Keep writing') || null);
  pressAgain();
  await waitFor(() => document.activeElement === cancelButton() || null);
  pressAgain();
  await waitFor(() => document.activeElement === buttonNamed('Keep writing') || null);
  expect(background.cancelWriteBack).not.toHaveBeenCalled();
  expect(form()!.dataset.status).toBe('checking');

  pressEnter(buttonNamed('Yes, cancel writing')!);
  await waitFor(() => background.cancelWriteBack.mock.calls.length > 0 || null);
  expect(background.cancelWriteBack).toHaveBeenCalledTimes(1);
  expect(background.cancelWriteBack).toHaveBeenCalledWith({ crm: 'hubspot' });
});

it('leaves the focus where it is when the page opens on a running write-back, and when it ends', async () => {
  hubspot = summary('hubspot', 'scoring');
  await renderSection();
  await waitFor(cancelButton);
  expect(document.activeElement).toBe(document.body);
  hubspot = summary('hubspot', 'done', { done: 100, total: 100, written: 100, finishedAt: 1_700_000_200_000 });
  await waitFor(() => button('start-write-back-hubspot'));
  expect(document.activeElement).toBe(document.body);
});
