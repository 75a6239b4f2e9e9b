import { PageShell } from '@/components/PageShell';
import { EmptyState, ErrorState, JobProgressBar, Loading } from '@/components/StatusMessage';
import { browser } from 'wxt/browser';
import { useScoredLeads } from './hooks';
import { OpenLeadView } from './OpenLeadView';
import { SegmentView } from './SegmentView';

const openOptions = () => void browser.runtime.openOptionsPage();

function Segments() {
  const { leads, job } = useScoredLeads();
  const progress = job?.state === 'running' && <JobProgressBar label="Scoring stored leads" done={job.done} total={job.total} />;
  if (leads.isPending) return <>{progress || <Loading what="scored leads" />}</>;
  if (leads.isError) {
    return <ErrorState message={`The stored leads could not be read: ${leads.error.message}`} action={<button type="button" onClick={() => void leads.refetch()}>Try again</button>} />;
  }
  if (leads.data.length === 0) {
    return (
      <>
        {progress}
        <EmptyState title="No scored leads yet">
          <p style={{ margin: '0 0 8px' }}>
            Connect HubSpot or Salesforce in Options, import a CSV there, or load the demo data to see LeadLens at work.
          </p>
          <button type="button" onClick={openOptions}>
            Open Options
          </button>
        </EmptyState>
      </>
    );
  }
  return (
    <>
      {progress}
      <SegmentView rows={leads.data} />
    </>
  );
}

export function App() {
  return (
    <PageShell title="LeadLens">
      <OpenLeadView />
      <Segments />
    </PageShell>
  );
}
