import { CfnOutput, Stack } from 'aws-cdk-lib';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  EmailIdentity,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { DeploymentEnvironment } from '../environment.js';
import type { MailIdentity } from './settings.js';

/**
 * How statements are sent: an SES identity for the sender (a domain, signed with Easy DKIM, or a
 * single address) and a configuration set (TLS required, reputation metrics, bounces and
 * complaints suppressed). The notify function may send only as that identity and only through
 * that configuration set (functions.ts).
 *
 * A domain identity is verified once its three DKIM CNAME records are published: the stack
 * outputs them. An address identity is verified from the email SES sends to it. Until then, and
 * while the account is in the SES sandbox, SES refuses to send (the message goes to the DLQ).
 */
export class StatementsMail extends Construct {
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  readonly configurationSetName: string;
  readonly configurationSetArn: string;

  constructor(
    scope: Construct,
    id: string,
    props: { environment: DeploymentEnvironment; identity: MailIdentity },
  ) {
    super(scope, id);
    this.configurationSetName = `${props.environment.prefix}-statements`;
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: this.configurationSetName,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSetName,
    });
    const { kind, value } = props.identity;
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: kind === 'domain' ? Identity.domain(value) : Identity.email(value),
      configurationSet: this.configurationSet,
    });
    if (kind === 'domain') {
      const records = [
        [this.identity.dkimDnsTokenName1, this.identity.dkimDnsTokenValue1],
        [this.identity.dkimDnsTokenName2, this.identity.dkimDnsTokenValue2],
        [this.identity.dkimDnsTokenName3, this.identity.dkimDnsTokenValue3],
      ];
      records.forEach(([name, target], index) => {
        new CfnOutput(Stack.of(this), `MailDkimRecord${index + 1}`, {
          description: `DKIM CNAME ${index + 1} of ${value}: publish it to verify the sender domain`,
          value: `${name} CNAME ${target}`,
        });
      });
    }
  }
}
