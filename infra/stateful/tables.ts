import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { GSIS, KEY, TABLES } from '../../src/adapters/aws/tables.js';
import type { DeploymentEnvironment } from '../environment.js';
import type { TableName } from '../topology-resources.js';

/**
 * The DynamoDB tables of `src/adapters/aws/tables.ts` (the specs the emulator tests create too):
 * string keys `pk`/`sk`, GSIs `gsi1` and `gsi2` projecting every attribute, on-demand billing,
 * point-in-time recovery, encryption with the AWS-managed key, and the TTL attribute where the
 * spec has one (orders). Physical name `tributary-<env>-<name>`, given to the functions as
 * `<NAME>_TABLE`.
 */
export class PipelineTables extends Construct {
  readonly byName: Record<TableName, Table>;

  constructor(scope: Construct, id: string, env: DeploymentEnvironment) {
    super(scope, id);
    const byName: Partial<Record<TableName, Table>> = {};
    for (const spec of TABLES) {
      const table = new Table(this, spec.name, {
        tableName: `${env.prefix}-${spec.name}`,
        partitionKey: { name: KEY.pk, type: AttributeType.STRING },
        sortKey: { name: KEY.sk, type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: TableEncryption.AWS_MANAGED,
        timeToLiveAttribute: spec.ttlAttribute,
        deletionProtection: env.production,
        removalPolicy: env.removalPolicy,
      });
      for (const gsi of GSIS) {
        table.addGlobalSecondaryIndex({
          indexName: gsi.indexName,
          partitionKey: { name: gsi.pk, type: AttributeType.STRING },
          sortKey: { name: gsi.sk, type: AttributeType.STRING },
          projectionType: ProjectionType.ALL,
        });
      }
      byName[spec.name] = table;
    }
    this.byName = byName as Record<TableName, Table>;
  }
}
