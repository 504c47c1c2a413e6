/**
 * The validator first, on documents shaped like AWS's own OCSF 1.1.0 reference outputs
 * (ocsf/examples, mappings/markdown/AWS/v1.1.0: CloudTrail API Activity, Authentication, Account
 * Change; VPC Flowlogs; Security Hub / GuardDuty Detection Finding). That repository has no
 * licence, so these fixtures are written here with their own values; they keep the reference's
 * attribute set and shape. Then every mutation the OCSF server rejects must be rejected here.
 */
import { OcsfValidator, ValidationResult } from './validator';

const validator = OcsfValidator.load();
const errorsOf = (r: ValidationResult) => r.errors.map((e) => `${e.type} ${e.path}`);
const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

/** API Activity as the reference's generic_api_activity output is built. */
const apiActivity = {
  activity_id: 2,
  activity_name: 'Read',
  actor: {
    user: {
      account: { uid: '210987654321' },
      credential_uid: 'AKIAEXAMPLEKEY000001',
      name: 'auditor',
      type: 'IAMUser',
      uid: 'arn:aws:iam::210987654321:user/auditor',
      uid_alt: 'AIDAEXAMPLEPRINCIPAL1',
    },
  },
  api: {
    operation: 'DescribeVpcs',
    request: { uid: '0b0c4a5e-0000-4000-8000-000000000001' },
    response: { data: '{"vpcSet":{}}' },
    service: { name: 'ec2.amazonaws.com' },
  },
  category_name: 'Application Activity',
  category_uid: 6,
  class_name: 'API Activity',
  class_uid: 6003,
  cloud: { provider: 'AWS', region: 'eu-central-1' },
  http_request: { user_agent: 'aws-cli/2.15.0' },
  metadata: {
    event_code: 'AwsApiCall',
    product: { feature: { name: 'Management' }, name: 'CloudTrail', vendor_name: 'AWS', version: '1.09' },
    profiles: ['cloud', 'datetime'],
    uid: '6a4f0d1e-0000-4000-8000-000000000002',
    version: '1.1.0',
  },
  observables: [{ name: 'src_endpoint.ip', type: 'IP Address', type_id: 2, value: '198.51.100.23' }],
  severity: 'Informational',
  severity_id: 1,
  src_endpoint: { ip: '198.51.100.23' },
  status: 'Success',
  time: 1700000000000,
  time_dt: '2023-11-14T22:13:20.000Z',
  type_name: 'API Activity: Read',
  type_uid: 600302,
  unmapped: { recipientAccountId: '210987654321' },
};

/** Authentication as the reference's ConsoleLogin output is built. */
const authentication = {
  activity_id: 1,
  activity_name: 'Logon',
  actor: {
    user: { account: { uid: '210987654321' }, name: 'auditor', type: 'IAMUser', uid_alt: 'AIDAEXAMPLE' },
  },
  api: { operation: 'ConsoleLogin', request: { uid: 'none' }, service: { name: 'signin.amazonaws.com' } },
  category_name: 'Identity & Access Management',
  category_uid: 3,
  class_name: 'Authentication',
  class_uid: 3002,
  cloud: { provider: 'AWS', region: 'us-east-1' },
  dst_endpoint: { svc_name: 'https://console.aws.amazon.com/console/home' },
  is_mfa: true,
  metadata: {
    event_code: 'AwsConsoleSignIn',
    product: { name: 'CloudTrail', vendor_name: 'AWS', version: '1.08' },
    profiles: ['cloud', 'datetime'],
    version: '1.1.0',
  },
  severity: 'Informational',
  severity_id: 1,
  src_endpoint: { ip: '192.0.2.44' },
  status: 'Success',
  time: 1700000000000,
  type_name: 'Authentication: Logon',
  type_uid: 300201,
  user: { uid: 'arn:aws:iam::210987654321:user/auditor' },
};

/** Account Change as the reference's CreateUser output is built. */
const accountChange = {
  activity_id: 1,
  activity_name: 'Create',
  actor: {
    session: {
      created_time_dt: '2023-11-14T22:00:00.000Z',
      is_mfa: false,
      issuer: 'arn:aws:iam::210987654321:role/Ops',
    },
    user: {
      type: 'AssumedRole',
      uid: 'arn:aws:sts::210987654321:assumed-role/Ops/alice',
      uid_alt: 'AROAEXAMPLE:alice',
    },
  },
  api: {
    operation: 'CreateUser',
    request: { data: '{"userName":"svc-reports"}', uid: '1f2e3d4c-0000-4000-8000-000000000003' },
    service: { name: 'iam.amazonaws.com' },
  },
  category_name: 'Identity & Access Management',
  category_uid: 3,
  class_name: 'Account Change',
  class_uid: 3001,
  cloud: { provider: 'AWS', region: 'us-east-1' },
  metadata: {
    product: { name: 'CloudTrail', vendor_name: 'AWS', version: '1.08' },
    profiles: ['cloud', 'datetime'],
    version: '1.1.0',
  },
  severity: 'Informational',
  severity_id: 1,
  src_endpoint: { ip: '203.0.113.9' },
  status: 'Success',
  time: 1700000000000,
  type_name: 'Account Change: Create',
  type_uid: 300101,
  user: { name: 'svc-reports', uid: 'arn:aws:iam::210987654321:user/svc-reports' },
};

