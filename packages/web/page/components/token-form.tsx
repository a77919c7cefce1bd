import { useState } from "preact/hooks";
import { MAX_TOKEN_CHARS, tokenProblem } from "../token-check.ts";

/** Explains where the token comes from and how the page keeps it. */
export function TokenHelp() {
  return (
    <p class="muted">
      Use the token the server was started with (<code>OPERATOR_API_TOKEN</code>, or a line of{" "}
      <code>--api-tokens-file</code>). It is kept in this browser tab only and sent as a bearer token.
    </p>
  );
}

/**
 * The token field with its own check; `refused` is the message after the server turned a token down.
 * `submitLabel` names what happens next (`Save token and acknowledge`).
 */
export function TokenForm(props: {
  idPrefix: string;
  refused: string | null;
  busy: boolean;
  submitLabel: string;
  onSubmit(token: string): void;
  onCancel?: () => void;
}) {
  const [value, setValue] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const message = problem ?? props.refused;
  const inputId = `${props.idPrefix}-token`;
  const errorId = `${props.idPrefix}-token-error`;
  return (
    <form
      class="token-form"
      onSubmit={(event) => {
        event.preventDefault();
        const token = value.trim();
        const why = tokenProblem(token);
        setProblem(why);
        if (why === null) props.onSubmit(token);
      }}
    >
      <div class="field">
        <label for={inputId}>API token</label>
        <input
          id={inputId}
          type="password"
          autoComplete="off"
          spellcheck={false}
          maxLength={MAX_TOKEN_CHARS}
          value={value}
          aria-invalid={message ? "true" : undefined}
          aria-describedby={message ? errorId : undefined}
          onInput={(event) => setValue((event.currentTarget as HTMLInputElement).value)}
        />
      </div>
      {message && (
        <p id={errorId} class="notice notice-error" role="alert">
          {message}
        </p>
      )}
      <div class="dialog-buttons">
        {props.onCancel && (
          <button type="button" class="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" class="button button-primary" disabled={props.busy}>
          {props.busy ? "Checking…" : props.submitLabel}
        </button>
      </div>
    </form>
  );
}

/** The message shown when the server answered 401 to a token. */
export const TOKEN_REFUSED =
  "The server refused this token (401 Unauthorized). Check that you copied the whole token, or ask whoever runs the server for a valid one.";

/** The message shown when a token saved earlier in this tab stopped working. */
export const SAVED_TOKEN_REFUSED =
  "The saved token was refused (401 Unauthorized): it may have been changed on the server. Enter the current one.";
