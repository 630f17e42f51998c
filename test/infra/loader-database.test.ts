import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesOf, type Synthesized, synthesize } from './synthesize.js';

let dev: Synthesized;
beforeAll(() => {
  dev = synthesize({ env: 'dev' });
});
afterAll(() => dev?.cleanup());

describe('loader database', () => {
  it('runs encrypted PostgreSQL with backups and IAM authentication, not publicly accessible', () => {
    dev.statefulTemplate.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      DBInstanceIdentifier: 'tributary-dev-loader',
      DBInstanceClass: 'db.t4g.micro',
      StorageEncrypted: true,
      PubliclyAccessible: false,
      EnableIAMDatabaseAuthentication: true,
      BackupRetentionPeriod: Match.anyValue(),
    });
    const [, instance] = resourcesOf(dev.statefulTemplate, 'AWS::RDS::DBInstance')[0]!;
    expect(instance.Properties.BackupRetentionPeriod).toBeGreaterThan(0);
  });

  it('places the instance in isolated private subnets only', () => {
    const [, group] = resourcesOf(dev.statefulTemplate, 'AWS::RDS::DBSubnetGroup')[0]!;
    const subnetIds = (group.Properties.SubnetIds as { Ref: string }[]).map((ref) => ref.Ref);
    expect(subnetIds).toHaveLength(2);
    const subnets = dev.statefulTemplate.findResources('AWS::EC2::Subnet');
    const routes = Object.values(dev.statefulTemplate.findResources('AWS::EC2::Route'));
    const associations = Object.values(
      dev.statefulTemplate.findResources('AWS::EC2::SubnetRouteTableAssociation'),
    );
    for (const id of subnetIds) {
      const subnet = subnets[id];
      expect(subnet?.Properties.MapPublicIpOnLaunch).toBe(false);
      expect(subnet?.Properties.Tags).toContainEqual({ Key: 'aws-cdk:subnet-type', Value: 'Isolated' });
      const table = associations.find((a) => a.Properties.SubnetId.Ref === id)?.Properties.RouteTableId.Ref;
      expect(table).toBeDefined();
      // No route out: neither an internet gateway nor a NAT gateway.
      expect(routes.filter((route) => route.Properties.RouteTableId.Ref === table)).toEqual([]);
    }
  });

  it('keeps generated credentials in Secrets Manager, attached and rotated', () => {
    const [secretId] = resourcesOf(dev.statefulTemplate, 'AWS::SecretsManager::Secret')[0]!;
    const [instanceId, instance] = resourcesOf(dev.statefulTemplate, 'AWS::RDS::DBInstance')[0]!;
    dev.statefulTemplate.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'tributary-dev/loader-database',
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }),
    });
    expect(JSON.stringify(instance.Properties.MasterUserPassword)).toContain('{{resolve:secretsmanager:');
    expect(JSON.stringify(instance.Properties.MasterUserPassword)).toContain(secretId);
    dev.statefulTemplate.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', {
      SecretId: { Ref: secretId },
      TargetId: { Ref: instanceId },
    });
    dev.statefulTemplate.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
  });

  it('admits PostgreSQL only from the database-clients and rotation security groups', () => {
    const [instanceId, instance] = resourcesOf(dev.statefulTemplate, 'AWS::RDS::DBInstance')[0]!;
    expect(instance.Properties.Port).toBe('5432');
    const databaseGroup = (instance.Properties.VPCSecurityGroups as { 'Fn::GetAtt': [string] }[])[0]![
      'Fn::GetAtt'
    ][0];
    const groups = dev.statefulTemplate.findResources('AWS::EC2::SecurityGroup');
    expect(groups[databaseGroup]?.Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(
      dev.statefulTemplate.findResources('AWS::EC2::SecurityGroupIngress'),
    ).filter((rule) => rule.Properties.GroupId['Fn::GetAtt'][0] === databaseGroup);
    const sources = ingress.map((rule) => rule.Properties.SourceSecurityGroupId['Fn::GetAtt'][0]);
    const [clientsId] = Object.entries(groups).find(
      ([, group]) => group.Properties.GroupName === 'tributary-dev-database-clients',
    )!;
    expect(sources).toContain(clientsId);
    expect(sources).toHaveLength(2);
    const port = [5432, { 'Fn::GetAtt': [instanceId, 'Endpoint.Port'] }];
    for (const rule of ingress) {
      expect(port).toContainEqual(rule.Properties.FromPort);
      expect(rule.Properties.ToPort).toEqual(rule.Properties.FromPort);
    }
    for (const group of Object.values(groups)) {
      expect(JSON.stringify(group.Properties.SecurityGroupIngress ?? [])).not.toContain('0.0.0.0/0');
    }
  });

  it('records VPC flow logs', () => {
    dev.statefulTemplate.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
  });
});
