import { ModelSummary } from '@/components/ModelSummary';
import { ScoreDrift } from '@/components/ScoreDrift';
import { CRM_KINDS, CRM_LABEL, fieldIdentity, type CrmKind } from '@/lib/crm/types';
import { db } from '@/lib/db/db';
import { listInWords } from '@/lib/list-in-words';
import { learntFromMadeUpLeads } from '@/lib/ml/bundled-model';
import { featuresReadingField, fieldsRead, readingChangedNote, type Manifest } from '@/lib/ml/manifest';
import { MADE_UP_LEADS_MODEL_WORDS } from '@/lib/presentation';
import { dexieSyncStore } from '@/lib/sync/store';
import { useActiveManifest, useLiveValue } from '@/lib/ui/hooks';
import { useScoreDrift } from './use-score-drift';
import { TEAM_ROLLOUT } from './Versions';

export function ActiveModelSection() {
  const model = useActiveManifest();
  if (model.isPending) return <p>Loading the active model…</p>;
  if (model.isError) return <p role="alert">{model.error.message}</p>;
  const readingNote = readingChangedNote(model.data);
  return (
    <>
      <ModelSummary manifest={model.data} />
      {/* A fresh install's, another version's imported, or one trained on Demo mode's leads: its figures are of demo leads, and say nothing of how the company's leads convert. */}
      {learntFromMadeUpLeads(model.data) && (
        <p role="note" data-testid="default-model-note">
          This is {MADE_UP_LEADS_MODEL_WORDS}: its scores show how LeadLens works, not which of your leads convert. Train a model on your own leads
          under <a href="#training">Train on your history</a>, then activate it.
        </p>
      )}
      {readingNote && (
        <p role="note" data-testid="reading-changed-note">
          {readingNote}
        </p>
      )}
      <FieldsNotGivenNotes manifest={model.data} />
      <p data-testid="team-rollout">{TEAM_ROLLOUT}</p>
      <h3>Leads scored now vs its training leads</h3>
      <ActiveModelScoreDrift manifest={model.data} />
    </>
  );
}

/** The drift of the active model's stored scores: read here, for the component to draw from what it is given. */
function ActiveModelScoreDrift({ manifest }: { manifest: Manifest }) {
  return <ScoreDrift manifest={manifest} read={useScoreDrift(manifest)} />;
}

/**
 * What an admin is told of the fields the active model reads from `crm` that the CRM did not give
 * LeadLens at the last sync (`syncedFields`, every field a sync reads: one deleted, renamed, hidden
 * by field-level security, an archived property or a revoked scope is not among them): each of its
 * leads is scored without them, as not known, and nothing else says so. Null when it gives them
 * all, or no sync recorded what it gives.
 */
export function fieldsNotGivenNote(manifest: Pick<Manifest, 'features'>, crm: CrmKind, syncedFields: readonly string[] | undefined): string | null {
  if (syncedFields === undefined) return null;
  const given = new Set(syncedFields.map((name) => fieldIdentity(crm, name)));
  const missing = fieldsRead(manifest.features, crm).filter((name) => !given.has(fieldIdentity(crm, name)));
  if (missing.length === 0) return null;
  // By the label its reasons give it: a rep's "Annual revenue: not known" is this field.
  const named = missing.map((name) => `${featuresReadingField(crm, name, manifest.features)[0].label} (${name})`);
  const them = missing.length === 1 ? 'it' : 'them';
  return (
    `The active model reads ${listInWords(named)}, which ${CRM_LABEL[crm]} did not give LeadLens at the last sync (deleted, renamed, or no longer readable with LeadLens's connection): ` +
    `its synced leads, and badges on pages that do not show ${them}, are scored without ${them}, as not known. Make ${them} readable again, or train a model on the fields ${CRM_LABEL[crm]} gives now.`
  );
}

/** `fieldsNotGivenNote` for each CRM, by what its last sync kept (read from the stored sync state: the page never asks the CRM). */
function FieldsNotGivenNotes({ manifest }: { manifest: Manifest }) {
  const syncedFields = useLiveValue(() => Promise.all(CRM_KINDS.map(async (crm) => (await dexieSyncStore(db).readState(crm)).syncedFields)));
  const notes = CRM_KINDS.flatMap((crm, i) => fieldsNotGivenNote(manifest, crm, syncedFields?.[i]) ?? []);
  return notes.map((note) => (
    <p role="note" data-testid="fields-not-given-note" key={note}>
      {note}
    </p>
  ));
}
