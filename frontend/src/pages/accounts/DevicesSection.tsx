import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, clearToken } from "../../api";
import { accountQueryKeys, listTokens, revokeToken, type DeviceToken } from "../../api/accounts";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormAlert } from "../../components/FormAlert";
import { Loading, QueryError } from "../../components/QueryStatus";
import { formatDateTime } from "./format";

/** The user's live tokens, one per signed-in device, each of which can be revoked. */
export function DevicesSection() {
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: accountQueryKeys.tokens, queryFn: ({ signal }) => listTokens(signal) });
  const [notice, setNotice] = useState<string | null>(null);
  const [problems, setProblems] = useState<string[]>([]);

  const revoke = useMutation({
    mutationFn: (token: DeviceToken) => revokeToken(token.id),
    onSuccess: (_answer, token) => {
      if (token.current) {
        // This device's own token: revoking it is logging out here.
        queryClient.clear();
        clearToken("You have been logged out on this device.");
        return;
      }
      setNotice(`The device with key ${token.prefix}… has been signed out.`);
      void queryClient.invalidateQueries({ queryKey: accountQueryKeys.tokens });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 401) return; // already back at the login page
      setProblems(error instanceof ApiError ? error.formMessages : [error.message]);
      void queryClient.invalidateQueries({ queryKey: accountQueryKeys.tokens });
    },
  });

  const onRevoke = (token: DeviceToken) => {
    setNotice(null);
    setProblems([]);
    revoke.mutate(token);
  };

  return (
    <section aria-labelledby="devices-title">
      <h2 id="devices-title">Devices</h2>
      <p className="muted">Each place you are signed in holds a key of its own. Revoke one to sign that device out.</p>
      <FormAlert messages={problems} />
      {notice && (
        <p role="status" className="alert alert-info">
          {notice}
        </p>
      )}
      {tokens.isPending && <Loading label="Loading your devices…" />}
      {tokens.isError && <QueryError title="Your devices could not be loaded." error={tokens.error} />}
      {tokens.data && (
        <div className="table-wrap">
          <table>
            <caption className="muted small">Signed-in devices</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Device</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="muted">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((token) => (
                <tr key={token.id}>
                  <td>
                    <code>{token.prefix}…</code>
                    {token.current && (
                      <>
                        {" "}
                        <strong>This device</strong>
                      </>
                    )}
                  </td>
                  <td>{token.user_agent || "Unknown device"}</td>
                  <td>{formatDateTime(token.created)}</td>
                  <td>{formatDateTime(token.last_used)}</td>
                  <td>{formatDateTime(token.expires_at)}</td>
                  <td>
                    <ConfirmDialog
                      trigger={
                        <button type="button" className="danger" disabled={revoke.isPending}>
                          Revoke
                        </button>
                      }
                      title="Revoke this device?"
                      description={
                        token.current
                          ? "This is the device you are using now: you will be logged out here."
                          : `The device with key ${token.prefix}… will be signed out and must log in again.`
                      }
                      confirmLabel="Revoke"
                      onConfirm={() => onRevoke(token)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
