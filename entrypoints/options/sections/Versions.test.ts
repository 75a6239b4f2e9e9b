// @vitest-environment happy-dom
/**
 * The model versions section: Delete asks first (it cannot be undone); activate, roll back and
 * delete say what they did where the focus goes (their button goes away); the import form
 * refuses files too large before it reads them.
 */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider, useMutation } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { click, focusedMessage, followLiveRegions, pressEnter, render, waitFor, type Rendered } from '@/test/render';
import { stubWebLocks } from '../../../test/web-locks';
import { db } from '@/lib/db/db';
import { queryKeys } from '@/lib/query-keys';
import { bundledModel } from '@/lib/ml/bundled-model';
import { DERIVED_READING_VERSION } from '@/lib/ml/derive';
import type { Manifest } from '@/lib/ml/manifest';
import type { Labelled } from '../policy-protocol';
import { manifestOf, setTiers } from '@/lib/ml/model-store';
import { keepPolicyFigures, policyFiguresOf } from '@/lib/ml/policy-figures';
import { rememberWrittenBackFields } from '@/lib/db/written-back-fields';
import { formatThreshold } from '@/lib/presentation';
import { activateModel as activateStored, exportFiles, rollBack } from '@/lib/ml/model-versions';
import { MODEL_CHANGE_MUTATION } from '@/lib/ui/hooks';
import { storeModel } from '../../../test/fixtures/stored-model';
import { inTimeZone } from '../../../test/time-zone';
import { deferred } from '@/test/deferred';
import { downloadFile } from '@/lib/ui/download';
import { VersionsSection } from './Versions';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { oweScoringOfEveryLead, writeJob } from '@/lib/jobs/progress';
import { backgroundProtocol } from '@/lib/messaging/protocol';
import { createClient } from '@/lib/messaging/rpc';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
const checkModel = vi.hoisted(() => vi.fn(async () => ({ ok: true as const })));
type SwitchReply = { ok: true; modelId: string; scored: number; stored: number } | { ok: false; error: string };
const switches = vi.hoisted(() => ({
  activateModel: vi.fn<(request: { modelId: string }) => Promise<SwitchReply>>(),
  rollBackModel: vi.fn<(request: object) => Promise<SwitchReply>>(),
}));
type RetierReply = { ok: true; changed: number } | { ok: false; error: string };
const retierStoredScores = vi.hoisted(() => vi.fn<(request: { modelId: string }) => Promise<RetierReply>>());
vi.mock('@/lib/messaging/client', () => ({ background: { checkModel, retierStoredScores, ...switches } }));
// The real export, watched, and held when a test says so.
vi.mock('@/lib/ml/model-versions', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/ml/model-versions')>();
  return { ...actual, exportFiles: vi.fn(actual.exportFiles) };
});
// What Export saves, read back.
vi.mock('@/lib/ui/download', () => ({ downloadFile: vi.fn() }));
// The leads a model learnt from, as the policy worker reads them (no worker here): none unless a test says which.
const stored = vi.hoisted(() => ({ labelled: null as Labelled | null }));
vi.mock('../policy-client', async () => {
  const { queryOptions } = await import('@tanstack/react-query');
  const { queryKeys } = await import('@/lib/query-keys');
  const none = { labels: new Uint8Array(0), probabilities: new Float64Array(0), heldOut: 0, ranked: new Float64Array(0), learntFromScores: new Float64Array(0) };
  return { labelledQuery: (modelId: string) => queryOptions({ queryKey: queryKeys.labelledLeads(modelId), queryFn: async () => stored.labelled ?? none }) };
});

const bundled = (() => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
})();

let rendered: Rendered | undefined;
let queryClient: QueryClient;
beforeEach(async () => {
  await Promise.all([db.models.clear(), db.settings.clear(), db.leadScores.clear()]);
  checkModel.mockClear();
  vi.mocked(downloadFile).mockClear();
  vi.mocked(exportFiles).mockClear();
  retierStoredScores.mockReset().mockResolvedValue({ ok: true, changed: 3 });
  // As the background does, without scoring: the switch, then how many stored leads it scored.
  switches.activateModel.mockReset().mockImplementation(async ({ modelId }) => {
    await activateStored(modelId);
    return { ok: true, modelId, scored: 0, stored: 0 };
  });
  switches.rollBackModel.mockReset().mockImplementation(async () => ({ ok: true, modelId: await rollBack(), scored: 1234, stored: 1234 }));
});
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
  vi.unstubAllGlobals();
});

function renderSection(...beside: ReturnType<typeof createElement>[]): HTMLElement {
  queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(VersionsSection), ...beside));
  return rendered.container;
}

/** Training's "Activate this model", as it runs on the same page: under the key every model change shares, until `finish`. */
function TrainingActivation({ activation }: { activation: { finish?: () => void } }) {
  const activate = useMutation({ mutationKey: MODEL_CHANGE_MUTATION, mutationFn: () => new Promise<void>((resolve) => (activation.finish = resolve)) });
  return createElement('button', { type: 'button', onClick: () => activate.mutate() }, 'Activate this model');
}


const button = (container: HTMLElement, name: string) =>
  Array.from(container.querySelectorAll('button')).find((b) => (b.getAttribute('aria-label') ?? b.textContent) === name) ?? null;

/** The status line (or error) that has the focus, once its text matches `text`. */
describe('Delete', () => {
  it('asks first, saying what goes and what an export would not keep of a model trained here, with the focus on Cancel; Cancel keeps the model', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    const container = renderSection();
    click(await waitFor(() => button(container, 'Delete trained-1')));
    const confirm = await waitFor(() => container.querySelector('[role="group"][aria-label="Confirm deleting trained-1"]'));
    // The export is its manifest (with its tier policy) and model.onnx: imported again it is "Imported", without held-out probabilities.
    expect(confirm.textContent).toContain(
      "This deletes trained-1, its tier policy and its stored lead scores, and cannot be undone. An export keeps a copy of the model with its tier policy, not all that training here kept: imported again, it is listed as Imported, not Trained here, and without the held-out probabilities of the leads it was trained on, so the tier preview, the confusion matrices and the segments' conversion rates place those leads by its own scores of them, which flatter it.",
    );
    expect(document.activeElement).toBe(button(container, 'Cancel'));
    expect(await db.models.get('trained-1')).toBeDefined();

    click(button(container, 'Cancel')!);
    const deleteAgain = await waitFor(() => button(container, 'Delete trained-1'));
    expect(document.activeElement).toBe(deleteAgain);
    expect(await db.models.get('trained-1')).toBeDefined();

    click(deleteAgain);
    pressEnter(await waitFor(() => button(container, 'Yes, delete trained-1')));
    await waitFor(() => !container.querySelector('tr[data-model-id="trained-1"]') && container.querySelector(`tr[data-model-id="${bundled.modelId}"]`));
    // Its row is gone with the buttons: what happened is said where the focus went.
    const said = await focusedMessage(/^trained-1 was deleted, with its tier policy and its stored lead scores\.$/);
    expect(said.getAttribute('role')).toBe('status');
    expect(await db.models.get('trained-1')).toBeUndefined();
  });

  it('tells to export an imported model first, which keeps all of it, and no export of a damaged one, which cannot be exported', async () => {
    await storeModel({ ...bundled, modelId: 'imported-1' }, new Uint8Array([1]), 'imported');
    await storeModel({ ...bundled, modelId: 'damaged-1', terms: [] } as never, new Uint8Array([1]), 'trained');
    const container = renderSection();
    click(await waitFor(() => button(container, 'Delete imported-1')));
    const imported = await waitFor(() => container.querySelector('[role="group"][aria-label="Confirm deleting imported-1"]'));
    expect(imported.textContent).toContain(
      'This deletes imported-1, its tier policy and its stored lead scores, and cannot be undone: export it first to keep a copy of the model with its tier policy.',
    );
    click(button(container, 'Cancel')!);
    expect(button(container, 'Export damaged-1')).toBeNull();
    click(await waitFor(() => button(container, 'Delete damaged-1')));
    const damaged = await waitFor(() => container.querySelector('[role="group"][aria-label="Confirm deleting damaged-1"]'));
    expect(damaged.textContent).toContain('This deletes damaged-1, its tier policy and its stored lead scores, and cannot be undone.');
    expect(damaged.textContent).not.toMatch(/export/i);
  });

  it('asks in a row of its own under the model’s, across the table, rather than in the Actions column', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    const container = renderSection();
    click(await waitFor(() => button(container, 'Delete trained-1')));
    const confirm = await waitFor(() => container.querySelector('[role="group"][aria-label="Confirm deleting trained-1"]'));
    const modelRow = container.querySelector('tr[data-model-id="trained-1"]')!;
    const questionCell = confirm.closest('td')!;
    expect(modelRow.contains(confirm)).toBe(false);
    expect(questionCell.parentElement).toBe(modelRow.nextElementSibling);
    expect(questionCell.colSpan).toBe(container.querySelectorAll('thead th').length);
    expect(document.activeElement).toBe(button(container, 'Cancel'));

    click(button(container, 'Cancel')!);
    await waitFor(() => button(container, 'Delete trained-1'));
    expect(modelRow.nextElementSibling?.getAttribute('data-model-id')).toBe(bundled.modelId);
  });

  it('drops a Delete question its model was activated under, and asks it again only when Delete is pressed again', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    const container = renderSection();
    click(await waitFor(() => button(container, 'Delete trained-1')));
    await waitFor(() => container.querySelector('[data-testid="delete-question"]'));
    // Activated meanwhile (in another tab, or by Training's button): no longer deletable, so no question.
    await act(() => activateStored('trained-1'));
    await waitFor(() => container.querySelector('tr[data-model-id="trained-1"] strong'));
    expect(container.querySelector('[data-testid="delete-question"]')).toBeNull();
    // Deletable again after the roll back: its Delete button, not the question it had.
    await act(() => activateStored(bundled.modelId));
    await waitFor(() => button(container, 'Delete trained-1'));
    expect(container.querySelector('[data-testid="delete-question"]')).toBeNull();
    expect(button(container, 'Yes, delete trained-1')).toBeNull();
  });

  it('keeps the Actions cell a table cell, as high as its row, with its buttons laid out inside it', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    const container = renderSection();
    const actions = (await waitFor(() => button(container, 'Delete trained-1'))).closest('td')!;
    expect(actions.style.display).toBe('');
    expect(Array.from(actions.querySelectorAll(':scope > div > button'), (b) => b.getAttribute('aria-label'))).toEqual(['Activate trained-1', 'Export trained-1', 'Delete trained-1']);
  });

  it('makes the stored-data counts read again: they count the models and their stored scores', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    const container = renderSection();
    queryClient.setQueryData(queryKeys.storedDataSummary(), { models: 2 });
    click(await waitFor(() => button(container, 'Delete trained-1')));
    click(await waitFor(() => button(container, 'Yes, delete trained-1')));
    await waitFor(() => !container.querySelector('tr[data-model-id="trained-1"]'));
    expect(queryClient.getQueryState(queryKeys.storedDataSummary())?.isInvalidated).toBe(true);
  });
});

