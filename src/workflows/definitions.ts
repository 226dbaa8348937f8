/** Signals, queries and updates of `generateVideo`, defined once and imported by the API too (docs/architecture.md#workflow-conventions). */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JobProgress, ReservationResult } from '../domain/index.js';
import type { HdReservation, KieCallbackSignal } from './job-types.js';

export const kieCallbackSignal = defineSignal<[KieCallbackSignal]>('kieCallback');
export const progressQuery = defineQuery<JobProgress>('progress');
/** Answers once credits are held or refused: the API's synchronous 402/429 (early-return pattern). */
export const reservationUpdate = defineUpdate<ReservationResult>('reservation');
/** fetchHdOnDemand: answers once the 1080p's price is held, refused, or found settled already. */
export const hdReservationUpdate = defineUpdate<HdReservation>('hdReservation');
