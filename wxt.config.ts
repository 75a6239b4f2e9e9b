import { defineConfig } from 'wxt';

// The extension asks for the least it needs: the CRM hosts where badges appear (from the
// content script's match patterns), storage for settings, offscreen for the one ONNX
// Runtime session, sidePanel, and webNavigation to follow the CRMs' client-side routing.
export default defineConfig({
  modules: ['@wxt-dev/module-react'],
  manifest: {
    name: 'LeadLens',
    description: 'Hot, warm and cold lead scores with the reasons why, on Salesforce and HubSpot. Scored inside your browser.',
    permissions: ['storage', 'offscreen', 'sidePanel', 'webNavigation'],
    content_security_policy: {
      // WebAssembly for onnxruntime-web in extension pages; no remote code.
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
    action: { default_title: 'LeadLens' },
  },
});