describe('Activate and Roll back', () => {
  it.each(['previous', 'active', 'list'])('lists the models and offers roll back when the active model is named "%s", like a query of this section', async (modelId) => {
    await storeModel({ ...bundled, modelId }, new Uint8Array([1]), 'imported');
    await activateStored(modelId);
    const container = renderSection();
    await waitFor(() => container.querySelector(`tr[data-model-id="${modelId}"]`) && container.querySelector(`tr[data-model-id="${bundled.modelId}"]`));
    expect(container.querySelector('[role="alert"]')).toBeNull();
    expect(await waitFor(() => button(container, `Roll back to ${bundled.modelId}`))).not.toBeNull();
  });

  it('say what runs, then that the model is active, in a status line that takes the focus from the button that goes away', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    let answer!: () => void;
    // As the background does: the switch, then the stored leads' scoring, which takes a while.
    switches.activateModel.mockImplementation(async ({ modelId }) => {
      await activateStored(modelId);
      await new Promise<void>((resolve) => (answer = resolve));
      return { ok: true, modelId, scored: 0, stored: 0 };
    });
    const container = renderSection();
    pressEnter(await waitFor(() => button(container, 'Activate trained-1')));
    const running = await focusedMessage(/^Activating trained-1…$/);
    expect(running.getAttribute('role')).toBe('status');
    // The list shows the new active model at once, without a reload that would take the line, and the focus, away.
    await waitFor(() => container.querySelector('tr[data-model-id="trained-1"] strong'));
    expect(document.activeElement).toBe(running);

    answer();
    const said = await focusedMessage(/^trained-1 is active: CRM badges in this browser use it now\.$/);
    expect(said.getAttribute('role')).toBe('status');
    expect(button(container, 'Activate trained-1')).toBeNull();
    expect(switches.activateModel).toHaveBeenCalledWith({ modelId: 'trained-1' });
  });

  it('say which model a roll back made active, and how many stored leads it scored', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    await activateStored('trained-1');
    const container = renderSection();
    pressEnter(await waitFor(() => button(container, `Roll back to ${bundled.modelId}`)));
    const said = await focusedMessage(new RegExp(`^Rolled back to ${bundled.modelId}: CRM badges in this browser use it now, and 1,234 stored leads were scored with it\\.$`));
    expect(said.getAttribute('role')).toBe('status');
    expect(button(container, `Roll back to ${bundled.modelId}`)).toBeNull();
  });

  it('say how many stored leads have no score with the model, which reads none of their fields', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    switches.activateModel.mockImplementation(async ({ modelId }) => {
      await activateStored(modelId);
      return { ok: true, modelId, scored: 4, stored: 10 };
    });
    const container = renderSection();
    pressEnter(await waitFor(() => button(container, 'Activate trained-1')));
    await focusedMessage(/^trained-1 is active: CRM badges in this browser use it now, and 4 stored leads were scored with it\. 6 of the 10 stored leads have no score with it: it reads none of their fields \(or a sync stored them as it scored, and scores them itself\)\.$/);
  });

  it('say why an activation failed where the focus goes', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    switches.activateModel.mockResolvedValue({ ok: false, error: 'The model could not be activated: it broke' });
    const container = renderSection();
    pressEnter(await waitFor(() => button(container, 'Activate trained-1')));
    const said = await focusedMessage(/^The model could not be activated: it broke$/);
    expect(said.querySelector('[role="alert"]')?.textContent).toBe('The model could not be activated: it broke');
    expect(button(container, 'Activate trained-1')?.disabled).toBe(false);
  });
});

describe('when Chrome stopped the background before it answered', () => {
  /** Chrome's rejection then (`ServiceWorker.stopAllWorkers` in the e2e). */
  const CHANNEL_CLOSED = 'A listener indicated an asynchronous response by returning true, but the message channel closed before a response was received';
  /** The page's own client for the activation, over a `runtime.sendMessage` that Chrome rejects so, once `meanwhile` (what the background did before it was stopped) is done. */
  const stoppedBeforeAnswering =
    (meanwhile: (modelId: string) => Promise<unknown>) =>
    async ({ modelId }: { modelId: string }) => {
      await meanwhile(modelId);
      vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockRejectedValueOnce(new Error(CHANNEL_CLOSED));
      return createClient(backgroundProtocol, 'background').activateModel({ modelId });
    };

  it('say the model is active and its scoring of the stored leads goes on, not Chrome’s words', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    switches.activateModel.mockImplementation(
      stoppedBeforeAnswering(async (modelId) => {
        // As the background does: the switch and the scoring it owes in one write, then that scoring's run.
        await activateStored(modelId);
        await oweScoringOfEveryLead(modelId);
        await writeJob('scoring', { modelId, state: 'running', done: 100, total: 1000, startedAt: Date.now() });
      }),
    );
    const container = renderSection();
    pressEnter(await waitFor(() => button(container, 'Activate trained-1')));
    const said = await focusedMessage(/^trained-1 is active/);
    expect(said.getAttribute('role')).toBe('status');
    expect(said.textContent).toBe(
      "trained-1 is active: CRM badges in this browser use it now. LeadLens's background stopped while it scored the stored leads with it: that scoring goes on where it stopped.",
    );
  });

  it('say the model is not active when the switch did not happen', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    switches.activateModel.mockImplementation(stoppedBeforeAnswering(async () => undefined));
    const container = renderSection();
    pressEnter(await waitFor(() => button(container, 'Activate trained-1')));
    const said = await focusedMessage(/is not active/);
    expect(said.querySelector('[role="alert"]')?.textContent).toBe("LeadLens's background stopped before it answered, and trained-1 is not active: try again.");
    expect(button(container, 'Activate trained-1')?.disabled).toBe(false);
  });
});

