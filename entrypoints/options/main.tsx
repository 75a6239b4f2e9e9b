import { createRoot } from 'react-dom/client';
import { ModelSummary } from '@/components/ModelSummary';
import { PageShell } from '@/components/PageShell';
import { bundledModel } from '@/lib/ml/bundled-model';

function Options() {
  const model = bundledModel.manifest();
  return (
    <PageShell title="LeadLens options">
      <h2>Active model</h2>
      {model.ok ? <ModelSummary manifest={model.manifest} /> : <p role="alert">{model.error}</p>}
      <h2>Data and privacy</h2>
      <p>
        LeadLens scores leads inside this browser. Nothing leaves it except calls to your own CRM; it sends no data
        anywhere else and loads no remote code.
      </p>
    </PageShell>
  );
}

createRoot(document.getElementById('root')!).render(<Options />);
