/**
 * Connect Salesforce and HubSpot. Site access is asked for here, on the click, for the
 * org's own API host only; the credential goes to the background, which stores it and
 * answers with a status and a message, never the credential.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent, type ReactNode, type RefObject } from 'react';
import { browser } from 'wxt/browser';
import { FocusKeepingButton, useFocusBackWhenJobEnds } from '@/components/KeepFocus';
import { ErrorState, Loading, StatusRegion } from '@/components/StatusMessage';
import { HUBSPOT_API_HOST, myDomainHostOf, originPatternOf, SalesforceHostSchema, type ConnectionReply, type ConnectionSummary } from '@/lib/connections/schema';
import { DEFAULT_SALESFORCE_API_VERSION } from '@/lib/crm/salesforce-client';
import { CRM_LABEL, type CrmKind } from '@/lib/crm/types';
import { background } from '@/lib/messaging/client';
import { succeeded } from '@/lib/messaging/reply';
import { ConnectRequestSchema, type ConnectRequest, type SyncSummary } from '@/lib/messaging/protocol-sync';
import { plural } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';

const STATUS_WORD: Record<ConnectionReply['status'], string> = {
  connected: 'Connected',
  reconnect: 'Needs reconnecting',
  error: 'Not working',
  disconnected: 'Not connected',
};

/** The form's words for each field of a connect request, to say which one is wrong. */
const FIELD_WORDS: Record<string, string> = { host: 'My Domain host', apiVersion: 'API version', oauthClientId: 'Consumer key', token: 'Access token' };

/** What is wrong with one field of a connect request (`field` as the request names it), in words that name it. */
interface FieldProblem {
  field: string;
  message: string;
}

/**
 * What is wrong with the form, field by field, checked on the page before site access is asked
 * for or anything is sent; empty when nothing is. The schema says what it expects of each field,
 * except for the token's length: that is said here.
 */
function formProblems(request: ConnectRequest): FieldProblem[] {
  const checked = ConnectRequestSchema.safeParse(request, {
    error: (issue) => (issue.path?.[0] === 'token' && (issue.code === 'too_small' || issue.code === 'too_big') ? 'expected the whole access token of your private app or service key' : undefined),
  });
  if (checked.success) return [];
  return checked.error.issues.map((issue) => {
    const field = String(issue.path[0]);
    return { field, message: `${FIELD_WORDS[field] ?? 'The form'}: ${issue.message}` };
  });
}

/**
 * A form's problems as its last connect found them. `attempt` counts the connects refused in a
 * row: each shows its problems anew, so that a screen reader says them again even when they are
 * the same.
 */
interface FormProblems {
  crm: CrmKind;
  problems: FieldProblem[];
  attempt: number;
}

/**
 * The problems of a form beside its fields: each field's input is marked invalid and described
 * by its problem, said beside it as an alert; problems of no field of the form are said after it.
 */
function useFieldProblems(found: FormProblems | null) {
  const ids = useId();
  const problemId = (field: string) => `${ids}-${field}`;
  // All that is wrong with the field, in one sentence or more.
  const problemOf = (field: string) =>
    found?.problems
      .filter((problem) => problem.field === field)
      .map((problem) => problem.message)
      .join('. ');
  return {
    /** The attributes of `field`'s input, described also by the element `alsoDescribedBy` names, if any. */
    marks: (field: string, alsoDescribedBy?: string) => {
      const describedBy = [problemOf(field) && problemId(field), alsoDescribedBy].filter(Boolean).join(' ');
      return { ...(problemOf(field) ? { 'aria-invalid': true } : {}), ...(describedBy ? { 'aria-describedby': describedBy } : {}) };
    },
    /** `field`'s problem, to show beside it. */
    beside: (field: string) => {
      const problem = problemOf(field);
      return problem && <ErrorState key={found!.attempt} id={problemId(field)} message={problem} />;
    },
    /** The problems of none of `fields`, to show after the form. */
    rest: (fields: readonly string[]) =>
      found?.problems
        .filter((problem) => !fields.includes(problem.field))
        .map((problem) => <ErrorState key={`${found.attempt}-${problem.message}`} message={problem.message} />),
  };
}

/**
 * A connect request, handed over once: the mutation cache keeps its variables for as long as the
 * page is open, so it keeps this box, emptied when the call takes the request (and its credential).
 * `crm` stays: its form says how the connect failed.
 */
