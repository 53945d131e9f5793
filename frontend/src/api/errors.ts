/** Every API failure as one error type, carrying the API's `{error, detail}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail: string,
  ) {
    super(detail ? `${error}: ${detail}` : error);
    this.name = "ApiError";
  }
}

export async function errorFrom(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    /* not JSON */
  }
  if (body && typeof body === "object") {
    const { error, detail } = body as { error?: unknown; detail?: unknown };
    const text = Array.isArray(detail)
      ? detail.map((d: { msg?: string }) => d.msg ?? String(d)).join("; ")
      : typeof detail === "string"
        ? detail
        : "";
    return new ApiError(response.status, String(error ?? response.statusText), text);
  }
  return new ApiError(response.status, response.statusText || "Request failed", "");
}