/** Network Activity as the reference's VPC flow-log output is built. */
const networkActivity = {
  action: 'Denied',
  action_id: 2,
  activity_id: 5,
  activity_name: 'Refuse',
  category_name: 'Network Activity',
  category_uid: 4,
  class_name: 'Network Activity',
  class_uid: 4001,
  cloud: { account: { uid: '210987654321' }, provider: 'AWS', region: 'eu-west-1', zone: 'euw1-az2' },
  connection_info: {
    boundary_id: 99,
    boundary: '-',
    direction: 'Inbound',
    direction_id: 1,
    protocol_num: 6,
    protocol_ver: 'IPv4',
    tcp_flags: 2,
  },
  disposition: 'Blocked',
  dst_endpoint: {
    instance_uid: 'i-0abc',
    interface_uid: 'eni-0abc',
    ip: '10.1.2.3',
    port: 22,
    subnet_uid: 'subnet-0abc',
    vpc_uid: 'vpc-0abc',
  },
  metadata: {
    product: { feature: { name: 'Flowlogs' }, name: 'Amazon VPC', vendor_name: 'AWS', version: '5' },
    profiles: ['cloud', 'security_control', 'datetime'],
    version: '1.1.0',
  },
  severity: 'Informational',
  severity_id: 1,
  src_endpoint: { ip: '198.51.100.7', port: 40000 },
  status_code: 'OK',
  time: 1700000000000,
  start_time_dt: '2023-11-14T22:13:20.000Z',
  traffic: { bytes: 40, packets: 1 },
  type_name: 'Network Activity: Refuse',
  type_uid: 400105,
  unmapped: { sublocation_id: '-' },
};

/** Detection Finding as the reference's GuardDuty (via Security Hub) output is built. */
const detectionFinding = {
  activity_id: 1,
  activity_name: 'Create',
  category_name: 'Findings',
  category_uid: 2,
  class_name: 'Detection Finding',
  class_uid: 2004,
  cloud: { account: { uid: '210987654321' }, provider: 'AWS', region: 'us-east-2' },
  evidences: [
    {
      api: { operation: 'StopLogging', service: { name: 'cloudtrail.amazonaws.com' } },
      data: '',
      src_endpoint: {
        ip: '198.51.100.99',
        location: { city: '', coordinates: [-97.822, 37.751], country: 'United States' },
      },
    },
  ],
  finding_info: {
    created_time_dt: '2023-11-14T22:13:20.487Z',
    title: 'CloudTrail logging was disabled.',
    types: ['TTPs/Defense Evasion/Stealth:IAMUser-CloudTrailLoggingDisabled'],
    uid: 'arn:aws:guardduty:us-east-2:210987654321:detector/d0/finding/f0',
  },
  metadata: {
    log_version: '2018-10-08',
    product: {
      name: 'GuardDuty',
      uid: 'arn:aws:securityhub:us-east-2::product/aws/guardduty',
      vendor_name: 'Amazon',
    },
    profiles: ['cloud', 'datetime'],
    version: '1.1.0',
  },
  resources: [
    {
      cloud_partition: 'aws',
      data: '{}',
      region: 'us-east-2',
      type: 'AwsIamAccessKey',
      uid: 'AWS::IAM::AccessKey:ASIAEXAMPLE',
    },
  ],
  severity: 'Low',
  severity_id: 2,
  status: 'New',
  time: 1700000000487,
  type_name: 'Detection Finding: Create',
  type_uid: 200401,
};

describe('the OCSF validator on documents shaped like AWS reference outputs', () => {
  it.each([
    ['API Activity (CloudTrail)', apiActivity],
    ['Authentication (CloudTrail ConsoleLogin)', authentication],
    ['Account Change (CloudTrail CreateUser)', accountChange],
    ['Network Activity (VPC flow log)', networkActivity],
    ['Detection Finding (GuardDuty)', detectionFinding],
  ])('%s is valid', (_, doc) => {
    expect(validator.validate(doc, { strict: false })).toEqual({ errors: [], warnings: [] });
    expect(validator.validate(doc).errors).toEqual([]);
  });

  it('rejects a profile the schema does not define (the reference\'s GuardDuty sample declares "linux")', () => {
    const doc = clone(detectionFinding);
    doc.metadata.profiles.push('linux');
    expect(errorsOf(validator.validate(doc))).toEqual(['profile_unknown metadata.profiles[2]']);
  });
});