interface Outgoing {
  crm: CrmKind;
  request: ConnectRequest | null;
}

/** "the 1,234 leads" ("the leads" when how many is not known), of the `one`/`many` kind. */
const theCount = (stored: number | null, one: string, many: string) => `the ${stored === null ? many : plural(stored, one, many)}`;

export function ConnectionsSection() {
  const queryClient = useQueryClient();
  const status = useQuery({ queryKey: queryKeys.connections(), queryFn: () => succeeded(background.connectionStatus({})).then((r) => r.connections) });
  // The Sync section's summaries: how many synced leads a connect to another org or portal removes.
  const syncs = useQuery({ queryKey: queryKeys.syncs(), queryFn: () => succeeded(background.syncStatus({})) });
  const settle = () => Promise.all([queryClient.invalidateQueries({ queryKey: queryKeys.connections() }), queryClient.invalidateQueries({ queryKey: queryKeys.syncs() })]);
  const connect = useMutation({
    mutationFn: (outgoing: Outgoing) => {
      const request = outgoing.request!; // each box goes once: mutations are not retried
      outgoing.request = null;
      return succeeded(background.connectCrm(request));
    },
    onSettled: settle,
  });
  const test = useMutation({ mutationFn: (crm: CrmKind) => succeeded(background.testConnection({ crm })), onSettled: settle });
  const disconnect = useMutation({ mutationFn: (crm: CrmKind) => succeeded(background.disconnectCrm({ crm })), onSettled: settle });
  // What is wrong with a form, said in it until the next action.
  const [shownProblems, setShownProblems] = useState<FormProblems | null>(null);
  // One answer on screen: an earlier action's error must not stay beside a later one's success.
  const clearAnswers = () => {
    [connect, test, disconnect].forEach((mutation) => mutation.reset());
    setShownProblems(null);
  };
  // A CRM's Test and Disconnect are shown while it has a connection: once its Disconnect is done (its
  // onSettled waits for the status read again, so the row has gone), the focus Disconnect had goes to
  // the button that connects it again. Only this Disconnect's: a connection ended elsewhere (Purge
  // everything) must not take the focus, nor scroll the page, from where the admin is.
  const disconnecting = (crm: CrmKind) => disconnect.isPending && disconnect.variables === crm;
  const connectButton: Record<CrmKind, RefObject<HTMLButtonElement | null>> = { salesforce: useRef(null), hubspot: useRef(null) };
  useFocusBackWhenJobEnds(disconnecting('salesforce'), connectButton.salesforce);
  useFocusBackWhenJobEnds(disconnecting('hubspot'), connectButton.hubspot);

  if (status.isPending) return <Loading what="connections" />;
  if (status.isError) return <ErrorState message={status.error.message} />;
  const of = (crm: CrmKind) => status.data.find((c) => c.crm === crm);
  const busy = connect.isPending || test.isPending || disconnect.isPending;
  const problemsOf = (crm: CrmKind) => (shownProblems?.crm === crm ? shownProblems : null);
  // A test that passes changes nothing else on the page: it is said, and that it runs (up to a minute). After a Disconnect the
  // status line says only "Not connected": the reply says what else the admin must know (a Salesforce sign-in LeadLens could not end).
  const saidOf = (crm: CrmKind) => {
    if (test.variables === crm) return test.isPending ? `Testing ${CRM_LABEL[crm]} connection…` : test.data?.message;
    return disconnect.variables === crm ? disconnect.data?.message : undefined;
  };
  const failuresOf = (crm: CrmKind) =>
    [connect.variables?.crm === crm && connect.error, test.variables === crm && test.error, disconnect.variables === crm && disconnect.error]
      .filter((error) => error instanceof Error)
      .map((error) => error.message);
  /** The CRM's Test and Disconnect, and what its last action answered, in its form under its status line. */
  const actionsOf = (crm: CrmKind) => (
    <ConnectionActions
      crm={crm}
      connected={(of(crm)?.status ?? 'disconnected') !== 'disconnected'}
      busy={busy}
      said={saidOf(crm)}
      failures={failuresOf(crm)}
      onTest={() => {
        clearAnswers();
        test.mutate(crm);
      }}
      onDisconnect={() => {
        clearAnswers();
        disconnect.mutate(crm);
      }}
    />
  );
  // Null while not known (not read yet, or the reading failed): a warning then says it without the number.
  const syncedOf = (crm: CrmKind) => syncs.data?.syncs.find((sync) => sync.crm === crm) ?? null;

  /**
   * Checks the form, then asks for site access and connects; returns whether the request went
   * (false: what is wrong with the form is shown in it). Site access must be asked for inside the
   * click: no await before it.
   */
  const connectWithAccess = (request: ConnectRequest): boolean => {
    clearAnswers();
    const problems = formProblems(request);
    if (problems.length > 0) {
      setShownProblems({ crm: request.crm, problems, attempt: (shownProblems?.attempt ?? 0) + 1 });
      return false;
    }
    const host = request.crm === 'salesforce' ? request.host : HUBSPOT_API_HOST;
    void browser.permissions
      .request({ origins: [originPatternOf(host)] })
      .catch(() => false)
      .then(() => connect.mutate({ crm: request.crm, request })); // when refused, the background's check says exactly that
    return true;
  };

  return (
    <>
      <p>
        LeadLens reads leads straight from your CRM, from this browser only. It asks for access to your own CRM's API host, nothing
        else; credentials stay in the extension and are never shown to web pages.
      </p>
      <SalesforceForm
        status={of('salesforce')}
        synced={syncedOf('salesforce')}
        busy={busy}
        problems={problemsOf('salesforce')}
        onConnect={connectWithAccess}
        connectButton={connectButton.salesforce}
        actions={actionsOf('salesforce')}
      />
      <HubSpotForm
        status={of('hubspot')}
        synced={syncedOf('hubspot')}
        busy={busy}
        problems={problemsOf('hubspot')}
        onConnect={connectWithAccess}
        connectButton={connectButton.hubspot}
        actions={actionsOf('hubspot')}
      />
    </>
  );
}

