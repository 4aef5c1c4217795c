import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { DYNAMODB_BACKGROUND_ATTEMPT_TIMEOUT_MS, documentClient } from '../adapters/dynamodb/client.js';
import { type Image, Projector } from '../adapters/dynamodb/projector.js';

let projector: Projector | undefined;

type StreamImage = Parameters<typeof unmarshall>[0];

/**
 * Stream consumer for the catalog and ledger tables in this Region. A thrown error makes the event source
 * deliver the batch again; every projection step is idempotent, so that is safe.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<void> {
  projector ??= new Projector(documentClient(DYNAMODB_BACKGROUND_ATTEMPT_TIMEOUT_MS));
  await projector.project(
    event.Records.flatMap((record) => {
      const data = record.dynamodb;
      if (!data?.Keys) return [];
      const key = unmarshall(data.Keys as StreamImage) as { pk: string; sk: string };
      return [
        {
          key,
          ...(data.OldImage ? { oldImage: unmarshall(data.OldImage as StreamImage) as Image } : {}),
          ...(data.NewImage ? { newImage: unmarshall(data.NewImage as StreamImage) as Image } : {}),
        },
      ];
    }),
  );
}
