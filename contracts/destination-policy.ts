/**
 * The access policy of each region's CloudWatch Logs destination: members of the organization
 * only (aws:PrincipalOrgID) may subscribe their log groups, one by one or by an account-level
 * subscription filter policy. The destination stack deploys it; the local run puts the same
 * policy on its emulated destinations.
 */
export function destinationAccessPolicy(destinationArn: string, organizationId: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OrganizationMembersOnly',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'],
        Resource: destinationArn,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
      },
    ],
  };
}
