/** Every message the background answers, one handler group per domain: what entrypoints/background.ts registers. */
import type { backgroundProtocol } from '../../messaging/protocol';
import type { Handlers } from '../../messaging/rpc';
import { leadsHandlers } from './leads';
import { listHandlers } from './list';
import { modelsHandlers } from './models';
import { privacyHandlers } from './privacy';
import { scoringHandlers } from './scoring';
import { syncHandlers } from './sync';
import { writeBackHandlers } from './write-back';

export const backgroundHandlers: Handlers<typeof backgroundProtocol> = {
  ...scoringHandlers,
  ...leadsHandlers,
  ...modelsHandlers,
  ...listHandlers,
  ...syncHandlers,
  ...writeBackHandlers,
  ...privacyHandlers,
};
