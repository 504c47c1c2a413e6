/**
 * The Dashboards sign-in (issue 24 §1): SAML (IAM Identity Center or another IdP) or Amazon
 * Cognito, from `openSearch.login`; the people's roles handed to the setup; and the config
 * refusing what the domain's access policy would refuse.
 */
import { Match } from 'aws-cdk-lib/assertions';
import * as path from 'node:path';
import { parseConfig } from '../../contracts/config';
import { buildExample, exampleConfigRaw, templateOf } from './example-app';

const raw = exampleConfigRaw();
const openSearch = raw.openSearch as Record<string, unknown>;
const withOpenSearch = (extra: Record<string, unknown>) =>
  parseConfig({ ...raw, openSearch: { ...openSearch, ...extra } });
const metadataFile = path.join(__dirname, 'fixtures', 'idp-metadata.xml');
const saml = {
  type: 'saml',
  idpEntityId: 'https://portal.sso.eu-west-1.amazonaws.com/saml/assertion/EXAMPLE',
  idpMetadataFile: metadataFile,
  readerGroups: ['secops-readers'],
  responderGroups: ['secops-responders'],
  adminGroups: ['secops-admins'],
};
const domainOf = (t: ReturnType<typeof templateOf>) =>
  Object.values(t.findResources('AWS::OpenSearchService::Domain'))[0] as {
    Properties: Record<string, Record<string, unknown>>;
  };

/**
 * The domain's access policy as CDK deploys it: a custom resource calling UpdateDomainConfig
 * with `AccessPolicies` (the policy text, built with Fn::Join).
 */
const accessPolicyOf = (t: ReturnType<typeof templateOf>) =>
  JSON.stringify(
    Object.values(t.findResources('Custom::OpenSearchAccessPolicy')).map(
      (r) => (r as { Properties: unknown }).Properties,
    ),
  ).replace(/\\/g, '');

