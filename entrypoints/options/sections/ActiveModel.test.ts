// @vitest-environment happy-dom
/**
 * The active model section: a model trained before LeadLens changed how it reads some fields
 * (a job title's seniority, a page's category, …) says so, naming those fields, as its scores
 * now read them otherwise than it learnt. The default model (another version's, imported, too)
 * and a model trained on Demo mode's leads say they learnt from demo leads, and the section says the active model is this browser's only,
 * and how reps get it.
 */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, waitFor, type Rendered } from '@/test/render';
import { db } from '@/lib/db/db';
import { bundledModel } from '@/lib/ml/bundled-model';
import { DERIVED_READING_VERSION } from '@/lib/ml/derive';
import type { CrmKind } from '@/lib/crm/types';
import { fieldsRead, type Manifest } from '@/lib/ml/manifest';
import { INITIAL_SYNC_STATE, syncStateKey } from '@/lib/sync/state';
import { activateModel } from '@/lib/ml/model-versions';
import { storeModel } from '../../../test/fixtures/stored-model';
import { ActiveModelSection } from './ActiveModel';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

/** The bundled model as one trained before the reading's version was recorded. */
const { derivedReadingVersion: _recorded, ...older } = (() => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
})();

/** `manifest` as a model trained in LeadLens on the company's own Salesforce leads: dated when its training ended, after the check of its data. */
const ownLeads = (manifest: Manifest): Manifest => ({
  ...manifest,
  createdAt: '2026-12-03T00:04:00.000Z',
  provenance: { ...manifest.provenance, source: 'salesforce leads', referenceTime: '2026-12-03T00:00:00.000Z' },
});

/** `manifest` with only the features of `keys` (its terms and reference of them only), as a model trained on those alone. */
function withFeatures(manifest: Manifest, keys: string[]): Manifest {
  const kept = manifest.features.flatMap((feature, index) => (keys.includes(feature.key) ? [index] : []));
  const newIndex = new Map(kept.map((index, i) => [index, i]));
  return {
    ...manifest,
    features: kept.map((index) => manifest.features[index]),
    terms: manifest.terms.filter((term) => term.features.every((index) => newIndex.has(index))).map((term) => ({ ...term, features: term.features.map((index) => newIndex.get(index)!) })),
    reference: { ...manifest.reference, features: manifest.reference.features.filter((reference) => keys.includes(reference.key)) },
  };
}

let rendered: Rendered | undefined;
beforeEach(async () => {
  await Promise.all([db.models.clear(), db.settings.clear(), db.leadScores.clear()]);
});
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

/** The section with `manifest`'s model active (stored as `origin` has it), once its summary shows; with none, as a fresh install shows it (the default model). */
async function activeSection(manifest?: Manifest, origin: 'trained' | 'imported' = 'trained'): Promise<HTMLElement> {
  if (manifest) {
    await storeModel(manifest, new Uint8Array([1]), origin);
    await activateModel(manifest.modelId);
  }
  const modelId = manifest?.modelId ?? older.modelId;
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(ActiveModelSection)));
  const { container } = rendered;
  await waitFor(() => container.querySelector('.model-summary')?.textContent?.includes(modelId) || null);
  return container;
}

const readingNote = (section: HTMLElement) => section.querySelector('[role="note"][data-testid="reading-changed-note"]');

it('tells that a model trained before the reading changed scores by the new reading, counting its fields that may read otherwise and naming three', async () => {
  const section = await activeSection({ ...older, modelId: 'older-1' });
  // Its fields read by a revised reading only (not a category as written: Lead source, Industry, Country), in its order.
  expect(readingNote(section)?.textContent).toBe(
    'older-1 was trained before this version of LeadLens changed how it reads some values: 14 of its fields may read differently now (Annual revenue, Employees, Title seniority and 11 more), and its scores use the new reading. Train it again so it learns from the reading it scores with.',
  );
});

it('names every field that may read otherwise when there are three or fewer', async () => {
  const section = await activeSection({ ...withFeatures(older, ['lead_source', 'title_seniority', 'last_page']), modelId: 'older-2' });
  expect(readingNote(section)?.textContent).toBe(
    'older-2 was trained before this version of LeadLens changed how it reads some values: 2 of its fields may read differently now (Title seniority and Last page seen), and its scores use the new reading. Train it again so it learns from the reading it scores with.',
  );
});

