import type { TrainingEvent } from '@/lib/ml/train/worker-protocol';

type Trained = Extract<TrainingEvent, { type: 'trained' }>;

const TOP_SIGNALS = 5;

/** The key metrics of a trained model, in words an admin can judge before activating it. */
export function TrainingReport({ trained }: { trained: Trained }) {
  const { summary, manifest, warnings } = trained;
  const signals = [...manifest.terms].sort((a, b) => b.importance - a.importance).slice(0, TOP_SIGNALS);
  return (
    <div className="card" data-testid="training-report">
      <h3 style={{ marginTop: 0 }}>Model {manifest.modelId}</h3>
      <dl>
        <dt>Leads trained on</dt>
        <dd>
          {summary.rows.toLocaleString('en-US')} ({summary.positives.toLocaleString('en-US')} converted)
        </dd>
        <dt>Ranking quality (ROC-AUC, cross-validated; 0.5 is chance, 1 is perfect)</dt>
        <dd data-metric="roc-auc">{summary.cvRocAuc.toFixed(3)}</dd>
        <dt>Precision–recall area (the base rate is {(summary.positives / summary.rows).toFixed(3)})</dt>
        <dd>{summary.cvPrAuc.toFixed(3)}</dd>
        <dt>Calibration error (how far "12 % likely" is from what happened)</dt>
        <dd>{(summary.ece * 100).toFixed(1)} percentage points</dd>
        <dt>Features used</dt>
        <dd>{summary.features}</dd>
      </dl>
      <h4>Strongest signals</h4>
      <ol>
        {signals.map((term) => (
          <li key={term.label}>
            {term.label} ({Math.round(term.importance * 100)} %)
          </li>
        ))}
      </ol>
      {warnings.length > 0 && (
        <details>
          <summary>Trainer notes ({warnings.length})</summary>
          <ul>
            {warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