describe('Dashboards sign-in and the people’s roles (issue 24 §1)', () => {
  it('a reader, responder or admin role of another account is refused: the access policy admits only the log-archive account', () => {
    // The domain's access policy names AccountPrincipal(log-archive) (stacks/central/search-domain.ts).
    for (const field of ['readerRoleArns', 'responderRoleArns', 'adminRoleArns'])
      expect(() => withOpenSearch({ [field]: ['arn:aws:iam::333333333333:role/analyst'] })).toThrow(
        new RegExp(
          `openSearch\\.${field}\\.0: must be a role of the log-archive account 222222222222: the domain's access policy admits only its principals`,
        ),
      );
  });

  it('without a login: IAM principals of the log-archive account only, no SAML, no Cognito', () => {
    const t = templateOf(buildExample().central);
    const d = domainOf(t).Properties;
    expect(d.AdvancedSecurityOptions.SAMLOptions).toBeUndefined();
    expect(d.CognitoOptions).toBeUndefined();
    expect(accessPolicyOf(t)).toContain(':iam::222222222222:root');
    expect(accessPolicyOf(t)).not.toMatch(/"AWS":"\*"/);
  });

  it('SAML: the IdP, its metadata, the roles key and session timeout on the domain; the groups mapped by the setup; an open access policy as AWS requires for VPC Dashboards', () => {
    const config = withOpenSearch({
      login: saml,
      responderRoleArns: ['arn:aws:iam::222222222222:role/security-responder'],
      adminRoleArns: ['arn:aws:iam::222222222222:role/search-admin'],
    });
    const t = templateOf(buildExample(config).central);
    const d = domainOf(t).Properties;
    expect(d.AdvancedSecurityOptions).toMatchObject({
      Enabled: true,
      MasterUserOptions: { MasterUserARN: config.breakGlassRoleArn },
      SAMLOptions: {
        Enabled: true,
        Idp: { EntityId: saml.idpEntityId, MetadataContent: expect.stringContaining('EntityDescriptor') },
        RolesKey: 'Role',
        SessionTimeoutMinutes: 60,
      },
    });
    // "For VPC access domains, use an open access policy … and security groups to control access"
    // (Developer Guide, OpenSearch Dashboards, Controlling access to Dashboards): a browser's SAML
    // session is not SigV4-signed.
    expect(accessPolicyOf(t)).toMatch(/"Principal":\{"AWS":"\*"\}/);
    t.hasResourceProperties('AWS::CloudFormation::CustomResource', {
      ResponderRoleArns: ['arn:aws:iam::222222222222:role/security-responder'],
      AdminRoleArns: ['arn:aws:iam::222222222222:role/search-admin'],
      SamlReaderGroups: ['secops-readers'],
      SamlResponderGroups: ['secops-responders'],
      SamlAdminGroups: ['secops-admins'],
    });
  });

  it('SAML: a metadata file that is missing or not SAML metadata fails synth naming the field', () => {
    expect(() => buildExample(withOpenSearch({ login: { ...saml, idpMetadataFile: 'nope.xml' } }))).toThrow(
      /openSearch\.login\.idpMetadataFile: cannot read nope\.xml/,
    );
    expect(() => buildExample(withOpenSearch({ login: { ...saml, idpMetadataFile: __filename } }))).toThrow(
      /openSearch\.login\.idpMetadataFile: .* is not SAML metadata/,
    );
  });

  it('SAML: the config refuses a session timeout outside 1–1440 minutes and a short entity id', () => {
    // API Reference, SAMLOptionsInput: SessionTimeoutMinutes "Acceptable values are between 1 and
    // 1440, and the default value is 60."
    expect(() => withOpenSearch({ login: { ...saml, sessionTimeoutMinutes: 1441 } })).toThrow(
      /openSearch\.login\.sessionTimeoutMinutes: must be 1 to 1440 minutes/,
    );
    // API Reference, SAMLIdp: EntityId "Length Constraints: Minimum length of 8. Maximum length of 512."
    expect(() => withOpenSearch({ login: { ...saml, idpEntityId: 'short' } })).toThrow(
      /openSearch\.login\.idpEntityId: must be 8 to 512 characters/,
    );
  });

  it('Cognito: the pools and a role with AmazonOpenSearchServiceCognitoAccess that OpenSearch Service assumes', () => {
    const login = {
      type: 'cognito',
      userPoolId: 'eu-west-1_AbC123',
      identityPoolId: 'eu-west-1:1a2b3c4d-0000-1111-2222-333344445555',
    };
    const t = templateOf(buildExample(withOpenSearch({ login })).central);
    const d = domainOf(t).Properties;
    expect(d.CognitoOptions).toMatchObject({
      Enabled: true,
      UserPoolId: login.userPoolId,
      IdentityPoolId: login.identityPoolId,
      RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^SearchCognitoAccessRole/), 'Arn'] },
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'opensearchservice.amazonaws.com' } })],
      }),
      ManagedPolicyArns: [
        Match.objectLike({
          'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('AmazonOpenSearchServiceCognitoAccess')])],
        }),
      ],
    });
    // The IAM principals stay the log-archive account's (the identity pool's authenticated roles
    // are mapped like any reader role): no open policy.
    expect(accessPolicyOf(t)).not.toMatch(/"AWS":"\*"/);
  });

  it('Cognito: pools of two regions are refused (the Developer Guide: "The user pool and identity pool must be in the same AWS Region")', () => {
    expect(() =>
      withOpenSearch({
        login: { type: 'cognito', userPoolId: 'eu-west-1_AbC123', identityPoolId: 'us-east-1:1a2b3c4d-00' },
      }),
    ).toThrow(/openSearch\.login\.identityPoolId: must be in the user pool's region eu-west-1/);
    expect(() =>
      withOpenSearch({ login: { type: 'cognito', userPoolId: 'pool', identityPoolId: 'eu-west-1:1a' } }),
    ).toThrow(/openSearch\.login\.userPoolId: must be a Cognito user pool id/);
  });
});