interface ConnectionActionsProps {
  crm: CrmKind;
  /** Test and Disconnect are offered while the CRM has a connection (working or not). */
  connected: boolean;
  busy: boolean;
  /** What the CRM's running test, or its last test or Disconnect, says; nothing when none. */
  said: string | undefined;
  /** How the CRM's last connect, test or Disconnect failed. */
  failures: string[];
  onTest(): void;
  onDisconnect(): void;
}

/**
 * A CRM's Test and Disconnect, and what they answered, beside that CRM's status line rather than
 * after every form, where another CRM's answer read as this one's. The live region stays on the
 * page when the CRM is disconnected: it is where a Disconnect's answer is said.
 */
function ConnectionActions({ crm, connected, busy, said, failures, onTest, onDisconnect }: ConnectionActionsProps) {
  return (
    <>
      {connected && (
        <p>
          <FocusKeepingButton type="button" unavailable={busy} onClick={onTest} data-testid={`test-${crm}`}>
            Test {CRM_LABEL[crm]} connection
          </FocusKeepingButton>{' '}
          <FocusKeepingButton type="button" unavailable={busy} onClick={onDisconnect}>
            Disconnect {CRM_LABEL[crm]}
          </FocusKeepingButton>
        </p>
      )}
      <StatusRegion>{said && <p>{said}</p>}</StatusRegion>
      {failures.map((message) => (
        <ErrorState key={message} message={message} />
      ))}
    </>
  );
}

function StatusLine({ crm, status }: { crm: CrmKind; status: ConnectionReply | undefined }) {
  const current = status ?? { status: 'disconnected' as const, message: 'Not connected', host: '' };
  return (
    <p role="status" data-testid={`connection-${crm}`} data-status={current.status}>
      <strong>{STATUS_WORD[current.status]}</strong>
      {current.status !== 'disconnected' && <>: {current.message}</>}
    </p>
  );
}

/** A form's connect: whether the request went (false: what is wrong with the form is shown in it). */
type OnConnect = (request: ConnectRequest) => boolean;

/** What the Sync section's summary says of a CRM's synced leads: how many are stored (not Demo mode's), and the org or portal they came from. */
type SyncedLeads = Pick<SyncSummary, 'stored' | 'syncedFrom'>;