describe('beside Training’s activation', () => {
  it('waits, saying why, while Training activates a model: roll back, activate and delete, landing last, would undo it', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    await storeModel({ ...bundled, modelId: 'trained-2' }, new Uint8Array([1]), 'trained');
    await activateStored('trained-1');
    const activation: { finish?: () => void } = {};
    const container = renderSection(createElement(TrainingActivation, { activation }));
    const waiting = [`Roll back to ${bundled.modelId}`, 'Activate trained-2', 'Delete trained-2'];
    await waitFor(() => button(container, 'Activate trained-2'));
    click(button(container, 'Activate this model')!);
    await waitFor(() => waiting.every((name) => button(container, name)?.disabled));
    const note = document.getElementById(button(container, 'Activate trained-2')!.getAttribute('aria-describedby')!);
    expect(note?.textContent).toBe("Another section is changing the active model (a trained model's activation, or the demo data): activate, roll back and delete wait until it is done.");
    expect(button(container, `Roll back to ${bundled.modelId}`)!.getAttribute('aria-describedby')).toBe(note!.id);

    act(() => activation.finish!());
    await waitFor(() => waiting.every((name) => button(container, name)?.disabled === false));
    expect(container.textContent).not.toMatch(/is being activated/);
  });

  it('runs its own activate under the key Training waits on', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    let answer!: () => void;
    switches.activateModel.mockImplementation(async ({ modelId }) => {
      await new Promise<void>((resolve) => (answer = resolve));
      return { ok: true, modelId, scored: 0, stored: 0 };
    });
    const container = renderSection();
    pressEnter(await waitFor(() => button(container, 'Activate trained-1')));
    await focusedMessage(/^Activating trained-1…$/);
    expect(queryClient.isMutating({ mutationKey: MODEL_CHANGE_MUTATION })).toBe(1);
    // Its own activation is said in its status line, not as another's.
    expect(container.textContent).not.toMatch(/is being activated/);
    answer();
    await focusedMessage(/^trained-1 is active/);
    expect(queryClient.isMutating({ mutationKey: MODEL_CHANGE_MUTATION })).toBe(0);
  });

  it('no longer says a model it activated is active once another model is', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    await storeModel({ ...bundled, modelId: 'trained-2' }, new Uint8Array([1]), 'trained');
    const container = renderSection();
    pressEnter(await waitFor(() => button(container, 'Activate trained-1')));
    const said = await focusedMessage(/^trained-1 is active: CRM badges in this browser use it now\.$/);
    // Training (or another tab) activates trained-2 afterwards.
    await act(() => activateStored('trained-2'));
    await waitFor(() => said.textContent === 'trained-1 is no longer active: another model was activated since.');
    expect(said.getAttribute('role')).toBe('status');
  });

  it('says a model is active when the activation answers before the page has read the switch', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    let switchNow!: () => Promise<void>;
    // The answer first, the switch seen by the page only after.
    switches.activateModel.mockImplementation(async ({ modelId }) => {
      switchNow = () => activateStored(modelId);
      return { ok: true, modelId, scored: 0, stored: 0 };
    });
    const container = renderSection();
    pressEnter(await waitFor(() => button(container, 'Activate trained-1')));
    const said = await focusedMessage(/^trained-1 is active: CRM badges in this browser use it now\.$/);
    await act(switchNow);
    await waitFor(() => container.querySelector('tr[data-model-id="trained-1"] strong'));
    expect(said.textContent).toBe('trained-1 is active: CRM badges in this browser use it now.');
  });
});

describe('a model whose stored manifest cannot be read', () => {
  it('is not offered as the model to roll back to: its activation could only fail', async () => {
    await storeModel({ ...bundled, modelId: 'damaged-1' }, new Uint8Array([1]), 'imported');
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    await activateStored('damaged-1');
    await activateStored('trained-1');
    await db.models.update('damaged-1', { manifest: { ...bundled, modelId: 'damaged-1', terms: [] } as never });
    const container = renderSection();
    await waitFor(() => container.querySelector('tr[data-model-id="damaged-1"] [data-testid="damaged-model"]'));
    expect(Array.from(container.querySelectorAll('button'), (b) => b.textContent).filter((text) => text?.startsWith('Roll back'))).toEqual([]);
  });


  it('is listed with why, offering only Delete, while the others stay usable', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    await storeModel({ ...bundled, modelId: 'damaged-1' }, new Uint8Array([1]), 'imported');
    await db.models.update('damaged-1', { manifest: { ...bundled, modelId: 'damaged-1', terms: [] } as never });
    const container = renderSection();
    const damaged = await waitFor(() => container.querySelector('tr[data-model-id="damaged-1"]'));
    expect(damaged.querySelector('[data-testid="damaged-model"]')?.textContent).toMatch(/^Its stored manifest cannot be read, so it cannot score: delete it, and import or train it again\. \(The model manifest is invalid: terms/);
    expect(button(container, 'Activate damaged-1')).toBeNull();
    expect(button(container, 'Export damaged-1')).toBeNull();
    expect(button(container, 'Delete damaged-1')).not.toBeNull();
    expect(button(container, 'Activate trained-1')).not.toBeNull();
  });
});

describe('a model made by a newer LeadLens (its manifest has a field this version does not know, as after a downgrade)', () => {
  const newer = { ...bundled, modelId: 'newer-1', scoreBands: [0.2, 0.5] };
  const madeByNewer =
    'This model was made by a newer version of LeadLens: update LeadLens to use it (its manifest has fields this version does not know: (root): Unrecognized key: "scoreBands").';

  it('is listed as such, not as damaged and not to be deleted; it cannot be activated, and Export saves it as stored', async () => {
    await storeModel(newer as never, new Uint8Array([7]), 'trained');
    const container = renderSection();
    const row = await waitFor(() => container.querySelector('tr[data-model-id="newer-1"]'));
    expect(row.querySelector('[data-testid="damaged-model"]')).toBeNull();
    expect(row.querySelector('[data-testid="newer-model"]')?.textContent).toBe(
      `${madeByNewer} Until then it cannot score, so it cannot be activated. Export keeps a copy of it as stored.`,
    );
    expect(row.textContent).not.toMatch(/delete it/i);
    expect(button(container, 'Activate newer-1')).toBeNull();
    expect(container.textContent).not.toMatch(/Roll back/);

    pressEnter(button(container, 'Export newer-1')!);
    await waitFor(() => vi.mocked(downloadFile).mock.calls.length === 2 || null);
    expect(vi.mocked(downloadFile).mock.calls).toEqual([
      ['newer-1.manifest.json', JSON.stringify(newer, null, 2), 'application/json'],
      ['newer-1.model.onnx', new Uint8Array([7]), 'application/octet-stream'],
    ]);
    expect(container.querySelector('[role="alert"]')).toBeNull();

    // Deleting it stays the admin's choice, told what it loses.
    click(button(container, 'Delete newer-1')!);
    const confirm = await waitFor(() => container.querySelector('[role="group"][aria-label="Confirm deleting newer-1"]'));
    expect(confirm.textContent).toContain(
      'This deletes newer-1, its tier policy and its stored lead scores, and cannot be undone, though an updated LeadLens would score with it again: export it first to keep a copy of it as stored.',
    );
  });

  it('as the active model, says that badges say so instead of a score, and to activate another meanwhile', async () => {
    await storeModel({ ...bundled, modelId: 'newer-1' }, new Uint8Array([7]), 'trained');
    await activateStored('newer-1');
    await db.models.update('newer-1', { manifest: newer as never });
    const container = renderSection();
    const note = await waitFor(() => container.querySelector('tr[data-model-id="newer-1"] [data-testid="newer-model"]'));
    expect(note.textContent).toBe(
      `${madeByNewer} Until then it cannot score: as the active model, every badge in this browser says so instead of a score. Activate another model to score leads meanwhile. Export keeps a copy of it as stored.`,
    );
    expect(button(container, 'Delete newer-1')).toBeNull();
    expect(button(container, `Activate ${bundled.modelId}`)).not.toBeNull();
  });
});

