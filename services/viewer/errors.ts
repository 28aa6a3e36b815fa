import { FlywheelError } from '../platform/errors.ts';

/** A request the viewer refuses: the message names the parameter (shown to the user with HTTP 400). */
export class BadRequestError extends FlywheelError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
  }
}

/** No record with that id in the analytics store (HTTP 404). */
export class NotFoundError extends FlywheelError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}
