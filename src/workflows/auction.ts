import type { AslDefinition } from '../topology-types.js';

/** The functions the auction's Task states invoke. */
export const AUCTION_TASKS = {
  fetchResults: 'auction-fetch-results',
  storeResult: 'auction-store-result',
  notify: 'auction-notify',
  summarize: 'auction-summarize',
} as const;

/** The error a StoreResult raises for a rejected order; the Map's Catch routes it to NotifyRejected. */
export const ORDER_REJECTED = 'OrderRejected';

/** Execution input: how long to wait between polls and how many polls to make. */
export interface AuctionInput {
  waitSeconds: number;
  maxAttempts: number;
}

/**
 * The auction workflow, in Amazon States Language. One definition serves the embedded runner and
 * AWS Step Functions: only the Task resources differ (`resourceFor`). Wait time and attempts come
 * from the execution input, so configuring them needs no new definition.
 *
 * FetchResults asks the platform about the pending orders; while it has no results, Wait and ask
 * again, at most `maxAttempts` times, then alert and fail. With results, a Map (5 at a time) runs
 * StoreResult per order: accepted orders are stored in bucket `order-results`; a rejected one
 * raises `OrderRejected`, caught and sent to NotifyRejected, and the Map goes on. Platform
 * failures (timeouts, 5xx) are retried with backoff; if they persist, an alert and a failure.
 */
export function auctionDefinition(resourceFor: (functionName: string) => string): AslDefinition {
  const platformRetry = [
    {
      ErrorEquals: ['Platform.Unavailable', 'States.Timeout'],
      IntervalSeconds: 2,
      BackoffRate: 2,
      MaxAttempts: 3,
    },
  ];
  return {
    Comment: 'Energy auction: poll the platform for results, store accepted orders, alert on rejected ones',
    StartAt: 'Prepare',
    TimeoutSeconds: 86_400,
    States: {
      Prepare: {
        Type: 'Pass',
        Parameters: { 'config.$': '$', attempt: 0 },
        Next: 'FetchResults',
      },
      FetchResults: {
        Type: 'Task',
        Resource: resourceFor(AUCTION_TASKS.fetchResults),
        Parameters: { 'config.$': '$.config', 'attempt.$': '$.attempt', 'executionId.$': '$$.Execution.Id' },
        TimeoutSeconds: 60,
        Retry: platformRetry,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'NotifyFailure' }],
        Next: 'ResultsReady',
      },
      ResultsReady: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.results', BooleanEquals: true, Next: 'StoreResults' },
          {
            Variable: '$.attempt',
            NumericGreaterThanEqualsPath: '$.config.maxAttempts',
            Next: 'NotifyNoResults',
          },
        ],
        Default: 'WaitForResults',
      },
      WaitForResults: { Type: 'Wait', SecondsPath: '$.config.waitSeconds', Next: 'FetchResults' },
      StoreResults: {
        Type: 'Map',
        ItemsPath: '$.orders',
        MaxConcurrency: 5,
        ItemSelector: { 'result.$': '$$.Map.Item.Value', 'executionId.$': '$$.Execution.Id' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'StoreResult',
          States: {
            StoreResult: {
              Type: 'Task',
              Resource: resourceFor(AUCTION_TASKS.storeResult),
              Catch: [{ ErrorEquals: [ORDER_REJECTED], ResultPath: '$.rejection', Next: 'NotifyRejected' }],
              End: true,
            },
            NotifyRejected: {
              Type: 'Task',
              Resource: resourceFor(AUCTION_TASKS.notify),
              Parameters: {
                kind: 'order-rejected',
                'executionId.$': '$.executionId',
                'result.$': '$.result',
                'rejection.$': '$.rejection',
              },
              End: true,
            },
          },
        },
        ResultPath: '$.stored',
        Next: 'Summarize',
      },
      Summarize: {
        Type: 'Task',
        Resource: resourceFor(AUCTION_TASKS.summarize),
        Parameters: { 'stored.$': '$.stored' },
        End: true,
      },
      NotifyNoResults: {
        Type: 'Task',
        Resource: resourceFor(AUCTION_TASKS.notify),
        Parameters: {
          kind: 'auction-no-results',
          'executionId.$': '$$.Execution.Id',
          'attempts.$': '$.attempt',
        },
        ResultPath: null,
        Next: 'NoResults',
      },
      NoResults: {
        Type: 'Fail',
        Error: 'Auction.NoResults',
        Cause: 'the auction platform had no results after the maximum number of attempts',
      },
      NotifyFailure: {
        Type: 'Task',
        Resource: resourceFor(AUCTION_TASKS.notify),
        Parameters: { kind: 'auction-failed', 'executionId.$': '$$.Execution.Id', 'error.$': '$.error' },
        ResultPath: null,
        Next: 'PlatformFailed',
      },
      PlatformFailed: {
        Type: 'Fail',
        Error: 'Auction.PlatformFailed',
        Cause: 'the auction platform kept failing; see the NotifyFailure state for its error',
      },
    },
  };
}