describe('the OCSF validator rejects what the OCSF server rejects', () => {
  it('attributes a profile brings are unknown when the profile is not declared', () => {
    const doc = clone(networkActivity);
    doc.metadata.profiles = ['cloud'];
    expect(errorsOf(validator.validate(doc)).sort()).toEqual([
      'attribute_unknown action',
      'attribute_unknown action_id',
      'attribute_unknown disposition',
      'attribute_unknown start_time_dt',
    ]);
    doc.metadata.profiles = [];
    expect(errorsOf(validator.validate(doc))).toContain('attribute_unknown cloud');
  });

  it('a declared profile makes its required attributes required', () => {
    const doc = clone(networkActivity) as Record<string, unknown>;
    delete doc.action_id;
    delete doc.cloud;
    expect(errorsOf(validator.validate(doc)).sort()).toEqual([
      'attribute_required_missing action_id',
      'attribute_required_missing cloud',
    ]);
  });

  it('invented top-level fields, nested unknown keys, wrong types and missing required attributes', () => {
    const doc = clone(apiActivity) as Record<string, unknown> & typeof apiActivity;
    doc.event_type = 'AwsApiCall';
    (doc.api as Record<string, unknown>).request = {};
    (doc.actor.user as Record<string, unknown>).arn = 'x';
    (doc as Record<string, unknown>).severity_id = '1';
    delete (doc as Record<string, unknown>).src_endpoint;
    expect(errorsOf(validator.validate(doc)).sort()).toEqual([
      'attribute_required_missing api.request.uid',
      'attribute_required_missing src_endpoint',
      'attribute_unknown actor.user.arn',
      'attribute_unknown event_type',
      'attribute_wrong_type severity_id',
      'object_empty api.request',
    ]);
  });

  it('type_uid, enum values, sibling captions and the integer/float distinction', () => {
    const doc = clone(detectionFinding) as Record<string, unknown> & typeof detectionFinding;
    doc.type_uid = 200402;
    doc.severity = 'High';
    doc.status_id = 7;
    doc.risk_score = 5.5;
    doc.evidences[0].src_endpoint.location.coordinates = [-97, 37.751];
    expect(errorsOf(validator.validate(doc)).sort()).toEqual([
      'attribute_enum_sibling_incorrect severity',
      'attribute_enum_sibling_incorrect type_name',
      'attribute_enum_value_unknown status_id',
      'attribute_wrong_type evidences[0].src_endpoint.location.coordinates[0]',
      'attribute_wrong_type risk_score',
      'type_uid_incorrect type_uid',
    ]);
    // The server only warns on a wrong sibling caption; strict mode (the default) makes it an error.
    expect(
      validator
        .validate(doc, { strict: false })
        .warnings.map((w) => w.path)
        .sort(),
    ).toEqual(['severity', 'type_name']);
  });

  it('object constraints: a network endpoint names itself, direction_id is required', () => {
    const doc = clone(networkActivity) as Record<string, unknown> & typeof networkActivity;
    doc.src_endpoint = { port: 40000 } as typeof doc.src_endpoint;
    delete (doc.connection_info as Record<string, unknown>).direction_id;
    expect(errorsOf(validator.validate(doc)).sort()).toEqual([
      'attribute_required_missing connection_info.direction_id',
      'constraint_failed src_endpoint',
    ]);
  });

  it('an address that is no address (anonymised 253.252.51.07) does not match ip_t', () => {
    const doc = clone(apiActivity);
    doc.src_endpoint.ip = '253.252.51.07';
    expect(errorsOf(validator.validate(doc))).toEqual(['attribute_value_regex_not_matched src_endpoint.ip']);
    expect(validator.validate(doc, { strict: false }).warnings.map((w) => w.type)).toEqual([
      'attribute_value_regex_not_matched',
    ]);
  });

  it('class_uid must name a class; observables must name an attribute of it', () => {
    expect(errorsOf(validator.validate({ ...apiActivity, class_uid: 9999 }))).toEqual([
      'class_uid_unknown class_uid',
    ]);
    const doc = clone(apiActivity);
    doc.observables[0].name = 'src_endpoint.address';
    expect(errorsOf(validator.validate(doc))).toEqual([
      'observable_name_invalid_reference observables[0].name',
    ]);
  });

  it('metadata.version later than the schema is an error, earlier a warning', () => {
    const later = clone(apiActivity);
    later.metadata.version = '1.2.0';
    expect(errorsOf(validator.validate(later))).toEqual(['version_incompatible_later metadata.version']);
    const earlier = clone(apiActivity);
    earlier.metadata.version = '1.0.0';
    expect(validator.validate(earlier).warnings.map((w) => w.type)).toEqual(['version_earlier']);
  });
});
