import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { InstanceClass, InstanceSize, InstanceType } from 'aws-cdk-lib/aws-ec2';
import type { Node } from 'constructs';

export const ENVIRONMENT_NAMES = ['dev', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export const DEFAULT_REGION = 'eu-west-1';

/**
 * Everything that differs between `dev` and `prod`, in one place. `dev` is cheap and disposable
 * (one NAT gateway, a burstable single-AZ database, resources destroyed with the stack); `prod`
 * keeps its data (RETAIN, deletion protection, snapshots) and survives an AZ failure.
 */
export interface DeploymentEnvironment {
  name: EnvironmentName;
  region: string;
  /** Prefix of every physical name: `tributary-<env>`. */
  prefix: string;
  production: boolean;
  /** What happens to stateful resources when the stack (or the resource) is deleted. */
  removalPolicy: RemovalPolicy;
  natGateways: number;
  database: {
    instanceType: InstanceType;
    multiAz: boolean;
    allocatedStorageGb: number;
    maxAllocatedStorageGb: number;
    backupRetention: Duration;
  };
  /** Retention of CloudWatch log groups (VPC flow logs, PostgreSQL logs), in days. */
  logRetentionDays: number;
  /** How long server access logs are kept. */
  accessLogRetention: Duration;
}

const SETTINGS: Record<EnvironmentName, Omit<DeploymentEnvironment, 'name' | 'region' | 'prefix'>> = {
  dev: {
    production: false,
    removalPolicy: RemovalPolicy.DESTROY,
    natGateways: 1,
    database: {
      instanceType: InstanceType.of(InstanceClass.BURSTABLE4_GRAVITON, InstanceSize.MICRO),
      multiAz: false,
      allocatedStorageGb: 20,
      maxAllocatedStorageGb: 50,
      backupRetention: Duration.days(3),
    },
    logRetentionDays: 30,
    accessLogRetention: Duration.days(30),
  },
  prod: {
    production: true,
    removalPolicy: RemovalPolicy.RETAIN,
    natGateways: 2,
    database: {
      instanceType: InstanceType.of(InstanceClass.BURSTABLE4_GRAVITON, InstanceSize.MEDIUM),
      multiAz: true,
      allocatedStorageGb: 50,
      maxAllocatedStorageGb: 500,
      backupRetention: Duration.days(14),
    },
    logRetentionDays: 365,
    accessLogRetention: Duration.days(365),
  },
};

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

/**
 * The environment selected by CDK context: `-c env=prod` (default `dev`) and `-c region=…`
 * (default `eu-west-1`). An unknown environment or a malformed region fails the synth at once.
 */
export function resolveEnvironment(node: Node): DeploymentEnvironment {
  const name = String(node.tryGetContext('env') ?? 'dev');
  if (!isEnvironmentName(name)) {
    throw new Error(`Unknown environment "${name}": expected one of ${ENVIRONMENT_NAMES.join(', ')}`);
  }
  const region = String(node.tryGetContext('region') ?? DEFAULT_REGION);
  if (!REGION_PATTERN.test(region)) {
    throw new Error(`"${region}" is not an AWS region name (for example -c region=${DEFAULT_REGION})`);
  }
  return { name, region, prefix: `tributary-${name}`, ...SETTINGS[name] };
}

function isEnvironmentName(value: string): value is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(value);
}