describe('a model a newer LeadLens added an option to (a kind of derivation, calibration or tier policy, a feature type)', () => {
  it('is listed as made by a newer LeadLens, with Export, not as damaged to be deleted', async () => {
    const newer = structuredClone({ ...bundled, modelId: 'newer-1' }) as any;
    newer.calibration = { kind: 'beta', a: 1, b: 2, c: 3 };
    await storeModel(newer as never, new Uint8Array([7]), 'trained');
    const container = renderSection();
    const row = await waitFor(() => container.querySelector('tr[data-model-id="newer-1"]'));
    expect(row.querySelector('[data-testid="damaged-model"]')).toBeNull();
    expect(row.querySelector('[data-testid="newer-model"]')?.textContent).toMatch(
      /^This model was made by a newer version of LeadLens: update LeadLens to use it \(its manifest has options this version does not know: calibration\.kind: .*\)\. Until then it cannot score, so it cannot be activated\. Export keeps a copy of it as stored\.$/,
    );
    expect(button(container, 'Activate newer-1')).toBeNull();
    expect(button(container, 'Export newer-1')).not.toBeNull();
  });
});

describe('a model whose tier policy a newer LeadLens set (after a downgrade)', () => {
  it('says it scores with the thresholds it came with until LeadLens is updated or a policy is applied; it can be activated, and Export keeps that policy as set', async () => {
    const newerPolicy = { policy: { kind: 'quota', perRep: 5 }, hot: 0.9, warm: 0.8 };
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([7]), 'trained');
    await db.settings.put({ key: 'tiers:trained-1', value: newerPolicy });
    await db.settings.put({ key: `tiers:${bundled.modelId}`, value: newerPolicy });
    const container = renderSection();
    const row = await waitFor(() => container.querySelector('tr[data-model-id="trained-1"]'));
    const said =
      "Its tier policy was set by a newer version of LeadLens: update LeadLens to use it (the policy has options this version does not know: policy.kind: Invalid discriminator value. Expected 'value' | 'capacity' | 'fixed'). " +
      'Until then, it scores with the thresholds it came with, unless a policy is applied to it under Tier policy (with it active), which replaces the newer one. Export keeps the newer one as it was set.';
    expect(row.querySelector('[data-testid="newer-tier-policy"]')?.textContent).toBe(said);
    // Not one that cannot score: its training figures are shown, and it is not said to be damaged.
    expect(row.querySelector('[data-testid="newer-model"]')).toBeNull();
    expect(row.querySelector('[data-testid="damaged-model"]')).toBeNull();
    expect(row.textContent).toMatch(/\d leads, [\d,]+ conversions/);
    // The bundled model, which cannot be deleted, too.
    expect(container.querySelector(`tr[data-model-id="${bundled.modelId}"] [data-testid="newer-tier-policy"]`)?.textContent).toBe(said);

    pressEnter(button(container, 'Export trained-1')!);
    await waitFor(() => vi.mocked(downloadFile).mock.calls.length === 2 || null);
    expect(JSON.parse(vi.mocked(downloadFile).mock.calls[0][1] as string)).toEqual({ ...bundled, modelId: 'trained-1', tiers: newerPolicy });

    pressEnter(button(container, 'Activate trained-1')!);
    await focusedMessage(/^trained-1 is active/);
    expect((await manifestOf('trained-1')).tiers).toEqual(bundled.tiers);
  });
});

