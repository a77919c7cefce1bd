import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, postAction } from "../api.ts";
import { parseTicket } from "../parse.ts";
import { ACTION_WORDS } from "../tickets.ts";
import type { TicketAction, TicketJson } from "../types.ts";
import { SAVED_TOKEN_REFUSED, TOKEN_REFUSED, TokenForm, TokenHelp } from "./token-form.tsx";

/** Where the name given in `by` is remembered between actions (this browser only). */
const NAME_KEY = "operator.actorName";

/**
 * The confirmation of one action, as a modal dialog: who does it, a comment, the diagnosis for
 * `diagnose`. When the server answers 401 it asks for the token in the same dialog, saves it through
 * `onToken` and sends the action again.
 */
export function ActionDialog(props: {
  ticket: TicketJson;
  action: TicketAction;
  token: string | null;
  onToken(token: string | null): void;
  onDone(ticket: TicketJson): void;
  onClose(): void;
}) {
  const { ticket, action } = props;
  const words = ACTION_WORDS[action];
  const dialog = useRef<HTMLDialogElement>(null);
  const [by, setBy] = useState(() => _loadName());
  const [comment, setComment] = useState("");
  const [text, setText] = useState("");
  const [step, setStep] = useState<"confirm" | "token">("confirm");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [refused, setRefused] = useState<string | null>(null);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const send = async (token: string | null, freshToken: boolean): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const body = await postAction(ticket.id, action, { by, comment, text }, token);
      const changed = parseTicket(body);
      if (!changed) throw new ApiError(200, "Unreadable answer", "The server's answer was not a ticket.");
      _saveName(by);
      props.onDone(changed);
    } catch (caught) {
      if (caught instanceof ApiError && caught.unauthorized) {
        if (token !== null) {
          props.onToken(null);
          setRefused(freshToken ? TOKEN_REFUSED : SAVED_TOKEN_REFUSED);
        } else {
          setRefused(null);
        }
        setStep("token");
      } else {
        setError(_describe(caught));
      }
    } finally {
      setBusy(false);
    }
  };

  const title = `${words.label} ticket #${ticket.id}`;
  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby="action-title"
      onClose={props.onClose}
      onCancel={(event) => {
        if (busy) event.preventDefault();
      }}
    >
      <h2 id="action-title">{step === "token" ? "A token is needed" : `${title}?`}</h2>
      <p class="dialog-key">{ticket.key}</p>
      {step === "token" ? (
        <>
          <p>To {words.label.toLowerCase()} this ticket the server needs an API token.</p>
          <TokenHelp />
          <TokenForm
            idPrefix="action"
            refused={refused}
            busy={busy}
            submitLabel={`Save token and ${words.label.toLowerCase()}`}
            onCancel={() => dialog.current?.close()}
            onSubmit={(token) => {
              props.onToken(token);
              void send(token, true);
            }}
          />
        </>
      ) : (
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            if (action === "diagnose" && !text.trim()) {
              setError("Write the diagnosis: what you found.");
              return;
            }
            void send(props.token, false);
          }}
        >
          <p>{words.explain}</p>
          {action === "diagnose" && (
            <div class="field">
              <label for="action-text">Diagnosis (required)</label>
              <textarea
                id="action-text"
                rows={4}
                maxLength={4000}
                required
                value={text}
                onInput={(event) => setText((event.currentTarget as HTMLTextAreaElement).value)}
              />
            </div>
          )}
          <div class="field">
            <label for="action-by">Your name (optional)</label>
            <input
              id="action-by"
              type="text"
              autoComplete="name"
              maxLength={100}
              value={by}
              onInput={(event) => setBy((event.currentTarget as HTMLInputElement).value)}
            />
          </div>
          <div class="field">
            <label for="action-comment">Comment (optional)</label>
            <input
              id="action-comment"
              type="text"
              maxLength={1000}
              value={comment}
              onInput={(event) => setComment((event.currentTarget as HTMLInputElement).value)}
            />
          </div>
          {error && (
            <p class="notice notice-error" role="alert">
              {error}
            </p>
          )}
          <div class="dialog-buttons">
            <button type="button" class="button" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" class="button button-primary" disabled={busy}>
              {busy ? "Working…" : words.label}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

function _describe(error: unknown): string {
  if (error instanceof ApiError) {
    const field = error.field ? ` (field: ${error.field})` : "";
    return `${error.title}${error.detail ? `: ${error.detail}` : ""}${field}`;
  }
  return `Something went wrong: ${(error as Error).message}`;
}

function _loadName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? "";
  } catch {
    return "";
  }
}

function _saveName(name: string): void {
  try {
    if (name.trim()) localStorage.setItem(NAME_KEY, name.trim().slice(0, 100));
  } catch {
    // Not remembered: the field starts empty next time.
  }
}
