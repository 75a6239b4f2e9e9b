import { PageShell } from '@/components/PageShell';
import { PartBoundary } from '@/components/PartBoundary';
import { queryKeys } from '@/lib/query-keys';
import { useInvalidateOnEvent, useInvalidateWhenJobEnds } from '@/lib/ui/hooks';
import { optionsSections } from './sections';

export function App() {
  return (
    <PageShell title="LeadLens options">
      {/* Its bookkeeping reads stored data too: a failed read is said here, not a blank page. */}
      <PartBoundary name="The options page">
        <Sections />
      </PartBoundary>
    </PageShell>
  );
}

function Sections() {
  // Leads deleted elsewhere (connecting another org forgets its leads): counts and samples read again.
  useInvalidateOnEvent('storedDataDeleted', [queryKeys.leads()]);
  useInvalidateOnEvent('ownersNamed', [queryKeys.leads()]);
  // Scores written by a job this page did not wait for (a sync's, a write-back's, another tab's):
  // the policy preview, the report's stored outcomes and the counts read them again.
  useInvalidateWhenJobEnds('scoring', [queryKeys.leads()]);
  useInvalidateWhenJobEnds('retier', [queryKeys.leads()]);
  return (
    <>
      <nav aria-label="Sections">
        <ul style={{ display: 'flex', gap: 12, listStyle: 'none', padding: 0, flexWrap: 'wrap' }}>
          {optionsSections.map((section) => (
            <li key={section.id}>
              <a href={`#${section.id}`}>{section.title}</a>
            </li>
          ))}
        </ul>
      </nav>
      {optionsSections.map(({ id, title, Component }) => (
        <section key={id} id={id} aria-labelledby={`${id}-title`}>
          <h2 id={`${id}-title`}>{title}</h2>
          <PartBoundary name={`The ${title} section`}>
            <Component />
          </PartBoundary>
        </section>
      ))}
    </>
  );
}
