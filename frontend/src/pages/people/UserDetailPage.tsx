import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ROLE_LABELS, isStaff, useCurrentUser, type User } from "../../api";
import { listAllTenants, tenantKeys, type Tenant } from "../../api/tenants";
import { deleteUser, getUser, isStaffRole, setUserActive, userKeys } from "../../api/users";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormAlert } from "../../components/FormAlert";
import { Loading, QueryError } from "../../components/QueryStatus";
import { RequireArea } from "../../components/RequireArea";
import { Flash, Notice, type FlashState } from "./fields";
import { activeLabel, errorMessages, formatDateTime, fullName } from "./format";
import { parseId } from "./listParams";
import styles from "./people.module.css";
import { AssignRoleForm, SetPasswordForm, UserEditForm } from "./UserForms";

/** `/users/:id`: a user's facts, edit, (de)activate, role, password, delete. */
export function UserDetailPage() {
  return (
    <RequireArea area="users">
      <UserDetail />
    </RequireArea>
  );
}

function UserDetail() {
  const id = parseId(useParams().id);
  const me = useCurrentUser();
  const staff = me.data ? isStaff(me.data.role) : false;
  const user = useQuery({
    queryKey: userKeys.detail(id ?? 0),
    queryFn: ({ signal }) => getUser(id ?? 0, signal),
    enabled: id !== null,
  });
  const tenants = useQuery({ queryKey: tenantKeys.choices, queryFn: ({ signal }) => listAllTenants(signal), enabled: staff });

  const back = (
    <p>
      <Link to="/users">← Users</Link>
    </p>
  );
  const failed = (content: ReactNode) => (
    <section aria-labelledby="user-missing" className={styles.page}>
      {back}
      <h1 id="user-missing">User</h1>
      {content}
    </section>
  );
  if (id === null) return failed(<FormAlert messages={["Not found."]} />);
  if (!me.data || user.isPending || (staff && tenants.isPending)) return <Loading label="Loading the user…" />;
  if (user.isError) return failed(<QueryError title="The user could not be loaded." error={user.error} />);
  if (tenants.isError) return failed(<QueryError title="The tenants could not be loaded." error={tenants.error} />);
  return <UserView user={user.data} me={me.data} tenants={tenants.data ?? []} back={back} />;
}

/** Why the caller may not change this user (API.md's "all but" rows), or null when they may. */
function refusal(me: User, user: User): string | null {
  if (me.role === "superadmin") return null;
  if (me.role === "admin") return user.role === "superadmin" ? "Platform admins cannot change a super admin." : null;
  if (me.role === "tenant_owner" && user.role !== "subscriber") {
    return me.id === user.id
      ? "This is your own account: change it on your Profile page."
      : "Tenant owners can change the subscribers of their tenant only.";
  }
  return null;
}

function UserView({ user, me, tenants, back }: { user: User; me: User; tenants: Tenant[]; back: ReactNode }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const [actionErrors, setActionErrors] = useState<string[]>([]);
  const self = me.id === user.id;
  const cannot = refusal(me, user);
  const staffCaller = isStaff(me.role);

  const clear = () => {
    setNotice(null);
    setActionErrors([]);
  };

  const activation = useMutation({
    mutationFn: (isActive: boolean) => setUserActive(user.id, isActive),
    onMutate: clear,
    onSuccess: (answer) => {
      queryClient.setQueryData(userKeys.detail(answer.id), answer);
      void queryClient.invalidateQueries({ queryKey: userKeys.all, refetchType: "none" });
      setNotice(answer.is_active ? "User activated." : "User deactivated. Their sessions have ended.");
    },
    onError: (error) => setActionErrors(errorMessages(error)),
  });

  const remove = useMutation({
    mutationFn: () => deleteUser(user.id),
    onMutate: clear,
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: userKeys.detail(user.id) });
      void queryClient.invalidateQueries({ queryKey: userKeys.all });
      void queryClient.invalidateQueries({ queryKey: tenantKeys.all, refetchType: "none" });
      const state: FlashState = { message: `User “${user.username}” deleted.` };
      void navigate("/users", { state });
    },
    onError: (error) => setActionErrors(errorMessages(error)),
  });

  const busy = activation.isPending || remove.isPending;
  const name = fullName(user);

  return (
    <section aria-labelledby="user-title" className={styles.page}>
      {back}
      <Flash />
      <h1 id="user-title">{user.username}</h1>
      {name && <p className="muted">{name}</p>}
      <dl className="facts">
        <dt>E-mail</dt>
        <dd>{user.email ?? "—"}</dd>
        <dt>Role</dt>
        <dd>{ROLE_LABELS[user.role] ?? user.role}</dd>
        <dt>Tenant</dt>
        <dd>
          {user.tenant ? (
            staffCaller ? (
              <Link to={`/tenants/${user.tenant.id}`}>{user.tenant.name}</Link>
            ) : (
              user.tenant.name
            )
          ) : (
            "—"
          )}
        </dd>
        <dt>Status</dt>
        <dd>{activeLabel(user.is_active)}</dd>
        <dt>Last login</dt>
        <dd>{formatDateTime(user.last_login, "Never")}</dd>
        <dt>Joined</dt>
        <dd>{formatDateTime(user.date_joined)}</dd>
        <dt>Password</dt>
        <dd>{user.password_updated ? `Set ${formatDateTime(user.password_updated)}` : "Not set yet"}</dd>
      </dl>

      {cannot ? (
        <p className="alert alert-info">{cannot}</p>
      ) : (
        <>
          {!self && (
            <>
              <h2>Actions</h2>
              <FormAlert messages={actionErrors} />
              {notice && <Notice>{notice}</Notice>}
              <div className="actions">
                <button type="button" disabled={busy} onClick={() => activation.mutate(!user.is_active)}>
                  {user.is_active ? "Deactivate" : "Activate"}
                </button>
                <ConfirmDialog
                  trigger={
                    <button type="button" className="danger" disabled={busy}>
                      Delete
                    </button>
                  }
                  title={`Delete the user “${user.username}”?`}
                  description="This cannot be undone."
                  confirmLabel="Delete user"
                  onConfirm={() => remove.mutate()}
                />
              </div>
            </>
          )}

          <h2>Edit user</h2>
          <UserEditForm
            key={user.id}
            user={user}
            tenants={staffCaller && !isStaffRole(user.role) ? tenants : null}
          />

          {!self && (
            <>
              <h2>Role</h2>
              <AssignRoleForm key={user.id} user={user} caller={me.role} />
              <h2>Password</h2>
              <SetPasswordForm user={user} />
            </>
          )}
          {self && <p className="muted">Your own role, status and password are not changed here: see your Profile page.</p>}
        </>
      )}
    </section>
  );
}
