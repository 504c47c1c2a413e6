import { defineEnv, envAccountId } from '../shared/env';

export const ensureSubscriptionEnv = defineEnv({ logArchiveAccount: envAccountId() });
