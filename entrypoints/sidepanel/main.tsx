import { createRoot } from 'react-dom/client';
import { ModelSummary } from '@/components/ModelSummary';
import { PageShell } from '@/components/PageShell';
import { bundledModel } from '@/lib/ml/bundled-model';

function SidePanel() {
  const model = bundledModel.manifest();
  return (
    <PageShell title="LeadLens">
      <p>Open a lead in Salesforce or HubSpot: its badge shows the score, and hovering it shows why.</p>
      {model.ok ? <ModelSummary manifest={model.manifest} /> : <p role="alert">{model.error}</p>}
    </PageShell>
  );
}

createRoot(document.getElementById('root')!).render(<SidePanel />);
