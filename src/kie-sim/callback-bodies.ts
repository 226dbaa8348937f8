/** The JSON bodies KIE POSTs to a callBackUrl (docs/kie-api.md#callback-shapes), and its failure texts. */

/** Documented failure messages by code (one of each; 400 has several, see docs/kie-api.md#callback-shapes). */
export const FAILURE_MESSAGES: Record<number, string> = {
  400: 'Your prompt was flagged by Website as violating content policies.',
  422: 'Your request was rejected by Flow(The prompt could not be submitted due to safety filters). You may consider using our other fallback channels, which are likely to succeed. Please refer to the documentation.',
  500: 'Internal Error, Please try again later.',
  501: 'Generation failed.',
};
export const failureMessage = (code: number): string => FAILURE_MESSAGES[code] ?? 'Generation failed.';

export const VEO_SUCCESS_MSG = 'Veo3.1 video generated successfully.';
/** The legacy fallback model's success (docs/kie-api.md#callback-shapes). */
export const VEO_FALLBACK_SUCCESS_MSG = 'Veo3.1 video generated successfully (using fallback model).';

export function veoSuccessCallback(args: {
  taskId: string;
  resultUrls: string[];
  originUrls: string[] | null;
  resolution: string;
  promptJson: Record<string, unknown>;
  /** Made by the legacy fallback model: its own msg and fallbackFlag (the caller passes no originUrls). */
  fallback?: boolean;
}) {
  const fallback = args.fallback === true;
  return {
    code: 200,
    msg: fallback ? VEO_FALLBACK_SUCCESS_MSG : VEO_SUCCESS_MSG,
    data: {
      taskId: args.taskId,
      info: {
        resultUrls: args.resultUrls,
        // Only non-16:9 videos have an uncropped original (the fallback example has none).
        ...(args.originUrls ? { originUrls: args.originUrls } : {}),
        resolution: args.resolution,
      },
      promptJson: args.promptJson,
      fallbackFlag: fallback,
    },
  };
}

/** Failure callbacks carry only taskId and fallbackFlag. */
export function veoFailureCallback(taskId: string, code: number, msg: string) {
  return { code, msg, data: { taskId, fallbackFlag: false } };
}

export function fourKSuccessCallback(taskId: string, resultUrls: string[], imageUrls: string[]) {
  return {
    code: 200,
    msg: '4K Video generated successfully.',
    data: { taskId, info: { resultUrls, imageUrls } },
  };
}

export function marketCallback(
  record: Record<string, unknown> & { state: string },
  extra: Record<string, unknown>,
) {
  const ok = record.state === 'success';
  return {
    code: ok ? 200 : 501,
    msg: ok ? 'Playground task completed successfully.' : 'Playground task failed.',
    data: { ...record, ...extra },
  };
}
