import type { ReactNode } from 'react';

/** Loading, empty and error states that say what to do next. */
export function Loading({ what }: { what: string }) {
  return (
    <p role="status" aria-live="polite" className="status-loading">
      Loading {what}…
    </p>
  );
}

export function EmptyState({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="status-empty" style={{ border: '1px dashed #8a8a8a', borderRadius: 6, padding: 12 }}>
      <p style={{ fontWeight: 600, margin: '0 0 4px' }}>{title}</p>
      {children}
    </div>
  );
}

export function ErrorState({ message, action }: { message: string; action?: ReactNode }) {
  return (
    <div role="alert" className="status-error" style={{ border: '1px solid #b3261e', borderRadius: 6, padding: 12, color: '#7a1712' }}>
      <p style={{ margin: 0 }}>{message}</p>
      {action}
    </div>
  );
}

/**
 * A long job's progress. Screen readers are told which job runs (its label is a polite live
 * region); the counts and the bar change with every batch, so they are read where they are,
 * not announced each time. `total` null: not known yet (a CRM that does not say how much is
 * left), shown as a progress without an end, or up to `fraction` when the job can tell how far
 * it is by other means (a file read by bytes, not rows).
 */
export function JobProgressBar({ label, done, total, fraction }: { label: string; done: number; total: number | null; fraction?: number }) {
  const style = { display: 'block', width: '100%' };
  const announced = <span role="status">{label}</span>;
  return (
    <div className="job-progress">
      <label style={{ display: 'block' }}>
        {total === null ? (
          <>
            {announced}: {done.toLocaleString('en-US')} so far
            {fraction === undefined ? <progress style={style} /> : <progress value={fraction} max={1} style={style} />}
          </>
        ) : (
          <>
            {announced}: {done.toLocaleString('en-US')} of {total.toLocaleString('en-US')} ({total > 0 ? Math.round((done / total) * 100) : 0} %)
            <progress value={done} max={Math.max(total, 1)} style={style} />
          </>
        )}
      </label>
    </div>
  );
}
