import { PageShell } from '@/components/PageShell';
import { PartBoundary } from '@/components/PartBoundary';
import { queryKeys } from '@/lib/query-keys';
import { useInvalidateOnEvent, useInvalidateWhenJobEnds, useReadEverythingAgainWhenPurged } from '@/lib/ui/hooks';
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
  // "Purge everything" in another tab: everything read again, as the purging page does.
  useReadEverythingAgainWhenPurged();
  useInvalidateOnEvent('ownersNamed', [queryKeys.leads()]);
  // A connect, check or Disconnect, or a sync or write-back started, in another tab or by the schedule:
  // its rows read again, and a run seen running is polled from then on.
  useInvalidateOnEvent('connectionsOrRunsChanged', [queryKeys.connections(), queryKeys.syncs(), queryKeys.writeBacks()]);
  // Scores written by a job this page did not wait for (a sync's, a write-back's, another tab's):
  // the policy preview, the report's stored outcomes and the counts read them again. The models too,
  // as the side panel does: a re-tier ends a tier policy applied (in another tab: the manifest read
  // before would show the thresholds before it), a scoring of every lead an activation (of the model
  // already active too, trained again to its own id: its stored manifest changed).
  useInvalidateWhenJobEnds('scoring', [queryKeys.leads(), queryKeys.models()]);
  useInvalidateWhenJobEnds('retier', [queryKeys.leads(), queryKeys.models()]);
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
