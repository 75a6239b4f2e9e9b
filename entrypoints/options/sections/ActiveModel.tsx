import { useQuery } from '@tanstack/react-query';
import { ModelSummary } from '@/components/ModelSummary';
import { ScoreDrift } from '@/components/ScoreDrift';
import { activeManifest } from '@/lib/ml/model-store';
import { queryKeys } from '@/lib/query-keys';

export function ActiveModelSection() {
  const model = useQuery({ queryKey: queryKeys.activeModel(), queryFn: activeManifest });
  if (model.isPending) return <p>Loading the active model…</p>;
  if (model.isError) return <p role="alert">{model.error.message}</p>;
  return (
    <>
      <ModelSummary manifest={model.data} />
      <h3>Leads scored now vs its training leads</h3>
      <ScoreDrift manifest={model.data} />
    </>
  );
}