describe('the import form', () => {
  /** A chosen file of `size` bytes, whose reads are watched. */
  const chosenFile = (size: number) => ({ size, text: vi.fn(async () => '{}'), arrayBuffer: vi.fn(async () => new ArrayBuffer(0)) });
  const choose = (container: HTMLElement, name: string, file: object) =>
    Object.defineProperty(container.querySelector(`input[name="${name}"]`)!, 'files', { value: [file], configurable: true });

  const MB = 1024 * 1024;

  it.each([
    ['model.onnx', 1000, 60 * MB, /^model\.onnx is too large \(60\.0 MB; at most 20\.0 MB can be imported\)$/],
    ['manifest.json', 12.5 * MB, 1000, /^manifest\.json is too large \(12\.5 MB; a model's manifest is at most 10\.0 MB\)/],
  ])('refuses a %s too large without reading either file', async (_which, manifestSize, onnxSize, error) => {
    const container = renderSection();
    await waitFor(() => button(container, 'Import model'));
    const [manifestFile, onnxFile] = [chosenFile(manifestSize), chosenFile(onnxSize)];
    choose(container, 'manifest', manifestFile);
    choose(container, 'onnx', onnxFile);
    await act(async () => container.querySelector('form')!.requestSubmit());
    const alert = await waitFor(() => container.querySelector('form [role="alert"]'));
    expect(alert.textContent).toMatch(error);
    for (const file of [manifestFile, onnxFile]) {
      expect(file.text).not.toHaveBeenCalled();
      expect(file.arrayBuffer).not.toHaveBeenCalled();
    }
    expect(checkModel).not.toHaveBeenCalled();
    expect(await db.models.count()).toBe(0);
  });

  it('announces an imported model in a live region on the page before the import', async () => {
    stubWebLocks();
    const container = renderSection();
    await waitFor(() => button(container, 'Import model'));
    const announced = followLiveRegions(container.querySelector('form')!);
    const manifest = JSON.stringify({ ...bundled, modelId: 'imported-1' });
    choose(container, 'manifest', { size: manifest.length, text: async () => manifest });
    const onnx = readFileSync('models/model.onnx');
    choose(container, 'onnx', { size: onnx.length, arrayBuffer: async () => onnx.buffer.slice(onnx.byteOffset, onnx.byteOffset + onnx.length) });
    await act(async () => container.querySelector('form')!.requestSubmit());
    await waitFor(() => announced().includes('Imported imported-1. It is not active yet: activate it in the table above when you are ready.') || null);
    expect(checkModel).toHaveBeenCalledWith({ modelId: 'imported-1' });
  });

  it('keeps the focus on Import model while it checks the files (said unavailable, not disabled), and ignores another import meanwhile', async () => {
    const container = renderSection();
    const importButton = await waitFor(() => button(container, 'Import model'));
    const manifestRead = deferred<string>();
    const manifestFile = { ...chosenFile(20), text: vi.fn(() => manifestRead.promise) };
    choose(container, 'manifest', manifestFile);
    choose(container, 'onnx', chosenFile(1000));
    pressEnter(importButton);
    await waitFor(() => importButton.getAttribute('aria-disabled') === 'true' || importButton.disabled || null);
    expect(importButton.disabled).toBe(false);
    expect(importButton.textContent).toBe('Checking the model…');
    expect(document.activeElement).toBe(importButton);
    pressEnter(importButton);
    act(() => container.querySelector('form')!.requestSubmit());

    await act(async () => manifestRead.resolve('not JSON'));
    await waitFor(() => importButton.getAttribute('aria-disabled') === 'false' || null);
    expect(container.querySelector('form [role="alert"]')?.textContent).toMatch(/manifest\.json is not valid JSON/);
    expect(importButton.textContent).toBe('Import model');
    expect(document.activeElement).toBe(importButton);
    expect(manifestFile.text).toHaveBeenCalledTimes(1);
  });

  it('says a manifest that is not JSON cannot be imported, and drops that error once other files are chosen', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    const container = renderSection();
    await waitFor(() => button(container, 'Import model'));
    choose(container, 'manifest', { ...chosenFile(20), text: async () => 'model.onnx bytes\u0000\u0001' });
    choose(container, 'onnx', chosenFile(1000));
    await act(async () => container.querySelector('form')!.requestSubmit());
    expect((await waitFor(() => container.querySelector('form [role="alert"]'))).textContent).toMatch(/manifest\.json is not valid JSON/);
    expect(checkModel).not.toHaveBeenCalled();
    expect((await db.models.toArray()).map((model) => model.id)).toEqual(['trained-1']);

    choose(container, 'manifest', chosenFile(2000));
    act(() => void container.querySelector('input[name="manifest"]')!.dispatchEvent(new Event('change', { bubbles: true })));
    expect(container.querySelector('form [role="alert"]')).toBeNull();
  });
  /** Chooses `manifest` and `onnx` as the two files and submits the form, once it takes an import (not while one is checked). */
  async function importFiles(container: HTMLElement, manifest: object, onnx: Uint8Array) {
    await waitFor(() => button(container, 'Import model'));
    const manifestJson = JSON.stringify(manifest);
    choose(container, 'manifest', { size: manifestJson.length, text: async () => manifestJson });
    choose(container, 'onnx', { size: onnx.length, arrayBuffer: async () => onnx.buffer.slice(onnx.byteOffset, onnx.byteOffset + onnx.length) });
    await act(async () => container.querySelector('form')!.requestSubmit());
  }
  const modelOnnx = new Uint8Array(readFileSync('models/model.onnx'));
  const newPolicy = { policy: { kind: 'capacity' as const, hotPerWeek: 5, warmPerWeek: 15, inflowPerWeek: 200 }, hot: 0.61, warm: 0.33 };

  /** The question asked before the file's policy replaces the one in force, once asked. */
  const replaceQuestion = (container: HTMLElement) => container.querySelector('[role="group"][aria-label="Confirm replacing the tier policy of team-model"]');
  const replaceButton = (container: HTMLElement) => button(container, "Replace the tier policy of team-model with the file's");
  /** Imports the files, then says yes when asked to replace the policy in force with theirs. */
  async function importReplacingPolicy(container: HTMLElement, manifest: object, onnx: Uint8Array) {
    await importFiles(container, manifest, onnx);
    click(await waitFor(() => replaceButton(container)));
    click(await waitFor(() => button(container, 'Yes, replace it')));
  }

  it("asks before an older export's tier policy replaces the one applied since, naming both; Cancel changes nothing", async () => {
    stubWebLocks();
    await storeModel({ ...bundled, modelId: 'team-model' }, modelOnnx, 'imported');
    await activateStored('team-model');
    const capacity = { policy: { kind: 'capacity' as const, hotPerWeek: 15, warmPerWeek: 25, inflowPerWeek: 100 }, hot: 0.1257, warm: 0.08672 };
    await setTiers('team-model', capacity);
    const exported = await manifestOf('team-model'); // as Export writes it
    // Tier policy applies a value policy since, and keeps its figures for the form.
    const value = { policy: { kind: 'value' as const, revenuePerConversion: 500, costPerContact: 40 }, hot: 0.08, warm: 0.04 };
    await setTiers('team-model', value);
    const figures = { revenuePerConversion: 500, costPerContact: 40, leadsPerPeriod: 100 };
    await keepPolicyFigures('team-model', figures);
    const container = renderSection();
    await waitFor(() => button(container, 'Import model'));
    const announced = followLiveRegions(container.querySelector('form')!);
    await importFiles(container, exported, modelOnnx);
    await waitFor(() => announced().includes("team-model is already installed, with another tier policy than the file's: nothing was changed.") || null);
    expect((await manifestOf('team-model')).tiers).toEqual(value);

    click(await waitFor(() => replaceButton(container)));
    const question = await waitFor(() => replaceQuestion(container));
    expect(question.textContent).toContain(
      'Replace by business value, at $500 per conversion and $40 per contact (hot from 8%, warm from 4% likely) ' +
        "with the file's by capacity, 15 hot and 25 warm leads worked a week of 100 new (hot from 12.57%, warm from 8.672% likely)? " +
        "team-model's stored leads are tiered again by it, and the figures Tier policy kept with the policy in force are forgotten.",
    );
    expect(document.activeElement).toBe(button(container, 'Cancel'));
    click(button(container, 'Cancel')!);
    expect(document.activeElement).toBe(await waitFor(() => replaceButton(container)));
    expect((await manifestOf('team-model')).tiers).toEqual(value);
    expect(await policyFiguresOf('team-model')).toEqual(figures);
    expect(retierStoredScores).not.toHaveBeenCalled();

    click(replaceButton(container)!);
    click(await waitFor(() => button(container, 'Yes, replace it')));
    await waitFor(() => announced().includes('team-model is already installed: its tier policy was updated from the file.') || null);
    expect((await manifestOf('team-model')).tiers).toEqual(capacity);
    expect(await policyFiguresOf('team-model')).toBeNull();
    expect(retierStoredScores).toHaveBeenCalledWith({ modelId: 'team-model' });
    expect(checkModel).not.toHaveBeenCalled();
    expect(replaceButton(container)).toBeNull();
  });

  it('says a model is already installed with the tier policy of its own export, changing and forgetting nothing', async () => {
    stubWebLocks();
    await storeModel({ ...bundled, modelId: 'team-model' }, modelOnnx, 'imported');
    await setTiers('team-model', newPolicy);
    const figures = { revenuePerConversion: 500, costPerContact: 40, leadsPerPeriod: 200 };
    await keepPolicyFigures('team-model', figures);
    const exported = await manifestOf('team-model'); // as Export writes it
    const container = renderSection();
    await waitFor(() => button(container, 'Import model'));
    const announced = followLiveRegions(container.querySelector('form')!);
    await importFiles(container, exported, modelOnnx);
    await waitFor(() => announced().includes("team-model is already installed, with the file's tier policy: nothing changed.") || null);
    expect(replaceButton(container)).toBeNull();
    expect((await manifestOf('team-model')).tiers).toEqual(newPolicy);
    expect(await policyFiguresOf('team-model')).toEqual(figures);
  });

  it("says when an export's capacity thresholds were chosen again on the leads the model was trained on, and which", async () => {
    stubWebLocks();
    const container = renderSection();
    await waitFor(() => button(container, 'Import model'));
    const announced = followLiveRegions(container.querySelector('form')!);
    // Hand-edited to hot from 0 %: every lead hot, where the policy asks 10 of 100 a week.
    await importFiles(container, { ...bundled, modelId: 'team-2', tiers: { ...bundled.tiers, hot: 0, warm: 0 } }, modelOnnx);
    const said = await waitFor(() => announced().find((text) => text.startsWith('Imported team-2.')));
    const { tiers } = await manifestOf('team-2');
    expect(tiers.hot).toBeGreaterThan(0);
    expect(said).toBe(
      'Imported team-2. It is not active yet: activate it in the table above when you are ready. ' +
        "The file's capacity thresholds (hot from 0%, warm from 0% likely) put 100% of the leads the model was trained on in hot, where its policy asks 10% (10 of 100 new leads a week): they were chosen on other leads, or edited. " +
        `They were chosen again on the leads the model was trained on: hot from ${formatThreshold(tiers.hot)}, warm from ${formatThreshold(tiers.warm)} likely. ` +
        'With the model active, apply the policy again under Tier policy to choose them on the leads stored in this browser.',
    );
  });

  it("says when a rebuild of an installed model records a newer reading of its fields, which the model then records too", async () => {
    stubWebLocks();
    const { derivedReadingVersion: _recorded, ...older } = bundled;
    await storeModel({ ...older, modelId: 'team-model' }, modelOnnx, 'imported');
    const container = renderSection();
    await waitFor(() => button(container, 'Import model'));
    const announced = followLiveRegions(container.querySelector('form')!);
    await importFiles(container, { ...bundled, modelId: 'team-model' }, modelOnnx);
    await waitFor(
      () =>
        announced().includes(
          "team-model is already installed, with the file's tier policy. The file also shows it was trained with a newer reading of its fields, which is now recorded.",
        ) || null,
    );
    expect((await manifestOf('team-model')).derivedReadingVersion).toBe(DERIVED_READING_VERSION);
  });

  it('says the policy is in force when its stored leads could not be re-tiered, and that importing again retries', async () => {
    stubWebLocks();
    await storeModel({ ...bundled, modelId: 'team-model' }, modelOnnx, 'imported');
    retierStoredScores.mockResolvedValue({ ok: false, error: 'the offscreen document did not answer' });
    const container = renderSection();
    await waitFor(() => button(container, 'Import model'));
    await importReplacingPolicy(container, { ...bundled, modelId: 'team-model', tiers: newPolicy }, modelOnnx);
    expect((await waitFor(() => container.querySelector('form [role="alert"]'))).textContent).toBe(
      "team-model has the file's tier policy now and badges in this browser use it, but its stored leads could not be re-tiered (the offscreen document did not answer): import the files again to retry.",
    );
  });

  it('refuses the files of a model made by a newer LeadLens, saying to update LeadLens', async () => {
    const container = renderSection();
    await importFiles(container, { ...bundled, modelId: 'newer-1', scoreBands: [0.2, 0.5] }, modelOnnx);
    expect((await waitFor(() => container.querySelector('form [role="alert"]'))).textContent).toBe(
      'This model was made by a newer version of LeadLens: update LeadLens to use it (its manifest has fields this version does not know: (root): Unrecognized key: "scoreBands").',
    );
    expect(checkModel).not.toHaveBeenCalled();
    expect(await db.models.count()).toBe(0);
  });

  it('says how to replace an installed model with other files under its id', async () => {
    stubWebLocks();
    await storeModel({ ...bundled, modelId: 'team-model' }, modelOnnx, 'imported');
    const container = renderSection();
    await waitFor(() => button(container, 'Import model'));
    await importFiles(container, { ...bundled, modelId: 'team-model' }, new Uint8Array([...modelOnnx, 0]));
    expect((await waitFor(() => container.querySelector('form [role="alert"]'))).textContent).toMatch(
      /^Model team-model is already installed, and these files are another model under the same id: to replace it with these files, delete team-model under Model versions \(activate another model first/,
    );
    expect(retierStoredScores).not.toHaveBeenCalled();
  });

  it('imports a model trained before LeadLens changed how it reads some fields, and says so, naming them; not one trained with the current reading', async () => {
    stubWebLocks();
    const { derivedReadingVersion: _recorded, ...older } = bundled;
    const container = renderSection();
    await waitFor(() => button(container, 'Import model'));
    const announced = followLiveRegions(container.querySelector('form')!);
    await importFiles(container, { ...older, modelId: 'older-1' }, modelOnnx);
    const said = await waitFor(() => announced().find((text) => text.startsWith('Imported older-1. It is not active yet: activate it in the table above when you are ready. ')));
    expect(said).toMatch(
      /older-1 was trained before this version of LeadLens changed how it reads some values: 14 of its fields may read differently now \(Annual revenue, Employees, Title seniority and 11 more\), and its scores use the new reading\. Train it again so it learns from the reading it scores with\.$/,
    );
    expect(await db.models.get('older-1')).toBeDefined();

    await importFiles(container, { ...older, modelId: 'current-1', derivedReadingVersion: DERIVED_READING_VERSION }, modelOnnx);
    await waitFor(() => announced().includes('Imported current-1. It is not active yet: activate it in the table above when you are ready.') || null);
  });

  it('says an imported model is not active yet only until it is active, even once rolled back, or until it is deleted', async () => {
    stubWebLocks();
    const container = renderSection();
    await waitFor(() => button(container, 'Import model'));
    const importStatus = container.querySelector('form [role="status"]')!;
    const notActiveYet = (modelId: string) => `Imported ${modelId}. It is not active yet: activate it in the table above when you are ready.`;

    await importFiles(container, { ...bundled, modelId: 'imported-1' }, modelOnnx);
    await waitFor(() => importStatus.textContent === notActiveYet('imported-1') || null);
    pressEnter(await waitFor(() => button(container, 'Activate imported-1')));
    await focusedMessage(/^imported-1 is active: CRM badges in this browser use it now\.$/);
    expect(importStatus.textContent).toBe('');
    pressEnter(await waitFor(() => button(container, `Roll back to ${bundled.modelId}`)));
    await focusedMessage(new RegExp(`^Rolled back to ${bundled.modelId}: `));
    await waitFor(() => button(container, 'Activate imported-1'));
    expect(importStatus.textContent).toBe('');

    await importFiles(container, { ...bundled, modelId: 'imported-2' }, modelOnnx);
    await waitFor(() => importStatus.textContent === notActiveYet('imported-2') || null);
    click(await waitFor(() => button(container, 'Delete imported-2')));
    pressEnter(await waitFor(() => button(container, 'Yes, delete imported-2')));
    await focusedMessage(/^imported-2 was deleted, with its tier policy and its stored lead scores\.$/);
    expect(importStatus.textContent).toBe('');
  });

  it('imports a model that reads no CRM field, then says so on import, in its row and on its activation', async () => {
    stubWebLocks();
    const csvOnly = { ...bundled, modelId: 'csv-only', features: bundled.features.map((feature) => ({ ...feature, derive: { kind: 'value' as const, from: { csv: feature.key } } })) };
    const container = renderSection();
    await waitFor(() => button(container, 'Import model'));
    const announced = followLiveRegions(container.querySelector('form')!);
    await importFiles(container, csvOnly, modelOnnx);
    const note = /csv-only reads no Salesforce or HubSpot field: it can only score CSV files .*train it with --features SPEC\.json/;
    const said = await waitFor(() => announced().find((text) => text.startsWith('Imported csv-only. It is not active yet: activate it in the table above when you are ready. csv-only reads')));
    expect(said).toMatch(note);
    const row = await waitFor(() => container.querySelector('tr[data-model-id="csv-only"] [data-testid="crm-fields-note"]'));
    expect(row.textContent).toMatch(note);
    expect(container.querySelector(`tr[data-model-id="${bundled.modelId}"] [data-testid="crm-fields-note"]`)).toBeNull();
    pressEnter(button(container, 'Activate csv-only')!);
    const activated = await focusedMessage(/^csv-only is active: CRM badges in this browser use it now\. csv-only reads no Salesforce or HubSpot field/);
    expect(activated.textContent).toMatch(note);
  });

  it('imports a model that reads a field LeadLens writes scores to, then says so on import, in its row and on its activation; nothing of one that does not', async () => {
    stubWebLocks();
    await rememberWrittenBackFields('salesforce', ['LeadLens_Tier__c']);
    const [leadSource, ...rest] = bundled.features;
    const readsTier = { ...bundled, modelId: 'colleague-1', features: [{ ...leadSource, derive: { kind: 'value' as const, from: { salesforce: 'LeadLens_Tier__c' } } }, ...rest] };
    const container = renderSection();
    await waitFor(() => button(container, 'Import model'));
    const announced = followLiveRegions(container.querySelector('form')!);
    await importFiles(container, readsTier, modelOnnx);
    const note =
      /colleague-1 reads the Salesforce field "LeadLens_Tier__c" \(for "Lead source"\), which LeadLens writes its scores to: .* Write-back refuses to write scores to a field the active model reads, so while it is active that field keeps .* Train a model here instead/;
    const said = await waitFor(() => announced().find((text) => text.startsWith('Imported colleague-1. It is not active yet: activate it in the table above when you are ready. colleague-1 reads')));
    expect(said).toMatch(note);
    const row = await waitFor(() => container.querySelector('tr[data-model-id="colleague-1"] [data-testid="written-back-fields-note"]'));
    expect(row.textContent).toMatch(note);
    expect(container.querySelector(`tr[data-model-id="${bundled.modelId}"] [data-testid="written-back-fields-note"]`)).toBeNull();
    pressEnter(button(container, 'Activate colleague-1')!);
    const activated = await focusedMessage(/^colleague-1 is active: CRM badges in this browser use it now\. colleague-1 reads the Salesforce field "LeadLens_Tier__c"/);
    expect(activated.textContent).toMatch(note);

    await importFiles(container, { ...bundled, modelId: 'imported-2' }, modelOnnx);
    await waitFor(() => announced().includes('Imported imported-2. It is not active yet: activate it in the table above when you are ready.') || null);
    await waitFor(() => container.querySelector('tr[data-model-id="imported-2"]'));
    expect(container.querySelector('tr[data-model-id="imported-2"] [data-testid="written-back-fields-note"]')).toBeNull();
  });
});

// An admin reads the section to decide which model scores, and who gets it.
it("dates a model trained here by the day it was in the browser's time zone, and the bundled one, dated by a day, by that day", () =>
  inTimeZone('America/Los_Angeles', async () => {
    // 8 pm on Dec 1 in Los Angeles: 4 am on Dec 2 in UTC.
    await storeModel({ ...bundled, modelId: 'trained-evening', createdAt: '2026-12-02T04:00:00.000Z' }, new Uint8Array([1]), 'trained');
    const container = renderSection();
    const trained = await waitFor(() => container.querySelector('tr[data-model-id="trained-evening"]'));
    const installed = await waitFor(() => container.querySelector(`tr[data-model-id="${bundled.modelId}"]`));
    expect(bundled.createdAt).toBe('2026-11-01T00:00:00.000Z');
    expect(trained.querySelectorAll('td')[1].textContent).toBe('Dec 1, 2026');
    // Built by the command line, dated by its data (`--now`), so that it builds byte for byte.
    expect(bundled.provenance.referenceTime).toBe(bundled.createdAt);
    expect(installed.querySelectorAll('td')[1].textContent).toBe('data as of Nov 1, 2026');
  }));

describe('tells versions apart (a review of model versions over months: rows differed only by id and day)', () => {
  /** The text of `row`'s cell under the column headed `heading`. */
  function cellUnder(container: HTMLElement, row: Element, heading: string): string | null {
    const column = Array.from(container.querySelectorAll('thead th'), (th) => th.textContent).indexOf(heading);
    expect(column).toBeGreaterThan(0);
    return row.children[column].textContent;
  }
  const rowOf = (container: HTMLElement, modelId: string) => waitFor(() => container.querySelector(`tr[data-model-id="${modelId}"]`));

  it('says what each model learnt from, in a column headed so, and the tier policy it scores with in words', async () => {
    const salesforceRule = { field: 'Status', positiveValues: ['Closed - Converted'], source: 'salesforce' as const, settledAfterDays: 30 };
    await storeModel({ ...bundled, modelId: 'trained-1', outcomeRule: salesforceRule, provenance: { ...bundled.provenance, source: 'salesforce leads' } }, new Uint8Array([1]), 'trained');
    const hubspotRule = { field: 'lifecyclestage', positiveValues: ['customer'], source: 'hubspot' as const };
    await storeModel(
      { ...bundled, modelId: 'demo-1', outcomeRule: hubspotRule, provenance: { ...bundled.provenance, source: 'hubspot demo leads', demoLeads: true } },
      new Uint8Array([1]),
      'trained',
    );
    // The policy applied to it under Tier policy, not the one it came with.
    await db.settings.put({ key: 'tiers:trained-1', value: { policy: { kind: 'fixed' }, hot: 0.5, warm: 0.2 } });
    const container = renderSection();
    const trained = await rowOf(container, 'trained-1');
    expect(cellUnder(container, trained, 'Learnt from')).toBe('5,000 leads, 464 conversions; converted means "Lead Status" is Closed - Converted, for Salesforce leads');
    expect(cellUnder(container, trained, 'Tier policy')).toBe('fixed probabilities (hot from 50%, warm from 20% likely)');
    const demo = await rowOf(container, 'demo-1');
    expect(cellUnder(container, demo, 'Learnt from')).toBe(
      '5,000 leads, 464 conversions; converted means "Lifecycle stage" is customer, for HubSpot leads (a model trained on made-up demo leads, not on yours)',
    );
    // The CLI's model, as the bundled one is: the file it was trained on.
    const installed = await rowOf(container, bundled.modelId);
    expect(cellUnder(container, installed, 'Learnt from')).toBe('5,000 leads, 464 conversions, from demo-history.csv (a model trained on made-up demo leads, not on yours)');
    expect(cellUnder(container, installed, 'Tier policy')).toBe(
      `by capacity, 10 hot and 20 warm leads worked a week of 100 new (hot from ${formatThreshold(bundled.tiers.hot)}, warm from ${formatThreshold(bundled.tiers.warm)} likely)`,
    );
  });

  it('names the leads a model trained by an older LeadLens without an outcome rule learnt from as the pages do', async () => {
    // Recorded as 'hubspot leads' before 0f42dd9, and before 29bb9bc with no outcome rule to name them.
    await storeModel({ ...bundled, modelId: 'trained-before-1', provenance: { ...bundled.provenance, source: 'hubspot leads' } }, new Uint8Array([1]), 'trained');
    const container = renderSection();
    expect(cellUnder(container, await rowOf(container, 'trained-before-1'), 'Learnt from')).toBe('5,000 leads, 464 conversions, from HubSpot leads');
  });

  it("says what converted means by the labels the CRM's pages showed for the rule's values, where the model recorded them", async () => {
    const rule = { field: 'lifecyclestage', positiveValues: ['1234567', 'customer'], source: 'hubspot' as const };
    await storeModel({ ...bundled, modelId: 'labelled', outcomeRule: { ...rule, valueLabels: { '1234567': 'Product Qualified Lead', customer: 'Customer' } } }, new Uint8Array([1]), 'trained');
    // Trained by an older LeadLens, which recorded none.
    await storeModel({ ...bundled, modelId: 'older', outcomeRule: rule }, new Uint8Array([1]), 'trained');
    const container = renderSection();
    expect(cellUnder(container, await rowOf(container, 'labelled'), 'Learnt from')).toBe(
      '5,000 leads, 464 conversions; converted means "Lifecycle stage" is Product Qualified Lead or Customer, for HubSpot leads (a model trained on made-up demo leads, not on yours)',
    );
    expect(cellUnder(container, await rowOf(container, 'older'), 'Learnt from')).toBe(
      '5,000 leads, 464 conversions; converted means "Lifecycle stage" is 1234567 or customer, for HubSpot leads (a model trained on made-up demo leads, not on yours)',
    );
  });

  it('marks the active model as in use now, and the one Roll back goes to', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    await storeModel({ ...bundled, modelId: 'trained-2' }, new Uint8Array([1]), 'trained');
    await activateStored('trained-1');
    await activateStored('trained-2');
    const container = renderSection();
    await waitFor(() => button(container, 'Roll back to trained-1'));
    const modelCell = async (modelId: string) => (await rowOf(container, modelId)).querySelector('th')!.textContent;
    expect(await modelCell('trained-2')).toBe('trained-2 (active)');
    expect(await modelCell('trained-1')).toBe('trained-1 (previous: Roll back goes here)');
    expect(await modelCell(bundled.modelId)).toBe(bundled.modelId);
  });

  /** `manifest` as a training with the features of `keys` left out makes it: its terms and reference figures without them too. */
  function withoutFeatures(manifest: Manifest, modelId: string, keys: readonly string[]): Manifest {
    const kept = manifest.features.flatMap((feature, i) => (keys.includes(feature.key) ? [] : [i]));
    const indexNow = new Map(kept.map((before, now) => [before, now]));
    const terms = manifest.terms.filter((term) => term.features.every((i) => indexNow.has(i))).map((term) => ({ ...term, features: term.features.map((i) => indexNow.get(i)!) }));
    const reference = { ...manifest.reference, features: manifest.reference.features.filter((feature) => !keys.includes(feature.key)) };
    return { ...manifest, modelId, features: kept.map((i) => manifest.features[i]), terms, reference };
  }
  /** `manifest` with features renamed (`to`, by key): other features, as far as the versions can tell. */
  function renamed(manifest: Manifest, modelId: string, to: (feature: { key: string; label: string }) => { key: string; label: string }): Manifest {
    const keyOf = new Map(manifest.features.map((feature) => [feature.key, to(feature).key]));
    const features = manifest.features.map((feature) => ({ ...feature, ...to(feature) }));
    const referenceFeatures = manifest.reference.features.map(({ atMost, ...feature }) => ({
      ...feature,
      key: keyOf.get(feature.key)!,
      ...(atMost && { atMost: atMost.map((key) => keyOf.get(key)!) }),
    }));
    return { ...manifest, modelId, features, reference: { ...manifest.reference, features: referenceFeatures } };
  }

  // Two models trained a minute apart, the second with "Title seniority" left out, read alike but for their ids.
  it('says how many features each model reads, and which of them the active model does not read and which of its own it leaves out, by label', async () => {
    await storeModel({ ...bundled, modelId: 'trained-a' }, new Uint8Array([1]), 'trained');
    await activateStored('trained-a');
    await storeModel(withoutFeatures(bundled, 'trained-b', ['title_seniority']), new Uint8Array([1]), 'trained');
    const jobLevel = (feature: { key: string; label: string }) => (feature.key === 'title_seniority' ? { key: 'job_level', label: 'Job level' } : feature);
    await storeModel(renamed(withoutFeatures(bundled, 'other-title', ['country']), 'other-title', jobLevel), new Uint8Array([1]), 'trained');
    await storeModel(withoutFeatures(bundled, 'few', ['lead_source', 'industry', 'annual_revenue', 'employees', 'title_seniority']), new Uint8Array([1]), 'trained');
    await storeModel(renamed(bundled, 'elsewhere', ({ key, label }) => ({ key: `crm_${key}`, label: `CRM ${label}` })), new Uint8Array([1]), 'imported');
    const container = renderSection();
    const features = async (modelId: string) => cellUnder(container, await rowOf(container, modelId), 'Features');
    expect(await features('trained-a')).toBe('17 features');
    expect(await features('trained-b')).toBe("16 features: the active model's without Title seniority");
    expect(await features('other-title')).toBe("16 features: the active model's with Job level, without Title seniority and Country");
    expect(await features('few')).toBe("12 features: the active model's without Lead source, Industry, Annual revenue and 2 more");
    expect(await features('elsewhere')).toBe("17 features, none of them the active model's");
    expect(await features(bundled.modelId)).toBe("17 features, the same as the active model's");
  });

  it("gives the time of day of models trained the same day, and the day an imported one was imported beside the day it was trained", () =>
    inTimeZone('America/Los_Angeles', async () => {
      // 9:12 am and 3:40 pm on Nov 3 in Los Angeles.
      await storeModel({ ...bundled, modelId: 'trained-morning', createdAt: '2026-11-03T17:12:00.000Z' }, new Uint8Array([1]), 'trained');
      await storeModel({ ...bundled, modelId: 'trained-afternoon', createdAt: '2026-11-03T23:40:00.000Z' }, new Uint8Array([1]), 'trained');
      // A colleague's model trained on Oct 20, imported at noon on Dec 1 in Los Angeles.
      const now = vi.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-12-01T20:00:00.000Z'));
      await storeModel({ ...bundled, modelId: 'colleague-1', createdAt: '2026-10-20T18:00:00.000Z' }, new Uint8Array([1]), 'imported');
      now.mockRestore();
      const container = renderSection();
      const trainedCell = async (modelId: string) => cellUnder(container, await rowOf(container, modelId), 'Trained');
      expect(await trainedCell('trained-morning')).toMatch(/^Nov 3, 2026, 9:12\sAM$/);
      expect(await trainedCell('trained-afternoon')).toMatch(/^Nov 3, 2026, 3:40\sPM$/);
      expect(await trainedCell('colleague-1')).toBe('Oct 20, 2026 (imported Dec 1, 2026)');
      expect(await trainedCell(bundled.modelId)).toBe('data as of Nov 1, 2026');
    }));

  it("says a model the command line trained is dated by its data's latest date, not by the day it was trained", async () => {
    // Trained on Dec 7 from a file whose latest date is Feb 28: the command line dates it Feb 28 (its reference time), so the same data trains the same bytes.
    const now = vi.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-12-07T20:00:00.000Z'));
    const provenance = { ...bundled.provenance, source: 'history.csv', referenceTime: '2026-02-28T00:00:00.000Z' };
    await storeModel({ ...bundled, modelId: 'cli-1', createdAt: '2026-02-28T00:00:00.000Z', provenance }, new Uint8Array([1]), 'imported');
    now.mockRestore();
    const container = renderSection();
    expect(cellUnder(container, await rowOf(container, 'cli-1'), 'Trained')).toBe('data as of Feb 28, 2026 (imported Dec 7, 2026)');
  });
});

it("exports a model trained here with its tiers counted on the leads it learnt from (the first the worker reads), not an imported one's", async () => {
  await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
  await storeModel({ ...bundled, modelId: 'imported-1' }, new Uint8Array([1]), 'imported');
  stored.labelled = {
    labels: Uint8Array.from([1, 0, 1]),
    probabilities: Float64Array.from([0.4, 0.1, 0.3]),
    heldOut: 2,
    ranked: Float64Array.from([0.4, 0.1, 0.3]),
    learntFromScores: Float64Array.from([0.4, 0.1]),
    crossFitted: { probabilities: Float64Array.from([0.5, 0.2, 0.3]), ranked: Float64Array.from([0.5, 0.2, 0.3]) },
  };
  const container = renderSection();
  pressEnter(await waitFor(() => button(container, 'Export trained-1')));
  await waitFor(() => vi.mocked(downloadFile).mock.calls.length === 2 || null);
  expect(exportFiles).toHaveBeenLastCalledWith('trained-1', { labels: Uint8Array.from([1, 0]), probabilities: Float64Array.from([0.4, 0.1]), crossFitted: Float64Array.from([0.5, 0.2]) });
  // Another Export is ignored until this one has ended.
  pressEnter(await waitFor(() => (button(container, 'Export imported-1')?.getAttribute('aria-disabled') === 'false' ? button(container, 'Export imported-1') : null)));
  await waitFor(() => vi.mocked(downloadFile).mock.calls.length === 4 || null);
  expect(exportFiles).toHaveBeenLastCalledWith('imported-1', undefined);
  stored.labelled = null;
});

it('keeps the focus on Export while it exports (said unavailable, not disabled), and ignores another Export meanwhile', async () => {
  await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
  const container = renderSection();
  const exportButton = await waitFor(() => button(container, 'Export trained-1'));
  const exporting = deferred<Awaited<ReturnType<typeof exportFiles>>>();
  vi.mocked(exportFiles).mockReturnValueOnce(exporting.promise);
  pressEnter(exportButton);
  await waitFor(() => exportButton.getAttribute('aria-disabled') === 'true' || exportButton.disabled || null);
  expect(exportButton.disabled).toBe(false);
  expect(document.activeElement).toBe(exportButton);
  pressEnter(exportButton);

  await act(async () => exporting.reject(new Error('the model could not be read')));
  await waitFor(() => container.querySelector('[role="alert"]'));
  expect(exportButton.getAttribute('aria-disabled')).toBe('false');
  expect(document.activeElement).toBe(exportButton);
  expect(exportFiles).toHaveBeenCalledTimes(1);
});

it('heads the ranking figure in words, and says under the table what it measures, from chance to perfect, as the training report does', async () => {
  const container = renderSection();
  await waitFor(() => container.querySelector(`tr[data-model-id="${bundled.modelId}"]`));
  const heading = Array.from(container.querySelectorAll('thead th')).find((th) => th.textContent === 'Ranking quality')!;
  const note = container.querySelector(`[id="${heading.getAttribute('aria-describedby')}"]`);
  expect(note?.textContent).toBe('Ranking quality: ROC-AUC averaged over the cross-validation folds, or on one holdout; 0.5 is chance, 1 is perfect.');
});

it('says under the models, where they are exported, that an exported model holds some CRM values, to be shared only as the leads are', async () => {
  const container = renderSection();
  const note = await waitFor(() => container.querySelector('[data-testid="export-holds-crm-values"]'));
  expect(note.textContent).toBe(
    "An exported model holds some of your CRM's values: the categories it learnt from 10 or more leads (a lead source, an industry, a company) " +
      'and ranges of numbers and dates. Share its files only as you would share the leads.',
  );
  expect(container.querySelector('table.versions')!.compareDocumentPosition(note) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
});

it('says under Import a model that a model made active here scores in this browser only, and how reps get it', async () => {
  const container = renderSection();
  const rollout = await waitFor(() => container.querySelector('[data-testid="team-rollout"]'));
  expect(rollout.textContent).toBe(
    "A model made active here scores in this browser only: each rep's LeadLens keeps its own model until the rep imports its export " +
      '(Model versions → Export gives both files, with its tier policy; the rep imports them under Model versions → Import a model). ' +
      'Or write its scores to CRM fields (Write scores to the CRM), which every user of the CRM sees.',
  );
  const heading = Array.from(container.querySelectorAll('h3')).find((element) => element.textContent === 'Import a model')!;
  expect(heading.compareDocumentPosition(rollout) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
});
