/**
 * Unit tests' fake browser (`wxt/testing/fake-browser`) with what Chrome 140, the manifest's
 * minimum, has and it lacks: `storage.local.setAccessLevel`, which every write of credentials
 * calls first (lib/connections/connections.ts). A test about it sets its own.
 */
import { fakeBrowser } from 'wxt/testing/fake-browser';

fakeBrowser.storage.local.setAccessLevel = async () => undefined;
