/** Typed calls, one per context that answers. Import these; never call sendMessage directly. */
import { backgroundProtocol, offscreenProtocol } from './protocol';
import { createClient } from './rpc';

export const background = createClient(backgroundProtocol, 'background');
export const offscreen = createClient(offscreenProtocol, 'offscreen');
