import { defineEnv, envText } from '../shared/env';

export const securityLakeWriterEnv = defineEnv({
  /** The archive: where the documents are read, and where documents that cannot be filed are kept. */
  archiveBucket: envText(),
  /** Security Lake's bucket (`archive.securityLake.bucket`). */
  dataLakeBucket: envText(),
  /** The external id the provider roles require (`archive.securityLake.externalId`). */
  externalId: envText(),
  /**
   * `arn:<partition>:iam::<account>:role/`: where the provider roles are, Security Lake being
   * enabled in the log-archive account; each role's name is `providerRoleName(source, region)`.
   */
  providerRoleArnPrefix: envText().regex(
    /^arn:aws[a-z-]*:iam::\d{12}:role\/$/,
    'must be arn:<partition>:iam::<account>:role/',
  ),
});
