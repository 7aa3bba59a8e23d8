import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Custodians } from '../custodians';
import { StageKey } from './stage-key';
import { stageKeyAliasPrefix, stageResourceName, type AlarmSubscription } from '../../data/stages';

/** Props of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Name of the stage, carried in the topic name and the key alias. */
  readonly stageName: string;
  /** Who may still disable or delete the topic's key or replace its policy. */
  readonly custodians: Custodians;
  /** The on-call's subscription, part of the template so that removing it by hand is drift. */
  readonly notify?: AlarmSubscription;
}

/**
 * The SNS topic every alarm of a stage notifies, encrypted with its own customer-managed key.
 * CloudWatch and EventBridge may use that key for this topic only, and publish to the topic from
 * this account's alarms and from the stage's rules (`inavor-shuttle-<stage>-*`) only; nothing
 * else is granted. The data key is not reused: the CloudWatch service must
 * never be able to use the key that encrypts the tables.
 */
export class AlarmTopic extends Construct {
  /** The topic, with the on-call's subscription. */
  public readonly topic: sns.Topic;
  /** The key encrypting the topic's messages at rest. */
  public readonly key: StageKey;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const topicName = stageResourceName(props.stageName, 'dataAlarms');
    // Built from the literal name: referencing the topic here would make key and topic depend on each other.
    const topicArn = stack.formatArn({ service: 'sns', resource: topicName });
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const eventBridge = new iam.ServicePrincipal('events.amazonaws.com');
    const stageRules = stack.formatArn({ service: 'events', resource: 'rule', resourceName: stageResourceName(props.stageName, '*') }); // every security rule (securityRuleName)

    this.key = new StageKey(this, 'Key', {
      alias: `${stageKeyAliasPrefix(props.stageName)}alarms`,
      description: `Encrypts the Inavor Shuttle ${props.stageName} data-layer alarm topic`,
      custodians: props.custodians,
    });
    // A publisher to an encrypted topic needs these two; SNS names the topic in the encryption context.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKeyForTheAlarmTopicOnly',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeRulesToUseTheKeyForTheAlarmTopicOnly',
        principals: [eventBridge],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } },
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      topicName,
      displayName: `Inavor Shuttle ${props.stageName} data alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.notify) {
      new sns.Subscription(this, 'OnCall', {
        topic: this.topic,
        protocol: props.notify.protocol === 'email' ? sns.SubscriptionProtocol.EMAIL : sns.SubscriptionProtocol.HTTPS,
        endpoint: props.notify.endpoint,
      });
    }
    // A topic policy replaces SNS's default one, so the alarms' right to publish is stated here.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisAccountsAlarmsToPublish',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisStagesEventRulesToPublish',
        principals: [eventBridge],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': stageRules } },
      }),
    );
  }
}