interface FormProps {
  status?: ConnectionSummary;
  /** This CRM's synced leads; null when not known. */
  synced: SyncedLeads | null;
  busy: boolean;
  problems: FormProblems | null;
  onConnect: OnConnect;
  /** Its Connect button, which takes the focus when the CRM is disconnected. */
  connectButton: RefObject<HTMLButtonElement | null>;
  /** Its Test and Disconnect and what they answered (`ConnectionActions`), shown under its status line. */
  actions: ReactNode;
}

/**
 * What connecting `typed` removes, said before the click, or null when nothing: another My Domain
 * host than the one the leads were synced from (`syncedFromHost`) is another org (a sandbox after
 * production), and those leads go with their scores when it is connected (`reconcileWithSyncedLeads` in
 * the background). A host the page would refuse connects nothing.
 */
function otherOrgWarning(syncedFromHost: string, typed: string, stored: number | null): { note: string; button: string } | null {
  if (!syncedFromHost || typed === syncedFromHost || stored === 0 || !SalesforceHostSchema.safeParse(typed).success) return null;
  return {
    note: `Connecting ${typed} instead of ${syncedFromHost} removes ${theCount(stored, 'lead', 'leads')} synced from ${syncedFromHost}, with their scores: a sync then reads the new org's.`,
    button: `and remove ${stored === null ? 'the synced leads' : plural(stored, 'synced lead', 'synced leads')}`,
  };
}

