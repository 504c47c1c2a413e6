/**
 * Regions that an account must opt in to before it can use them: "Regions introduced after March
 * 20, 2019 are disabled by default" (AWS Account Management Reference Guide, "Enable or disable
 * AWS Regions in your account"), and an opt-in Region must be enabled in each account separately.
 * A member that has not enabled one cannot hold a stack instance there.
 */
export const optInRegions: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
];

export const isOptInRegion = (region: string): boolean => optInRegions.includes(region);
