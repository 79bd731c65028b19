/** The client's closed list of error codes; each `error` event and rejected promise carries one. */
export const ClientErrorCode = {
  /** The gateway refused the token (close 4001 or HTTP 401/403 on the upgrade). Reconnecting stops. */
  unauthorized: 'CLIENT_UNAUTHORIZED',
  /** The gateway speaks another protocol version. Reconnecting stops. */
  protocolVersion: 'CLIENT_PROTOCOL_VERSION',
  /** An inbound frame was not JSON, too large, binary, or failed the protocol schema; it was dropped. */
  invalidFrame: 'CLIENT_INVALID_FRAME',
  /** The gateway answered a command with an `error` frame. */
  serverError: 'CLIENT_SERVER_ERROR',
  /** A command got no answer within the request timeout. */
  timeout: 'CLIENT_TIMEOUT',
  /** A command needs an open connection and there is none (or it closed before the answer). */
  notConnected: 'CLIENT_NOT_CONNECTED',
  /** The client was closed by its owner. */
  closed: 'CLIENT_CLOSED',
  /** The socket reported an error (refused connection, DNS, TLS...). The client reconnects. */
  socket: 'CLIENT_SOCKET_ERROR',
  /** No `ws` package and no global WebSocket: nothing to connect with. */
  noWebSocket: 'CLIENT_NO_WEBSOCKET',
  /** A listener threw; the client caught it so its own state stays consistent. */
  listener: 'CLIENT_LISTENER_THREW',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

export class ClientError extends Error {
  override readonly name = 'ClientError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
