import { ModelSummary } from '@/components/ModelSummary';
import { ScoreDrift } from '@/components/ScoreDrift';
import { learntFromMadeUpLeads } from '@/lib/ml/bundled-model';
import { readingChangedNote, type Manifest } from '@/lib/ml/manifest';
import { MADE_UP_LEADS_MODEL_WORDS } from '@/lib/presentation';
import { useActiveManifest } from '@/lib/ui/hooks';
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
