import { defineConfig } from 'wxt';

// The extension asks for the least it needs: the CRM hosts where badges appear (from the
// content script's match patterns), storage for settings, offscreen for the ONNX
// Runtime sessions, sidePanel, and webNavigation for the side panel to know which page a CRM
// tab shows as its client-side routing moves on (without the `tabs` permission).
/** The only hosts LeadLens sends requests to: the CRMs' APIs, as optional_host_permissions names them. */
const CRM_API_HOSTS = ['https://*.my.salesforce.com', 'https://api.hubapi.com'];

export default defineConfig({
  modules: ['@wxt-dev/module-react'],
  manifest: ({ command }) => ({
    name: 'LeadLens',
    description: 'Hot, warm and cold lead scores with the reasons why, on Salesforce and HubSpot. Scored inside your browser.',
    // alarms wakes a stopped worker to resume a sync. cookies (Salesforce session reuse) shows
    // no install warning and reaches nothing by itself: only the cookies of the org host the
    // admin grants at run time from optional_host_permissions, never all of Salesforce up front.
    // identity: `identity.launchWebAuthFlow` (Salesforce OAuth with PKCE, for orgs that block
    // session reuse) exists only with it. It shows no install warning and reaches no site, so
    // it is required rather than one more prompt on the Connect click.
    // unlimitedStorage keeps IndexedDB (trained models, tier policies, the fields written back to,
    // synced leads) from eviction when the disk runs low: Chrome may otherwise delete it whole,
    // and LeadLens would go on scoring with the bundled model as if nothing happened. No install warning.
    permissions: ['storage', 'unlimitedStorage', 'offscreen', 'sidePanel', 'webNavigation', 'alarms', 'cookies', 'identity'],
    optional_host_permissions: CRM_API_HOSTS.map((host) => `${host}/*`),
    content_security_policy: {
      // WebAssembly for onnxruntime-web in extension pages; no remote code. Requests only to the
      // extension's own files and the CRMs' APIs, whatever code asks (a dependency's too), images,
      // styles and fonts included (default-src); no frames, forms or <base> anywhere; `wxt`
      // (dev mode) also reloads the extension from its local server. React's inline styles are set
      // through the DOM, which style-src does not govern.
      extension_pages: [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "object-src 'none'",
        "img-src 'self' data:",
        "frame-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        `connect-src 'self' ${CRM_API_HOSTS.join(' ')}${command === 'serve' ? ' http://localhost:* ws://localhost:*' : ''}`,
      ].join('; '),
    },
    // One extension id wherever LeadLens is loaded unpacked from (Chrome derives it from this public
    // key, else from the folder): one Salesforce OAuth callback URL, https://<id>.chromiumapp.org/,
    // serves every rep's install, and a build loaded from another folder keeps its stored data.
    // A public key only: nothing signs with it. The Chrome Web Store refuses a manifest with a key
    // (it assigns the id): drop it from a store upload.
    key: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnLgK64hYjRfGj7iuLpVdS0MZbFZuwcBpXj1DBN9W2QPbmsjwdAApnpzibCOkeLlFaK7urBSaRPfPx42REKyOFNzK6cmLbH7fZY/A1nSTn+Dixo2iuG7ad8c851AF4SJkDexzuFDfd0ufH2vx/2N6/DW8u8lrCMEtKEwGbcphXFgCFL/bNr8A1+Z7pi7UXMFwrsPNlXuZqrPCnqvAwTDGZUk27iOPnudI65MGFg304TnHdR/rJG6EA03GMv5BbU27ZOZNv9Rn+YBYBFKF1Xq+V1lLWdTnDn2L7yjobjpSojS8Map6Iebyejd/LFhbowyfgXU8G2D6evMzczfZfyUSTwIDAQAB',
    action: { default_title: 'LeadLens' },
    // Never in incognito windows: shared ("spanning") with the regular profile, a record opened
    // there would be scored, cached and remembered on disk like any other.
    incognito: 'not_allowed',
    // Credentials live in storage.local, which content scripts can read unless it is restricted
    // to the extension (setAccessLevel): Chrome restricts areas other than session from 140 on.
    minimum_chrome_version: '140',
  }),
});
