import { ModelSummary } from '@/components/ModelSummary';
import { ScoreDrift } from '@/components/ScoreDrift';
import { readingChangedNote } from '@/lib/ml/manifest';
import { useActiveManifest } from '@/lib/ui/hooks';

export function ActiveModelSection() {
  const model = useActiveManifest();
  if (model.isPending) return <p>Loading the active model…</p>;
  if (model.isError) return <p role="alert">{model.error.message}</p>;
  const readingNote = readingChangedNote(model.data);
  return (
    <>
      <ModelSummary manifest={model.data} />
      {readingNote && (
        <p role="note" data-testid="reading-changed-note">
          {readingNote}
        </p>
      )}
      <h3>Leads scored now vs its training leads</h3>
      <ScoreDrift manifest={model.data} />
    </>
  );
}