it('says nothing of it for a model trained with the current reading', async () => {
  const section = await activeSection({ ...older, modelId: 'current-1', derivedReadingVersion: DERIVED_READING_VERSION });
  expect(readingNote(section)).toBeNull();
});

it('says nothing of it for an older model that reads its fields as written only (categories)', async () => {
  const section = await activeSection({ ...withFeatures(older, ['lead_source', 'industry', 'country']), modelId: 'plain-1' });
  expect(section.querySelector('.model-summary')?.textContent).toContain('plain-1');
  expect(readingNote(section)).toBeNull();
});

it("compares the active model's stored scores with its training leads, read from the stored data", async () => {
  const modelId = 'drift-1';
  await db.leadScores.bulkPut(
    ['salesforce|00QA', 'salesforce|00QB', 'hubspot|1'].map((leadKey) => ({ key: `${modelId}|${leadKey}`, modelId, leadKey, probability: 0.5, score: 50, tier: 'warm' as const, topReason: 'Title: CTO', scoredAt: 1 })),
  );
  const section = await activeSection({ ...older, modelId });
  const drift = await waitFor(() => section.querySelector<HTMLElement>('[data-testid="score-drift"]'));
  expect(drift.dataset.level).toBe('too-few');
  expect(drift.textContent).toBe("Only 3 stored leads have a score from this model: too few to tell a shift from chance. From 200 on, their spread is compared with its training leads'.");
});

describe('fields the CRM did not give at the last sync', () => {
  const notGivenNotes = (section: HTMLElement) => Array.from(section.querySelectorAll('[role="note"][data-testid="fields-not-given-note"]'), (note) => note.textContent);
  const model = { ...ownLeads(older), modelId: 'own-1', derivedReadingVersion: DERIVED_READING_VERSION };
  const keepSynced = (crm: CrmKind, syncedFields: string[]) => db.settings.put({ key: syncStateKey(crm), value: { ...INITIAL_SYNC_STATE, syncedFields } });

  it('names those the active model reads, by the labels its reasons give them, for as long as the sync finds them gone', async () => {
    // Salesforce's AnnualRevenue renamed (or hidden from the connected user), HubSpot's two e-mail properties archived.
    await keepSynced('salesforce', fieldsRead(model.features, 'salesforce').filter((name) => name !== 'AnnualRevenue'));
    await keepSynced('hubspot', fieldsRead(model.features, 'hubspot').filter((name) => name !== 'hs_email_open' && name !== 'hs_email_click'));
    const section = await activeSection(model);
    await waitFor(() => notGivenNotes(section).length > 0 || null);
    expect(notGivenNotes(section)).toEqual([
      "The active model reads Annual revenue (AnnualRevenue), which Salesforce did not give LeadLens at the last sync (deleted, renamed, or no longer readable with LeadLens's connection): " +
        'its synced leads, and badges on pages that do not show it, are scored without it, as not known. Make it readable again, or train a model on the fields Salesforce gives now.',
      "The active model reads Marketing e-mails opened (hs_email_open) and Marketing e-mails clicked (hs_email_click), which HubSpot did not give LeadLens at the last sync (deleted, renamed, or no longer readable with LeadLens's connection): " +
        'its synced leads, and badges on pages that do not show them, are scored without them, as not known. Make them readable again, or train a model on the fields HubSpot gives now.',
    ]);
    // A sync that reads the field again (API names are case-insensitive) ends the note.
    await keepSynced('salesforce', fieldsRead(model.features, 'salesforce').map((name) => name.toLowerCase()));
    await waitFor(() => notGivenNotes(section).length === 1 || null);
    expect(notGivenNotes(section)[0]).toMatch(/^The active model reads Marketing e-mails opened/);
  });

  it('says nothing of a CRM before a sync recorded the fields it gives (an older LeadLens did not)', async () => {
    await db.settings.put({ key: syncStateKey('salesforce'), value: INITIAL_SYNC_STATE });
    const section = await activeSection(model);
    await keepSynced('hubspot', fieldsRead(model.features, 'hubspot').filter((name) => name !== 'industry'));
    await waitFor(() => notGivenNotes(section).length > 0 || null);
    expect(notGivenNotes(section)).toEqual([expect.stringMatching(/^The active model reads Industry \(industry\), which HubSpot /)]);
  });
});

