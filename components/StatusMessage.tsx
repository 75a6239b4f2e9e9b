import type { ReactNode } from 'react';
import { percentText } from '@/lib/presentation';

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

/** `id`: for a form field's `aria-describedby`, when the error is that field's. */
export function ErrorState({ message, action, id }: { message: string; action?: ReactNode; id?: string }) {
  return (
    <div id={id} role="alert" className="status-error" style={{ border: '1px solid #b3261e', borderRadius: 6, padding: 12, color: '#7a1712' }}>
      <p style={{ margin: 0 }}>{message}</p>
      {action}
    </div>
  );
}

/**
 * A polite live region that is on the page before it has anything to say: screen readers announce
 * what changes in a region they already know, seldom a region that arrives with its text. Render
 * it always, and put the message in it when there is one (nothing: it says nothing). Say stages
 * and outcomes in it, not each step of a job. `visuallyHidden`: the page shows the same words
 * elsewhere (a progress bar's label, a result line), so they are only spoken.
 */
export function StatusRegion({ children, visuallyHidden = false }: { children?: ReactNode; visuallyHidden?: boolean }) {
  return (
    <div role="status" className={visuallyHidden ? 'visually-hidden' : undefined}>
      {children}
    </div>
  );
}

/**
 * A long job's progress. It is not a live region: it comes with its job, too late to be heard
 * (see StatusRegion), and its counts change with every batch, so they are read where they are;
 * the page showing it says in a StatusRegion that the job runs, and how it ended. `total` null:
 * not known yet (a CRM that does not say how much is left), shown as a progress without an end,
 * or up to `fraction` when the job can tell how far it is by other means (a file read by bytes,
 * not rows).
 */
export function JobProgressBar({ label, done, total, fraction }: { label: string; done: number; total: number | null; fraction?: number }) {
  const style = { display: 'block', width: '100%' };
  return (
    <div className="job-progress">
      <label style={{ display: 'block' }}>
        {total === null ? (
          <>
            {label}: {done.toLocaleString('en-US')} so far
            {fraction === undefined ? <progress style={style} /> : <progress value={fraction} max={1} style={style} />}
          </>
        ) : (
          <>
            {label}: {done.toLocaleString('en-US')} of {total.toLocaleString('en-US')} ({percentText(total > 0 ? Math.floor((done / total) * 100) : 0)})
            <progress value={done} max={Math.max(total, 1)} style={style} />
          </>
        )}
      </label>
    </div>
  );
}
