/**
 * Signing in and out: both change the cached auth state, which the route guard and the sidebar follow.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { keys } from '../api/queries';

/** Signs in with the password; on success every query reloads as the signed-in user. */
export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (password: string) => api.login(password),
    onSuccess: () => {
      client.setQueryData(keys.auth, 'ok');
      void client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== keys.auth[0] });
    },
  });
}

/** Ends the session and forgets everything loaded with it. */
export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: api.logout,
    onSuccess: () => {
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.auth[0] });
      client.setQueryData(keys.auth, 'required');
    },
  });
}
