import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  IpAddresses,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { type CfnLogGroup, LogGroup } from 'aws-cdk-lib/aws-logs';
import {
  type CfnDBInstance,
  Credentials,
  DatabaseInstance,
  DatabaseInstanceEngine,
  DatabaseSecret,
  PostgresEngineVersion,
  StorageType,
} from 'aws-cdk-lib/aws-rds';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { DeploymentEnvironment } from '../environment.js';

export const DATABASE_NAME = 'tributary';
export const DATABASE_USER = 'tributary';
export const DATABASE_PORT = 5432;

/**
 * The loader's PostgreSQL (RDS) and its network. The VPC spans two AZs with three tiers:
 * `public` (NAT gateways only), `functions` (private with egress: the Lambda functions that talk
 * to the database, and the secret rotation function) and `database` (private isolated: the
 * instance, no route out). S3 traffic stays on a gateway endpoint; flow logs go to CloudWatch.
 *
 * Access: only members of `clientSecurityGroup` reach the instance, on its port. Credentials are
 * generated into Secrets Manager and rotated every 30 days; IAM database authentication is on too,
 * so a function can connect with a signed token instead of reading the secret.
 */
export class LoaderDatabase extends Construct {
  readonly vpc: Vpc;
  readonly instance: DatabaseInstance;
  readonly secret: ISecret;
  /** The security group a function joins to reach the database. */
  readonly clientSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, env: DeploymentEnvironment) {
    super(scope, id);
    const flowLogs = new LogGroup(this, 'FlowLogs', {
      logGroupName: `/tributary/${env.name}/vpc-flow-logs`,
      retention: env.logRetentionDays,
      removalPolicy: env.removalPolicy,
    });
    this.vpc = new Vpc(this, 'Vpc', {
      vpcName: env.prefix,
      ipAddresses: IpAddresses.cidr('10.40.0.0/16'),
      maxAzs: 2,
      natGateways: env.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'functions', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'database', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: { s3: { service: GatewayVpcEndpointAwsService.S3 } },
      flowLogs: {
        all: {
          destination: FlowLogDestination.toCloudWatchLogs(flowLogs),
          trafficType: FlowLogTrafficType.ALL,
        },
      },
    });

    this.clientSecurityGroup = new SecurityGroup(this, 'ClientSecurityGroup', {
      vpc: this.vpc,
      securityGroupName: `${env.prefix}-database-clients`,
      description: 'Functions allowed to connect to the loader database',
      allowAllOutbound: true,
    });
    const databaseSecurityGroup = new SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: this.vpc,
      securityGroupName: `${env.prefix}-database`,
      description: 'The loader database: PostgreSQL from database clients only',
      allowAllOutbound: false,
    });
    databaseSecurityGroup.addIngressRule(
      this.clientSecurityGroup,
      Port.tcp(DATABASE_PORT),
      'PostgreSQL from database clients',
    );

    const instanceIdentifier = `${env.prefix}-loader`;
    // Created here rather than by `cloudwatchLogsRetention`, which would add a log-retention
    // Lambda function; the instance waits for it, so RDS never creates it without retention.
    const postgresLogs = new LogGroup(this, 'PostgresLogs', {
      logGroupName: `/aws/rds/instance/${instanceIdentifier}/postgresql`,
      retention: env.logRetentionDays,
      removalPolicy: env.removalPolicy,
    });
    const credentials = new DatabaseSecret(this, 'Credentials', {
      username: DATABASE_USER,
      secretName: `${env.prefix}/loader-database`,
    });
    // A snapshot restored in prod still needs the password it was taken with.
    credentials.applyRemovalPolicy(env.removalPolicy);
    this.instance = new DatabaseInstance(this, 'Instance', {
      instanceIdentifier,
      engine: DatabaseInstanceEngine.postgres({ version: PostgresEngineVersion.VER_17 }),
      instanceType: env.database.instanceType,
      vpc: this.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      securityGroups: [databaseSecurityGroup],
      port: DATABASE_PORT,
      publiclyAccessible: false,
      databaseName: DATABASE_NAME,
      credentials: Credentials.fromSecret(credentials),
      iamAuthentication: true,
      multiAz: env.database.multiAz,
      storageType: StorageType.GP3,
      allocatedStorage: env.database.allocatedStorageGb,
      maxAllocatedStorage: env.database.maxAllocatedStorageGb,
      storageEncrypted: true,
      backupRetention: env.database.backupRetention,
      deleteAutomatedBackups: !env.production,
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: ['postgresql'],
      deletionProtection: env.production,
      removalPolicy: env.production ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    });
    (this.instance.node.defaultChild as CfnDBInstance).addResourceDependency(
      postgresLogs.node.defaultChild as CfnLogGroup,
      'RDS would otherwise create the log group, without retention',
    );
    // The attached secret: the credentials plus the instance's host, port and engine.
    this.secret = this.instance.secret!;
    this.instance.addRotationSingleUser({
      automaticallyAfter: Duration.days(30),
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
    });

    Validations.of(this.instance.node.defaultChild!).acknowledge({
      id: 'AwsSolutions::AwsSolutions-RDS11',
      reason:
        'The instance sits in isolated subnets and admits only the database-clients security group; ' +
        'a non-standard port would hide nothing from a client that can reach it.',
    });
    if (!env.production) {
      Validations.of(this.instance.node.defaultChild!).acknowledge(
        {
          id: 'AwsSolutions::AwsSolutions-RDS3',
          reason: 'dev runs a single-AZ instance to halve its cost; prod is multi-AZ.',
        },
        {
          id: 'AwsSolutions::AwsSolutions-RDS10',
          reason: 'dev is disposable and must be deletable with its stack; prod has deletion protection.',
        },
      );
    }
  }
}
