import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '../topology.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-bus.js';

/** The Lambda context of one local invocation of a function of the topology. */
export function lambdaContext(fn: {
  name: string;
  spec: Pick<FunctionSpec, 'timeoutSeconds' | 'memoryMb'>;
}): Context {
  const deadline = Date.now() + fn.spec.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${fn.name}`,
    memoryLimitInMB: String(fn.spec.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