describe('what an admin on a fresh install reads', () => {
  const defaultNote = (section: HTMLElement) => section.querySelector('[role="note"][data-testid="default-model-note"]');

  it('says the active model is the default one, trained on made-up demo leads, and points to training on your own', async () => {
    const section = await activeSection();
    expect(defaultNote(section)?.textContent).toBe(
      'This is a model trained on made-up demo leads, not on yours: its scores show how LeadLens works, not which of your leads convert. Train a model on your own leads under Train on your history, then activate it.',
    );
    expect(defaultNote(section)?.querySelector('a')?.getAttribute('href')).toBe('#training');
  });

  it("says it of a model trained here on Demo mode's made-up leads too: its scores are no more learnt from yours", async () => {
    const onDemoLeads = ownLeads(older);
    const section = await activeSection({ ...onDemoLeads, modelId: 'trained-on-demo-1', provenance: { ...onDemoLeads.provenance, source: 'salesforce demo leads', demoLeads: true } });
    expect(defaultNote(section)?.textContent).toMatch(/^This is a model trained on made-up demo leads, not on yours: its scores show how LeadLens works/);
  });

  it('says nothing of the default model once a model of your own is active', async () => {
    const section = await activeSection({ ...ownLeads(older), modelId: 'trained-1', derivedReadingVersion: DERIVED_READING_VERSION });
    expect(defaultNote(section)).toBeNull();
  });

  it('says it of another version’s default model too, imported from its export as any other model', async () => {
    const section = await activeSection({ ...older, modelId: 'ebm-0123456789abcdef' }, 'imported');
    expect(defaultNote(section)?.textContent).toMatch(/^This is a model trained on made-up demo leads, not on yours:/);
  });

  it('says nothing of it for a model trained by the CLI on a file of your own that happens to be named demo-history.csv', async () => {
    const cliTrained = { ...older, modelId: 'ebm-fedcba9876543210', createdAt: '2026-12-01T00:00:00.000Z', provenance: { ...older.provenance, referenceTime: '2026-12-01T00:00:00.000Z' } };
    expect(cliTrained.provenance.source).toBe('demo-history.csv');
    const section = await activeSection(cliTrained, 'imported');
    expect(defaultNote(section)).toBeNull();
  });

  it('says the active model scores in this browser only, and how reps get it', async () => {
    const section = await activeSection();
    expect(section.querySelector('[data-testid="team-rollout"]')?.textContent).toBe(
      "A model made active here scores in this browser only: each rep's LeadLens keeps its own model until the rep imports its export " +
        '(Model versions → Export gives both files, with its tier policy; the rep imports them under Model versions → Import a model). ' +
        'Or write its scores to CRM fields (Write scores to the CRM), which every user of the CRM sees.',
    );
  });

  it('shows an imported model’s data source without direction controls, and a source of any length cut short', async () => {
    const source = `\u202Evsc.tsil ${'z'.repeat(100_000)}`;
    const section = await activeSection({ ...ownLeads(older), modelId: 'imported-1', provenance: { ...ownLeads(older).provenance, source } }, 'imported');
    const summary = section.querySelector('.model-summary')?.textContent ?? '';
    expect(summary).toMatch(/ from vsc\.tsil z+…/);
    expect(summary).not.toContain('\u202E');
    expect(summary.length).toBeLessThan(2_000);
  });

  it('names the leads a model trained by an older LeadLens learnt from as the pages do, and a free-text source as it is', async () => {
    // Recorded as 'salesforce leads' before 0f42dd9; its manifest keeps it.
    const section = await activeSection({ ...ownLeads(older), modelId: 'trained-before-1' });
    expect(section.querySelector('.model-summary dd')?.textContent).toMatch(/\) from Salesforce leads$/);
    rendered?.unmount();
    const cliTrained = await activeSection({ ...ownLeads(older), modelId: 'cli-1', provenance: { ...ownLeads(older).provenance, source: 'salesforce leads.csv' } }, 'imported');
    expect(cliTrained.querySelector('.model-summary dd')?.textContent).toMatch(/\) from salesforce leads\.csv$/);
  });

  it('heads the ranking figure in words, from chance to perfect', async () => {
    const section = await activeSection();
    expect(Array.from(section.querySelectorAll('.model-summary dt'), (term) => term.textContent)).toContain(
      'Ranking quality (cross-validated ROC-AUC, averaged over 5 folds; 0.5 is chance, 1 is perfect)',
    );
  });
});