function SalesforceForm({ status, synced, busy, problems, onConnect, connectButton, actions }: FormProps) {
  // Started from the connection's settings: connecting again (after a refused token) signs in the same way.
  const settings = status?.settings?.crm === 'salesforce' ? status.settings : null;
  const [host, setHost] = useState(status?.host ?? '');
  const [apiVersion, setApiVersion] = useState(settings?.apiVersion ?? DEFAULT_SALESFORCE_API_VERSION);
  const [signIn, setSignIn] = useState(settings?.signIn.kind ?? 'session');
  const [clientId, setClientId] = useState(settings?.signIn.kind === 'oauth' ? settings.signIn.clientId : '');
  const { marks, beside, rest } = useFieldProblems(problems);
  // The org the background compares a connect's with (kept through a Disconnect, and through a
  // connect to a mistyped host); while the summary is not known, the connection's is the likeliest.
  const syncedFromHost = synced ? (synced.syncedFrom?.id ?? '') : (status?.host ?? '');
  const warning = otherOrgWarning(syncedFromHost, myDomainHostOf(host), synced?.stored ?? null);
  const warningId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return; // Enter in a field while Connect is unavailable
    onConnect({
      crm: 'salesforce',
      host: myDomainHostOf(host),
      apiVersion: apiVersion.trim(),
      oauthClientId: signIn === 'oauth' ? clientId.trim() : undefined,
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby="sf-title">
      <h3 id="sf-title">Salesforce</h3>
      <StatusLine crm="salesforce" status={status} />
      {actions}
      <fieldset>
        <legend>Sign in with</legend>
        <label>
          <input type="radio" name="salesforce-sign-in" value="session" checked={signIn === 'session'} onChange={() => setSignIn('session')} /> my Salesforce
          session in this browser (log in to Salesforce first), as Salesforce Inspector does
        </label>
        <br />
        <label>
          <input type="radio" name="salesforce-sign-in" value="oauth" checked={signIn === 'oauth'} onChange={() => setSignIn('oauth')} /> OAuth, for orgs
          that block session reuse: an External Client App with PKCE, no secret, the scopes api and refresh_token, and the callback URL{' '}
          {/* Breaks anywhere, as a long URL has no space to break at: the label reflows in a page zoomed in. */}
          <code className="wraps-anywhere">{browser.identity?.getRedirectURL() ?? 'https://<extension id>.chromiumapp.org/'}</code>
        </label>
        {signIn === 'oauth' && (
          <label>
            <br />
            Consumer key (client id){' '}
            <input
              name="salesforce-oauth-client-id"
              value={clientId}
              onChange={(e) => setClientId(e.target.value)}
              required
              autoComplete="off"
              spellCheck={false}
              {...marks('oauthClientId')}
            />
          </label>
        )}
        {beside('oauthClientId')}
      </fieldset>
      <label>
        My Domain host{' '}
        <input name="salesforce-host" value={host} onChange={(e) => setHost(e.target.value)} placeholder="acme.my.salesforce.com" required {...marks('host')} />
      </label>{' '}
      {beside('host')}
      <label>
        API version <input name="salesforce-api-version" value={apiVersion} onChange={(e) => setApiVersion(e.target.value)} size={5} required {...marks('apiVersion')} />
      </label>{' '}
      {beside('apiVersion')}
      {warning && (
        <p id={warningId} data-testid="salesforce-other-org">
          <strong>Warning:</strong> {warning.note}
        </p>
      )}
      <FocusKeepingButton type="submit" unavailable={busy} ref={connectButton} data-testid="connect-salesforce" aria-describedby={warning ? warningId : undefined}>
        {/* Another org is connected anew, not reconnected. */}
        {status?.status === 'reconnect' && !warning ? 'Reconnect' : 'Connect'} {signIn === 'oauth' ? 'with OAuth' : 'with my Salesforce session'}
        {warning && ` ${warning.button}`}
      </FocusKeepingButton>
      {rest(['oauthClientId', 'host', 'apiVersion'])}
    </form>
  );
}

const HUBSPOT_API_VERSIONS = ['v3', '2026-03'];

function HubSpotForm({ status, synced, busy, problems, onConnect, connectButton, actions }: FormProps) {
  // Started from the connection's API version, which stays offered even if this list has moved on.
  const connectedVersion = status?.settings?.crm === 'hubspot' ? status.settings.apiVersion : null;
  const versions = connectedVersion && !HUBSPOT_API_VERSIONS.includes(connectedVersion) ? [...HUBSPOT_API_VERSIONS, connectedVersion] : HUBSPOT_API_VERSIONS;
  const [token, setToken] = useState('');
  const [apiVersion, setApiVersion] = useState(connectedVersion ?? 'v3');
  const { marks, beside, rest } = useFieldProblems(problems);
  // A token's portal is known only once HubSpot is asked: the note says what another portal's would
  // remove, naming the portal the contacts came from (while the summary is not known, likeliest the connected one's).
  const stored = synced?.stored ?? null;
  const syncedFromPortal = synced ? synced.syncedFrom?.name : status?.host ? 'the connected portal' : undefined;
  const otherPortalNote =
    stored === 0 || syncedFromPortal === undefined
      ? null
      : `If this token is another portal's, ${theCount(stored, 'contact', 'contacts')} synced from ${syncedFromPortal} ${stored === 1 ? 'is' : 'are'} removed, with their scores.`;
  const noteId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return; // Enter in a field while Connect is unavailable
    // Sent: the page keeps no copy (see `Outgoing`). Refused on the page: kept, to be corrected.
    if (onConnect({ crm: 'hubspot', token: token.trim(), apiVersion })) setToken('');
  };
  return (
    <form onSubmit={submit} aria-labelledby="hs-title">
      <h3 id="hs-title">HubSpot</h3>
      <StatusLine crm="hubspot" status={status} />
      {actions}
      <p>
        Create a service key (Settings › Integrations › Service Keys) with the scope crm.objects.contacts.read (and the scope called oauth, where
        offered, so that LeadLens can ask HubSpot which portal the token reads; crm.objects.owners.read to show contact owners by name rather than by
        id; crm.objects.contacts.write to write scores back), and paste it. The access token of a private app made before HubSpot stopped their
        creation (October 2026) works too. HubSpot OAuth is not offered: its token exchange needs the app's client secret, and an extension
        cannot keep a secret.
      </p>
      <label>
        Access token{' '}
        <input
          name="hubspot-token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          required
          {...marks('token', otherPortalNote ? noteId : undefined)}
        />
      </label>{' '}
      {beside('token')}
      {otherPortalNote && (
        <p id={noteId} data-testid="hubspot-other-portal">
          {otherPortalNote}
        </p>
      )}
      <label>
        API{' '}
        <select name="hubspot-api-version" value={apiVersion} onChange={(e) => setApiVersion(e.target.value)} {...marks('apiVersion')}>
          {versions.map((version) => (
            <option key={version} value={version}>
              {version}
            </option>
          ))}
        </select>
      </label>{' '}
      <FocusKeepingButton type="submit" unavailable={busy} ref={connectButton} data-testid="connect-hubspot" aria-describedby={otherPortalNote ? noteId : undefined}>
        {status?.status === 'reconnect' ? 'Reconnect' : 'Connect'} HubSpot
      </FocusKeepingButton>
      {beside('apiVersion')}
      {rest(['token', 'apiVersion'])}
    </form>
  );
}
